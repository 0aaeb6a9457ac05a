/**
 * SMB1 / CIFS header and AndX chains (MS-CIFS 2.2.3.1, 2.2.3.4), plus re-exports of the command
 * parsers so callers import everything SMB1 from here. Pure functions over a Buffer: no state,
 * no I/O, never throw on hostile bytes, never read outside the buffer.
 *
 * Offsets in Smb1Command are buffer offsets; the message starts at hdr.offset (0 when the buffer
 * is one message, as the tracker passes it). AndXOffset and DataOffset fields count from
 * hdr.offset. The message ends at buf.length.
 */
import { fail, type DissectError } from './result';
import type { Smb1Command, Smb1Header } from './smb1-types';

export { parseSmb1NegotiateRequest, parseSmb1NegotiateResponse } from './smb1-negotiate';
export { parseSmb1SessionSetupRequest, parseSmb1SessionSetupResponse } from './smb1-session';
export { parseSmb1TreeConnectRequest, parseSmb1TreeConnectResponse } from './smb1-tree';
export {
  parseSmb1NtCreateRequest,
  parseSmb1NtCreateResponse,
  parseSmb1WriteRequest,
  parseSmb1ReadResponse,
  parseSmb1Close,
} from './smb1-file';

export const SMB1_HEADER_SIZE = 32;
export const SMB1_FLAGS_REPLY = 0x80;
export const SMB1_FLAGS2_UNICODE = 0x8000;
export const SMB1_FLAGS2_NT_STATUS = 0x4000;
export const SMB1_FLAGS2_EXTENDED_SECURITY = 0x0800;

/** Longest AndX chain walked (real clients chain 2 or 3; zeek's test chains 12). */
export const MAX_ANDX_CHAIN = 32;

/** A zeroed header object, for callers that keep one and reuse it. */
export function newSmb1Header(): Smb1Header {
  return {
    offset: 0,
    command: 0,
    status: 0,
    ntStatus: false,
    dosClass: 0,
    dosCode: 0,
    flags: 0,
    flags2: 0,
    isResponse: false,
    unicode: false,
    tid: 0,
    pid: 0,
    uid: 0,
    mid: 0,
  };
}

/** A zeroed command object. */
export function newSmb1Command(): Smb1Command {
  return { command: 0, wordsOffset: 0, wordCount: 0, paramsOffset: 0, byteCount: 0, bytesOffset: 0 };
}

/** SMB1 commands whose parameter words start with AndXCommand/AndXReserved/AndXOffset. */
export function isAndX(command: number): boolean {
  switch (command) {
    case 0x24: // LOCKING_ANDX
    case 0x2d: // OPEN_ANDX
    case 0x2e: // READ_ANDX
    case 0x2f: // WRITE_ANDX
    case 0x73: // SESSION_SETUP_ANDX
    case 0x74: // LOGOFF_ANDX
    case 0x75: // TREE_CONNECT_ANDX
    case 0xa2: // NT_CREATE_ANDX
      return true;
    default:
      return false;
  }
}

/** "0x" + 4 hex digits: how an SMB1 UID is shown as a session id. */
export function smb1SessionIdString(uid: number): string {
  return '0x' + (uid & 0xffff).toString(16).padStart(4, '0');
}

/**
 * Parse the 32-byte header at buf[off]. Resets every field of `out` first, so a reused object
 * never carries values from the previous message.
 */
