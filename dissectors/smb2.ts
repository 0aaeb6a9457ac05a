/**
 * SMB2/3 header and compound chain (MS-SMB2 2.2.1, 3.3.5.2.7), plus re-exports of the body
 * parsers so callers import everything SMB2 from here. Pure functions over a Buffer: no state,
 * no I/O, never throw on hostile bytes, never read outside the buffer.
 */
import { fail, type DissectError } from './result';
import type { Smb2Header } from './smb2-types';
import { SMB2_HEADER_SIZE } from './smb2-body';

export { parseNegotiateRequest, parseNegotiateResponse } from './smb2-negotiate';
export { parseSessionSetupRequest, parseSessionSetupResponse } from './smb2-session';
export { parseTreeConnectRequest, parseTreeConnectResponse } from './smb2-tree';
export {
  parseCreateRequest,
  parseCreateResponse,
  parseCloseRequest,
  parseReadRequest,
  parseReadResponse,
  parseWriteRequest,
  parseWriteResponse,
  parseIoctlRequest,
  parseIoctlResponse,
  dataView,
  parseSetInfoRequest,
} from './smb2-file';
import { u16le, u32le } from '../src/shared/bytes';
export { parseTransformHeader, parseCompressionHeader } from './smb2-transform';
export { SMB2_HEADER_SIZE } from './smb2-body';

export const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
export const SMB2_FLAGS_ASYNC_COMMAND = 0x00000002;
export const SMB2_FLAGS_RELATED_OPERATIONS = 0x00000004;
export const SMB2_FLAGS_SIGNED = 0x00000008;

/** Longest compound chain walked by forEachSmb2 (real clients send a handful). */
export const MAX_COMPOUND = 64;

const ALL_ONES_32 = 0xffffffff;

/** A zeroed header object, for callers that keep one and reuse it. */
export function newSmb2Header(): Smb2Header {
  return {
    offset: 0,
    creditCharge: 0,
    status: 0,
    command: 0,
    credits: 0,
    flags: 0,
    isResponse: false,
    isAsync: false,
    isRelated: false,
    isSigned: false,
    nextCommand: 0,
    messageIdHi: 0,
    messageIdLo: 0,
    asyncIdHi: 0,
    asyncIdLo: 0,
    treeId: 0,
    sessionIdHi: 0,
    sessionIdLo: 0,
  };
}

function reset(out: Smb2Header, off: number): void {
  out.offset = off;
  out.creditCharge = 0;
  out.status = 0;
  out.command = 0;
  out.credits = 0;
  out.flags = 0;
  out.isResponse = false;
  out.isAsync = false;
  out.isRelated = false;
  out.isSigned = false;
  out.nextCommand = 0;
  out.messageIdHi = 0;
  out.messageIdLo = 0;
  out.asyncIdHi = 0;
  out.asyncIdLo = 0;
  out.treeId = 0;
  out.sessionIdHi = 0;
  out.sessionIdLo = 0;
}

/**
 * Parse the 64-byte header at `off` into `out` (reset in place, no allocation).
 * Returns null on success, else a typed error ('truncated_header', 'bad_protocol_id',
 * 'bad_header_size'); `out` is then zeroed apart from `offset`.
 */
