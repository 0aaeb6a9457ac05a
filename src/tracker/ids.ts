/** Formatting of protocol ids into the contract's hex strings (done once per lifecycle event). */
import { u32le } from '../shared/bytes';

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** SMB2 SessionId → '0x' + 16 hex digits */
export function smb2SessionIdString(hi: number, lo: number): string {
  return '0x' + hex8(hi) + hex8(lo);
}

/** SMB1 UID → '0x' + 4 hex digits */
export function smb1UidString(uid: number): string {
  return '0x' + (uid & 0xffff).toString(16).padStart(4, '0');
}

/** TreeId → '0x' + 8 hex digits */
export function treeIdString(tid: number): string {
  return '0x' + hex8(tid);
}

/**
 * A 64-bit id (MessageId, FileId) as a map key: its low 53 bits as one JS number. The 11 bits
 * left out are idKeyHi's; whoever stores an entry under idKey keeps idKeyHi beside it and
 * compares it on lookup (TransactionTable, OpenFiles), so ids that fold alike never match.
 */
export function idKey(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 4294967296 + (lo >>> 0);
}

/** the bits of a 64-bit id's high half that idKey leaves out */
export function idKeyHi(hi: number): number {
  return hi >>> 21;
}

/** An SMB2 FileId at b[off..off+16): its volatile half (the open on this connection) as idKey. */
export function smb2FileKeyAt(b: Uint8Array, off: number): number {
  return idKey(u32le(b, off + 12), u32le(b, off + 8));
}

/** idKeyHi of the SMB2 FileId at b[off..off+16) */
export function smb2FileKeyHiAt(b: Uint8Array, off: number): number {
  return idKeyHi(u32le(b, off + 12));
}

/**
 * An SMB1 request's transaction key: the low PID, MID and its (first) command (PIDHigh is the
 * key's keyHi). A response repeats all of them; the command keeps apart requests that reuse one
 * MID while another waits (Metasploit's exploits send everything with MID 0), which PID+MID
 * alone would confuse.
 */
export function smb1TxKey(pid: number, mid: number, command: number): number {
  return ((pid & 0xffff) * 65536 + (mid & 0xffff)) * 256 + (command & 0xff);
}
