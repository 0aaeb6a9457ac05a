/**
 * Shared bounds checks for SMB2 body parsers. A body starts right after the 64-byte header
 * (hdr.offset + 64) and must end by `end` (the next header of a compound, or the buffer end).
 * Offsets inside bodies (security buffers, names, data) are relative to the header start.
 */
import { fail, type DissectError } from './result';
import type { Smb2Header } from './smb2-types';
import { u16le, u32le } from '../src/shared/bytes';

export const SMB2_HEADER_SIZE = 64;
/** StructureSize of the SMB2 ERROR response (MS-SMB2 2.2.2) */
export const ERROR_RESPONSE_SIZE = 9;

const STATUS_PENDING = 0x00000103;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;

/** Clamp a caller-supplied end to the buffer and the header. */
export function clampEnd(buf: Buffer, end: number): number {
  if (!(end <= buf.length)) end = buf.length; // also catches NaN
  return end;
}

/**
 * Validate the fixed part of a body: returns the body offset, or a typed error.
 * `structureSize` is the value the spec mandates; `fixed` the bytes that must be present.
 * On responses an ERROR body (StructureSize 9) is reported as 'error_response'; for
 * SESSION_SETUP responses (whose own size is 9) the status decides.
 */
export function body(buf: Buffer, hdr: Smb2Header, end: number, structureSize: number, fixed: number): number | DissectError {
  const e = clampEnd(buf, end);
  const b = hdr.offset + SMB2_HEADER_SIZE;
  if (hdr.offset < 0 || b + 2 > e) return fail('truncated_body', SMB2_HEADER_SIZE);
  const size = u16le(buf, b);
  if (hdr.isResponse && size === ERROR_RESPONSE_SIZE && isErrorStatus(hdr.status, structureSize)) {
    return fail('error_response', SMB2_HEADER_SIZE);
  }
  if (size !== structureSize) return fail('bad_structure_size', SMB2_HEADER_SIZE);
  if (b + fixed > e) return fail('truncated_body', SMB2_HEADER_SIZE);
  return b;
}

function isErrorStatus(status: number, structureSize: number): boolean {
  if (structureSize !== ERROR_RESPONSE_SIZE) return status !== 0; // size 9 here can only be an ERROR body
  // SESSION_SETUP response is also 9 bytes: success and MORE_PROCESSING carry the real body
  return status !== 0 && status !== STATUS_MORE_PROCESSING_REQUIRED && (status === STATUS_PENDING || status >>> 30 >= 2);
}

/**
 * Check that [hdr.offset + off, + len) lies inside the message body, i.e. after the header and
 * before `end`. Returns the absolute start, or -1. A zero length is accepted anywhere.
 */
export function span(hdr: Smb2Header, end: number, off: number, len: number): number {
  if (len === 0) return hdr.offset + SMB2_HEADER_SIZE;
  const start = hdr.offset + off;
  if (off < SMB2_HEADER_SIZE || start + len > end) return -1;
  return start;
}

/** uint64 little-endian as a JS number (exact below 2^53, which covers file sizes and offsets). */
export function u64(buf: Buffer, off: number): number {
  return u32le(buf, off + 4) * 0x100000000 + u32le(buf, off);
}
