/** SMB2 TREE_CONNECT request/response bodies (MS-SMB2 2.2.9, 2.2.9.1, 2.2.10). */
import { fail, type Result } from './result';
import type { Smb2Header, Smb2TreeConnectRequest, Smb2TreeConnectResponse } from './smb2-types';
import { body, clampEnd, span, SMB2_HEADER_SIZE } from './smb2-body';
import { utf16le } from './utf16';

export const SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT = 0x0004;
/** TreeConnectContextOffset(4) TreeConnectContextCount(2) Reserved(10) before PathName */
const EXTENSION_FIXED = 16;

/**
 * TREE_CONNECT request: StructureSize 9, UTF-16LE path "\\server\share".
 *
 * PathOffset is relative to the SMB2 header, also in 3.1.1 when
 * SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT is set: the Buffer then starts with the
 * TREE_CONNECT_Request_Extension (16 fixed bytes) and PathOffset points at its PathName
 * (header + 64 + 8 + 16 = 88 for Windows, Microsoft's protocol test suite and Wireshark).
 * A PathOffset that points inside the extension's fixed part cannot be header-relative, so it
 * is read as relative to the extension start (some implementations encode it that way).
 */
export function parseTreeConnectRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2TreeConnectRequest> {
  const b = body(buf, hdr, end, 9, 8);
  if (typeof b !== 'number') return b;
  const e = clampEnd(buf, end);
  const flags = buf.readUInt16LE(b + 2);
  let pathOff = buf.readUInt16LE(b + 4);
  const pathLen = buf.readUInt16LE(b + 6);
  if ((pathLen & 1) !== 0) return fail('odd_utf16_length', SMB2_HEADER_SIZE + 6);
  if ((flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT) !== 0) {
    const extRel = SMB2_HEADER_SIZE + 8; // the extension starts at Buffer
    if (hdr.offset + extRel + EXTENSION_FIXED > e) return fail('truncated_tree_connect_extension', extRel);
    if (pathOff < extRel + EXTENSION_FIXED) pathOff += extRel;
  }
  const s = span(hdr, e, pathOff, pathLen);
  if (s < 0) return fail('path_out_of_bounds', SMB2_HEADER_SIZE + 4);
  const path = utf16le(buf, s, pathLen);
  if (path === null) return fail('path_out_of_bounds', SMB2_HEADER_SIZE + 4);
  return { ok: true, flags, path };
}

/** TREE_CONNECT response: StructureSize 16; ShareType 1 disk, 2 pipe, 3 print. */
export function parseTreeConnectResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2TreeConnectResponse> {
  const b = body(buf, hdr, end, 16, 16);
  if (typeof b !== 'number') return b;
  return {
    ok: true,
    shareType: buf[b + 2]!,
    shareFlags: buf.readUInt32LE(b + 4),
    capabilities: buf.readUInt32LE(b + 8),
    maximalAccess: buf.readUInt32LE(b + 12),
  };
}
