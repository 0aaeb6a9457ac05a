/**
 * SMB2 file-level bodies: CREATE (2.2.13/2.2.14), CLOSE (2.2.15), READ (2.2.19/2.2.20),
 * WRITE (2.2.21/2.2.22), IOCTL (2.2.31). READ responses and WRITE requests may be cut on
 * purpose after their data's first bytes (see skip-policy.ts): `head` is whatever part of the
 * data is present, up to DATA_HEAD_BYTES, and `dataLength` always comes from the header field.
 */
import { fail, type Result } from './result';
import type {
  Smb2CreateRequest,
  Smb2CreateResponse,
  Smb2FileIdOnly,
  Smb2Header,
  Smb2IoctlRequest,
  Smb2IoctlResponse,
  Smb2ReadRequest,
  Smb2ReadResponse,
  Smb2SetInfoRequest,
  Smb2WriteRequest,
  Smb2WriteResponse,
} from './smb2-types';
import { body, clampEnd, span, u64, SMB2_HEADER_SIZE } from './smb2-body';
import { utf16le } from './utf16';
import { DATA_HEAD_BYTES } from './skip-policy';
import { u16le, u32le } from '../src/shared/bytes';

// DesiredAccess bits (MS-SMB2 2.2.13.1.1, MS-DTYP 2.4.3)
export const FILE_WRITE_DATA = 0x00000002;
export const FILE_APPEND_DATA = 0x00000004;
export const DELETE = 0x00010000;
export const GENERIC_ALL = 0x10000000;
export const GENERIC_WRITE = 0x40000000;
/**
 * Rights that let the open change file contents. Metadata-only rights (FILE_WRITE_EA,
 * FILE_WRITE_ATTRIBUTES, WRITE_DAC, WRITE_OWNER) and MAXIMUM_ALLOWED are left out on purpose:
 * Windows Explorer and AV scanners ask for them on files they never write.
 */
export const WRITE_ACCESS_MASK = FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL;
// CreateOptions (2.2.13)
export const FILE_DELETE_ON_CLOSE = 0x00001000;

/** CREATE request: StructureSize 57, UTF-16LE name relative to the share. */
export function parseCreateRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2CreateRequest> {
  const b = body(buf, hdr, end, 57, 56);
  if (typeof b !== 'number') return b;
  const nameOff = u16le(buf, b + 44);
  const nameLen = u16le(buf, b + 46);
  if ((nameLen & 1) !== 0) return fail('odd_utf16_length', SMB2_HEADER_SIZE + 46);
  const s = span(hdr, clampEnd(buf, end), nameOff, nameLen);
  if (s < 0) return fail('name_out_of_bounds', SMB2_HEADER_SIZE + 44);
  const name = utf16le(buf, s, nameLen);
  if (name === null) return fail('name_out_of_bounds', SMB2_HEADER_SIZE + 44);
  const desiredAccess = u32le(buf, b + 24);
  const createOptions = u32le(buf, b + 40);
  return {
    ok: true,
    desiredAccess,
    fileAttributes: u32le(buf, b + 28),
    shareAccess: u32le(buf, b + 32),
    createDisposition: u32le(buf, b + 36),
    createOptions,
    name,
    openedForWrite: (desiredAccess & WRITE_ACCESS_MASK) !== 0,
    deleteIntent: (desiredAccess & DELETE) !== 0 || (createOptions & FILE_DELETE_ON_CLOSE) !== 0,
  };
}

/** CREATE response: StructureSize 89; CreateAction 0 superseded, 1 opened, 2 created, 3 overwritten. */
export function parseCreateResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2CreateResponse> {
  const b = body(buf, hdr, end, 89, 88);
  if (typeof b !== 'number') return b;
  return {
    ok: true,
    createAction: u32le(buf, b + 4),
    fileId: buf.subarray(b + 64, b + 80),
    endOfFile: u64(buf, b + 48),
    creationTime: filetimeSeconds(buf, b + 8),
    lastAccessTime: filetimeSeconds(buf, b + 16),
    lastWriteTime: filetimeSeconds(buf, b + 24),
    changeTime: filetimeSeconds(buf, b + 32),
  };
}

/**
 * A FILETIME as epoch seconds, computed as Zeek does (uint64 → double, / 1e7, - 11644473600), so
 * logged MAC times agree with Zeek's to the last digit.
 */
export function filetimeSeconds(buf: Buffer, off: number): number {
  // hi * 2^32 is exact in a double and the one addition rounds to nearest-even, exactly as the
  // uint64 → double conversion (Number(BigInt)) does, without two BigInts per field
  const ft = u32le(buf, off + 4) * 4294967296 + u32le(buf, off);
  return ft / 10000000.0 - 11644473600.0;
}

const SMB2_0_INFO_FILE = 1;
const FILE_RENAME_INFORMATION = 10;
const FILE_DISPOSITION_INFORMATION = 13;
const FILE_DISPOSITION_INFORMATION_EX = 64;

