/** SMB2 SESSION_SETUP request/response bodies (MS-SMB2 2.2.5, 2.2.6). */
import { fail, type Result } from './result';
import type { Smb2Header, Smb2SessionSetupRequest, Smb2SessionSetupResponse } from './smb2-types';
import { body, clampEnd, span, SMB2_HEADER_SIZE } from './smb2-body';

/** SESSION_SETUP request: StructureSize 25; the security buffer is a view into `buf`. */
export function parseSessionSetupRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2SessionSetupRequest> {
  const b = body(buf, hdr, end, 25, 24);
  if (typeof b !== 'number') return b;
  const secOff = buf.readUInt16LE(b + 12);
  const secLen = buf.readUInt16LE(b + 14);
  const s = span(hdr, clampEnd(buf, end), secOff, secLen);
  if (s < 0) return fail('security_buffer_out_of_bounds', SMB2_HEADER_SIZE + 12);
  return {
    ok: true,
    flags: buf[b + 2]!,
    securityMode: buf[b + 3]!,
    capabilities: buf.readUInt32LE(b + 4),
    previousSessionIdLo: buf.readUInt32LE(b + 16),
    previousSessionIdHi: buf.readUInt32LE(b + 20),
    securityBuffer: buf.subarray(s, s + secLen),
  };
}

/**
 * SESSION_SETUP response: StructureSize 9 (like the ERROR body, so failures other than
 * STATUS_MORE_PROCESSING_REQUIRED give 'error_response'). SessionFlags: 1 guest, 2 null, 4 encrypt.
 */
export function parseSessionSetupResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2SessionSetupResponse> {
  const b = body(buf, hdr, end, 9, 8);
  if (typeof b !== 'number') return b;
  const secOff = buf.readUInt16LE(b + 4);
  const secLen = buf.readUInt16LE(b + 6);
  const s = span(hdr, clampEnd(buf, end), secOff, secLen);
  if (s < 0) return fail('security_buffer_out_of_bounds', SMB2_HEADER_SIZE + 4);
  return {
    ok: true,
    sessionFlags: buf.readUInt16LE(b + 2),
    securityBuffer: buf.subarray(s, s + secLen),
  };
}
