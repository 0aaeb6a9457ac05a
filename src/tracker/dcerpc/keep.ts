/**
 * Is this (large) READ/WRITE message named-pipe data? Then it is DCE/RPC and is kept whole,
 * unlike file data, which is skipped past its first bytes. Decided from the message's first
 * bytes and the connection's open pipes / pending pipe reads.
 */
import type { ConnState } from '../state';
import { idKey, idKeyHi, smb1TxKey, smb2FileKeyAt, smb2FileKeyHiAt } from '../ids';
import { u16le, u32le } from '../../shared/bytes';

const SMB2_READ = 0x08;
const SMB2_WRITE = 0x09;
const SMB1_READ_ANDX = 0x2e;
const SMB1_WRITE_ANDX = 0x2f;

export function keepPipeData(cs: ConnState, head: Buffer): boolean {
  if (cs.files.size === 0 || head.length < 40) return false;
  if (head[0] === 0xfe) {
    if (head.length < 96) return false;
    const cmd = u16le(head, 12);
    const response = (head[16] & 1) !== 0;
    if (cmd === SMB2_WRITE && !response) return isPipe(cs, smb2FileKeyAt(head, 64 + 16), smb2FileKeyHiAt(head, 64 + 16));
    if (cmd === SMB2_READ && response) {
      const hi = u32le(head, 28);
      const tx = cs.txs.peek(idKey(hi, u32le(head, 24)), idKeyHi(hi));
      return tx !== null && tx.kind === 'read' && tx.pipe;
    }
    return false;
  }
  if (head[0] === 0xff) {
    const cmd = head[4];
    const response = (head[9] & 0x80) !== 0;
    if (cmd === SMB1_WRITE_ANDX && !response) return isPipe(cs, u16le(head, 37), 0);
    if (cmd === SMB1_READ_ANDX && response) {
      const tx = cs.txs.peek(smb1TxKey(u16le(head, 26), u16le(head, 30), cmd), u16le(head, 12));
      const read = tx !== null && tx.kind === 'andx' ? tx.part(SMB1_READ_ANDX, 'read') : null;
      return read !== null && read.pipe;
    }
  }
  return false;
}

/** the open at key is a pipe (looked at, not counted: the handler's own lookup counts a collision) */
function isPipe(cs: ConnState, key: number, keyHi: number): boolean {
  const f = cs.files.at(key);
  return f !== undefined && f.keyHi === keyHi && f.pipe;
}