/** SET_INFO request: StructureSize 33; the buffer is read for delete and rename only. */
export function parseSetInfoRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2SetInfoRequest> {
  const b = body(buf, hdr, end, 33, 32);
  if (typeof b !== 'number') return b;
  const infoType = buf[b + 2]!;
  const fileInfoClass = buf[b + 3]!;
  const len = u32le(buf, b + 4);
  const off = u16le(buf, b + 8);
  const out: Smb2SetInfoRequest = {
    infoType,
    fileInfoClass,
    fileId: buf.subarray(b + 16, b + 32),
    deletePending: false,
    newName: null,
  };
  if (infoType !== SMB2_0_INFO_FILE) return { ok: true, ...out };
  const s = span(hdr, clampEnd(buf, end), off, len);
  if (fileInfoClass === FILE_DISPOSITION_INFORMATION || fileInfoClass === FILE_DISPOSITION_INFORMATION_EX) {
    if (s < 0 || len < 1) return fail('set_info_out_of_bounds', SMB2_HEADER_SIZE + 8);
    out.deletePending = (buf[s]! & 1) !== 0;
  } else if (fileInfoClass === FILE_RENAME_INFORMATION) {
    // ReplaceIfExists(1) Reserved(7) RootDirectory(8) FileNameLength(4) FileName
    if (s < 0 || len < 20) return fail('set_info_out_of_bounds', SMB2_HEADER_SIZE + 8);
    const nameLen = u32le(buf, s + 16);
    if ((nameLen & 1) !== 0 || nameLen > len - 20) return fail('rename_name_out_of_bounds', SMB2_HEADER_SIZE + 8);
    out.newName = utf16le(buf, s + 20, nameLen);
  }
  return { ok: true, ...out };
}

/** CLOSE request: StructureSize 24, FileId. */
export function parseCloseRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2FileIdOnly> {
  const b = body(buf, hdr, end, 24, 24);
  if (typeof b !== 'number') return b;
  return { ok: true, fileId: buf.subarray(b + 8, b + 24) };
}

/** READ request: StructureSize 49 (the 1-byte buffer is optional in practice). */
export function parseReadRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2ReadRequest> {
  const b = body(buf, hdr, end, 49, 48);
  if (typeof b !== 'number') return b;
  return {
    ok: true,
    length: u32le(buf, b + 4),
    offset: u64(buf, b + 8),
    fileId: buf.subarray(b + 16, b + 32),
  };
}

/**
 * The data's first bytes present in the message: [hdr.offset + dataOff, ...) capped at
 * DATA_HEAD_BYTES, the declared length and `end`. Empty when the message was cut before it.
 */
function head(buf: Buffer, hdr: Smb2Header, end: number, dataOff: number, dataLen: number): Buffer {
  const start = hdr.offset + dataOff;
  let stop = start + (dataLen < DATA_HEAD_BYTES ? dataLen : DATA_HEAD_BYTES);
  if (stop > end) stop = end;
  if (start >= stop) return buf.subarray(end, end);
  return buf.subarray(start, stop);
}

/** READ response: StructureSize 17; DataOffset is one byte, relative to the header. */
export function parseReadResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2ReadResponse> {
  const b = body(buf, hdr, end, 17, 16);
  if (typeof b !== 'number') return b;
  const dataOffset = buf[b + 2]!;
  const dataLength = u32le(buf, b + 4);
  if (dataLength > 0 && dataOffset < SMB2_HEADER_SIZE + 16) return fail('bad_data_offset', SMB2_HEADER_SIZE + 2);
  return { ok: true, dataOffset, dataLength, head: head(buf, hdr, clampEnd(buf, end), dataOffset, dataLength) };
}

/** WRITE request: StructureSize 49; DataOffset (2 bytes) relative to the header. */
export function parseWriteRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2WriteRequest> {
  const b = body(buf, hdr, end, 49, 48);
  if (typeof b !== 'number') return b;
  const dataOffset = u16le(buf, b + 2);
  const dataLength = u32le(buf, b + 4);
  if (dataLength > 0 && dataOffset < SMB2_HEADER_SIZE + 48) return fail('bad_data_offset', SMB2_HEADER_SIZE + 2);
  return {
    ok: true,
    dataOffset,
    dataLength,
    offset: u64(buf, b + 8),
    fileId: buf.subarray(b + 16, b + 32),
    head: head(buf, hdr, clampEnd(buf, end), dataOffset, dataLength),
  };
}

/** WRITE response: StructureSize 17, Count = bytes written. */
export function parseWriteResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2WriteResponse> {
  const b = body(buf, hdr, end, 17, 8);
  if (typeof b !== 'number') return b;
  return { ok: true, count: u32le(buf, b + 4) };
}

/** IOCTL request: StructureSize 57, CtlCode (FSCTL_*), FileId, InputCount. */
export function parseIoctlRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2IoctlRequest> {
  const b = body(buf, hdr, end, 57, 56);
  if (typeof b !== 'number') return b;
  return {
    ok: true,
    ctlCode: u32le(buf, b + 4),
    fileId: buf.subarray(b + 8, b + 24),
    inputOffset: u32le(buf, b + 24),
    inputCount: u32le(buf, b + 28),
  };
}

/** IOCTL response: StructureSize 49; OutputOffset/OutputCount of the answer's buffer. */
export function parseIoctlResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2IoctlResponse> {
  const b = body(buf, hdr, end, 49, 48);
  if (typeof b !== 'number') return b;
  return {
    ok: true,
    ctlCode: u32le(buf, b + 4),
    fileId: buf.subarray(b + 8, b + 24),
    outputOffset: u32le(buf, b + 32),
    outputCount: u32le(buf, b + 36),
  };
}

/**
 * The whole data buffer [hdr.offset + dataOff, + dataLen) as a view, or null when the message
 * does not hold all of it (cut on purpose, or by a snaplen/gap) or the offset points outside.
 * Named-pipe data (DCE/RPC) is read this way; file data never is.
 */
export function dataView(buf: Buffer, hdr: Smb2Header, end: number, dataOff: number, dataLen: number): Buffer | null {
  const e = clampEnd(buf, end);
  const start = hdr.offset + dataOff;
  if (dataLen === 0) return buf.subarray(e, e);
  if (dataOff < SMB2_HEADER_SIZE || start + dataLen > e) return null;
  return buf.subarray(start, start + dataLen);
}