export function parseSmb2Header(buf: Buffer, off: number, out: Smb2Header): DissectError | null {
  reset(out, off);
  if (!(off >= 0) || off + SMB2_HEADER_SIZE > buf.length) return fail('truncated_header', 0);
  if (buf[off] !== 0xfe || buf[off + 1] !== 0x53 || buf[off + 2] !== 0x4d || buf[off + 3] !== 0x42) {
    return fail('bad_protocol_id', 0);
  }
  if (u16le(buf, off + 4) !== SMB2_HEADER_SIZE) return fail('bad_header_size', 4);
  const flags = u32le(buf, off + 16);
  out.creditCharge = u16le(buf, off + 6);
  out.status = u32le(buf, off + 8);
  out.command = u16le(buf, off + 12);
  out.credits = u16le(buf, off + 14);
  out.flags = flags;
  out.isResponse = (flags & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
  out.isAsync = (flags & SMB2_FLAGS_ASYNC_COMMAND) !== 0;
  out.isRelated = (flags & SMB2_FLAGS_RELATED_OPERATIONS) !== 0;
  out.isSigned = (flags & SMB2_FLAGS_SIGNED) !== 0;
  out.nextCommand = u32le(buf, off + 20);
  out.messageIdLo = u32le(buf, off + 24);
  out.messageIdHi = u32le(buf, off + 28);
  if (out.isAsync) {
    out.asyncIdLo = u32le(buf, off + 32);
    out.asyncIdHi = u32le(buf, off + 36);
  } else {
    out.treeId = u32le(buf, off + 36);
  }
  out.sessionIdLo = u32le(buf, off + 40);
  out.sessionIdHi = u32le(buf, off + 44);
  return null;
}

/**
 * Offset of the next header of a compound: 0 when `hdr` is the last, -1 when NextCommand is
 * invalid (shorter than a header, so pointing backwards or into this header; not 8-aligned;
 * or the next header would not fit in the buffer).
 */
export function nextSmb2(buf: Buffer, hdr: Smb2Header): number {
  const n = hdr.nextCommand;
  if (n === 0) return 0;
  if (n < SMB2_HEADER_SIZE || (n & 7) !== 0) return -1;
  const next = hdr.offset + n;
  if (next + SMB2_HEADER_SIZE > buf.length) return -1;
  return next;
}

/** End of the message `hdr` inside a compound: the next header's offset, or the buffer end. */
export function smb2MessageEnd(buf: Buffer, hdr: Smb2Header): number {
  const n = hdr.nextCommand;
  if (n === 0) return buf.length;
  const e = hdr.offset + n;
  return e < buf.length ? e : buf.length;
}

/**
 * Walk a compound chain starting with the already parsed `hdr`, calling `cb` for each message
 * (`hdr` is reused: it holds the current message during the call). Related operations
 * (SMB2_FLAGS_RELATED_OPERATIONS) whose SessionId/TreeId are all ones inherit the previous
 * message's values (MS-SMB2 3.3.5.2.7.2); an async-form related message (no TreeId on the
 * wire) inherits the TreeId too. Stops at MAX_COMPOUND messages.
 * Returns null when the chain ended cleanly, else the error that stopped it
 * ('bad_next_command', 'compound_too_long', or a header error of the next message).
 */
export function forEachSmb2(buf: Buffer, hdr: Smb2Header, cb: (hdr: Smb2Header) => void): DissectError | null {
  for (let count = 1; ; count++) {
    cb(hdr);
    const next = nextSmb2(buf, hdr);
    if (next === 0) return null;
    if (next < 0) return fail('bad_next_command', hdr.offset + 20);
    if (count >= MAX_COMPOUND) return fail('compound_too_long', next);
    const sHi = hdr.sessionIdHi;
    const sLo = hdr.sessionIdLo;
    const tid = hdr.treeId;
    const err = parseSmb2Header(buf, next, hdr);
    if (err) return fail(err.reason, next + err.offset);
    if (hdr.isRelated) {
      if (hdr.sessionIdHi === ALL_ONES_32 && hdr.sessionIdLo === ALL_ONES_32) {
        hdr.sessionIdHi = sHi;
        hdr.sessionIdLo = sLo;
      }
      if (hdr.isAsync || hdr.treeId === ALL_ONES_32) hdr.treeId = tid;
    }
  }
}

/** Dialect revision → version string ('2.0.2', '2.1', '3.0', '3.0.2', '3.1.1'); null for 0x02FF and unknown. */
export function dialectName(d: number): string | null {
  switch (d) {
    case 0x0202:
      return '2.0.2';
    case 0x0210:
      return '2.1';
    case 0x0300:
      return '3.0';
    case 0x0302:
      return '3.0.2';
    case 0x0311:
      return '3.1.1';
    default:
      return null;
  }
}
