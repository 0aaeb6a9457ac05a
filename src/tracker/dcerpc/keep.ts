/**
 * Is this (large) READ/WRITE message named-pipe data? Then it is DCE/RPC and is kept whole,
 * unlike file data, which is skipped past its first bytes. Decided from the message's first
 * bytes and the connection's open pipes / pending pipe reads.
 */
import type { ConnState } from '../state';
import { idKey, smb2FileKeyAt } from '../ids';
import { pipeOpen } from './pipes';
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
    if (cmd === SMB2_WRITE && !response) return pipeOpen(cs, smb2FileKeyAt(head, 64 + 16)) !== null;
    if (cmd === SMB2_READ && response) {
      const p = cs.pending.get(idKey(u32le(head, 28), u32le(head, 24)));
      return p !== undefined && p.pipeFileKey >= 0;
    }
    return false;
  }
  if (head[0] === 0xff) {
    const cmd = head[4];
    const response = (head[9] & 0x80) !== 0;
    if (cmd === SMB1_WRITE_ANDX && !response) return pipeOpen(cs, u16le(head, 37)) !== null;
    if (cmd === SMB1_READ_ANDX && response) {
      const p = cs.pending.get(u16le(head, 26) * 65536 + u16le(head, 30));
      return p !== undefined && p.pipeFileKey >= 0;
    }
  }
  return false;
}