export function parseSmb1Header(buf: Buffer, off: number, out: Smb1Header): DissectError | null {
  out.offset = off;
  out.command = 0;
  out.status = 0;
  out.ntStatus = false;
  out.dosClass = 0;
  out.dosCode = 0;
  out.flags = 0;
  out.flags2 = 0;
  out.isResponse = false;
  out.unicode = false;
  out.tid = 0;
  out.pid = 0;
  out.uid = 0;
  out.mid = 0;
  if (off < 0 || off + SMB1_HEADER_SIZE > buf.length) return fail('smb1_header_truncated', 0);
  if (buf[off] !== 0xff || buf[off + 1] !== 0x53 || buf[off + 2] !== 0x4d || buf[off + 3] !== 0x42) {
    return fail('smb1_bad_magic', 0);
  }
  out.command = buf[off + 4]!;
  const flags2 = buf.readUInt16LE(off + 10);
  out.flags = buf[off + 9]!;
  out.flags2 = flags2;
  out.isResponse = (out.flags & SMB1_FLAGS_REPLY) !== 0;
  out.unicode = (flags2 & SMB1_FLAGS2_UNICODE) !== 0;
  // raw field: NT status, or DOS ErrorClass(1) Reserved(1) ErrorCode(2)
  out.status = buf.readUInt32LE(off + 5);
  out.ntStatus = (flags2 & SMB1_FLAGS2_NT_STATUS) !== 0;
  if (!out.ntStatus) {
    out.dosClass = buf[off + 5]!;
    out.dosCode = buf.readUInt16LE(off + 7);
  }
  out.pid = ((buf.readUInt16LE(off + 12) << 16) | buf.readUInt16LE(off + 26)) >>> 0;
  out.tid = buf.readUInt16LE(off + 24);
  out.uid = buf.readUInt16LE(off + 28);
  out.mid = buf.readUInt16LE(off + 30);
  return null;
}

/**
 * Fill `cmd` with the block whose WordCount byte is at `pos`. The parameter words must be in the
 * buffer; the ByteCount may be missing only when WordCount is 0 (error responses), and the data
 * bytes may run past the buffer (a message truncated on purpose by the reassembler).
 */
function readBlock(buf: Buffer, hdr: Smb1Header, pos: number, command: number, cmd: Smb1Command): DissectError | null {
  const rel = pos - hdr.offset;
  if (pos >= buf.length) return fail('smb1_words_truncated', rel);
  const wc = buf[pos]!;
  cmd.command = command;
  cmd.wordsOffset = pos;
  cmd.wordCount = wc;
  cmd.paramsOffset = pos + 1;
  const bcc = pos + 1 + wc * 2;
  cmd.bytesOffset = bcc + 2;
  cmd.byteCount = 0;
  if (bcc + 2 > buf.length) {
    if (wc === 0 && bcc === buf.length) {
      cmd.bytesOffset = bcc;
      return null;
    }
    return fail(bcc > buf.length ? 'smb1_words_truncated' : 'smb1_bytecount_truncated', rel);
  }
  cmd.byteCount = buf.readUInt16LE(bcc);
  return null;
}

/**
 * Walk the commands of the message: one callback for a non-AndX command, one per block of an
 * AndX chain. `cmd` is reused between callbacks (copy it to keep it). The loop guard: each
 * AndXOffset must point past the previous block's ByteCount field (strictly forward; Samba's
 * rule, which allows OS/2's interleaved WRITE_ANDX/READ_ANDX layout), stay inside the message,
 * and the chain is capped at MAX_ANDX_CHAIN. On a bad link the blocks before it have already
 * been reported and the error is returned.
 */
export function walkAndX(buf: Buffer, hdr: Smb1Header, cb: (cmd: Smb1Command) => void, cmd: Smb1Command = newSmb1Command()): DissectError | null {
  let pos = hdr.offset + SMB1_HEADER_SIZE;
  let command = hdr.command;
  for (let n = 0; ; n++) {
    if (n >= MAX_ANDX_CHAIN) return fail('smb1_andx_chain_too_long', pos - hdr.offset);
    const err = readBlock(buf, hdr, pos, command, cmd);
    if (err) return err;
    cb(cmd);
    // Not AndX, or an error response without parameter words: the chain ends here.
    if (!isAndX(command) || cmd.wordCount < 2) return null;
    const next = buf[cmd.paramsOffset]!;
    if (next === 0xff) return null;
    const andxOffset = buf.readUInt16LE(cmd.paramsOffset + 2);
    const nextPos = hdr.offset + andxOffset;
    if (nextPos < cmd.paramsOffset + cmd.wordCount * 2 + 2) return fail('smb1_andx_no_advance', cmd.paramsOffset + 2 - hdr.offset);
    if (nextPos >= buf.length) return fail('smb1_andx_out_of_bounds', cmd.paramsOffset + 2 - hdr.offset);
    pos = nextPos;
    command = next;
  }
}
