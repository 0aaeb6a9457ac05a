/**
 * Is this (large) READ/WRITE message named-pipe data? Then it is DCE/RPC and is kept whole,
 * unlike file data, which is skipped past its first bytes. Decided from the message's first
 * bytes and the connection's open pipes / pending pipe reads.
 */
import type { ConnState } from '../state';
import { idKey } from '../ids';
import { pipeOpen } from './pipes';

const SMB2_READ = 0x08;
const SMB2_WRITE = 0x09;
const SMB1_READ_ANDX = 0x2e;
const SMB1_WRITE_ANDX = 0x2f;

function u16(b: Buffer, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u32(b: Buffer, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** SMB2 FileId (volatile half) folded as the handlers fold it */
export function smb2FileKeyAt(b: Buffer, off: number): number {
  return idKey(u32(b, off + 12), u32(b, off + 8));
}

export function keepPipeData(cs: ConnState, head: Buffer): boolean {
  if (cs.files.size === 0 || head.length < 40) return false;
  if (head[0] === 0xfe) {
    if (head.length < 96) return false;
    const cmd = u16(head, 12);
    const response = (head[16] & 1) !== 0;
    if (cmd === SMB2_WRITE && !response) return pipeOpen(cs, smb2FileKeyAt(head, 64 + 16)) !== null;
    if (cmd === SMB2_READ && response) {
      const p = cs.pending.get(idKey(u32(head, 28), u32(head, 24)));
      return p !== undefined && p.pipeFileKey >= 0;
    }
    return false;
  }
  if (head[0] === 0xff) {
    const cmd = head[4];
    const response = (head[9] & 0x80) !== 0;
    if (cmd === SMB1_WRITE_ANDX && !response) return pipeOpen(cs, u16(head, 37)) !== null;
    if (cmd === SMB1_READ_ANDX && response) {
      const p = cs.pending.get(u16(head, 26) * 65536 + u16(head, 30));
      return p !== undefined && p.pipeFileKey >= 0;
    }
  }
  return false;
}
