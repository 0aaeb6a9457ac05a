/**
 * SMB 3.x TRANSFORM header (0xFD 'SMB', MS-SMB2 2.2.41) and SMB 3.1.1 COMPRESSION_TRANSFORM
 * header (0xFC 'SMB', 2.2.42). Only the clear-text header is read: the payload is encrypted
 * or compressed.
 */
import { fail, type Result } from './result';
import type { Smb2CompressionHeader, Smb2TransformHeader } from './smb2-types';

export const SMB2_TRANSFORM_HEADER_SIZE = 52;
export const SMB2_COMPRESSION_HEADER_SIZE = 16;

/** TRANSFORM header at `off`: signature, nonce, OriginalMessageSize, Flags, SessionId. */
export function parseTransformHeader(buf: Buffer, off: number): Result<Smb2TransformHeader> {
  if (!(off >= 0) || off + SMB2_TRANSFORM_HEADER_SIZE > buf.length) return fail('truncated_transform_header', 0);
  if (buf[off] !== 0xfd || buf[off + 1] !== 0x53 || buf[off + 2] !== 0x4d || buf[off + 3] !== 0x42) {
    return fail('bad_protocol_id', 0);
  }
  return {
    ok: true,
    signature: buf.subarray(off + 4, off + 20),
    nonce: buf.subarray(off + 20, off + 36),
    originalMessageSize: buf.readUInt32LE(off + 36),
    flags: buf.readUInt16LE(off + 42),
    sessionIdLo: buf.readUInt32LE(off + 44),
    sessionIdHi: buf.readUInt32LE(off + 48),
  };
}

/** COMPRESSION_TRANSFORM header at `off` (unchained: Offset; chained: Length of the first payload). */
export function parseCompressionHeader(buf: Buffer, off: number): Result<Smb2CompressionHeader> {
  if (!(off >= 0) || off + SMB2_COMPRESSION_HEADER_SIZE > buf.length) return fail('truncated_compression_header', 0);
  if (buf[off] !== 0xfc || buf[off + 1] !== 0x53 || buf[off + 2] !== 0x4d || buf[off + 3] !== 0x42) {
    return fail('bad_protocol_id', 0);
  }
  return {
    ok: true,
    originalCompressedSegmentSize: buf.readUInt32LE(off + 4),
    compressionAlgorithm: buf.readUInt16LE(off + 8),
    flags: buf.readUInt16LE(off + 10),
    offsetOrLength: buf.readUInt32LE(off + 12),
  };
}
