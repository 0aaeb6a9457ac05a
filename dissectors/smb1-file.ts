/** SMB1 NT_CREATE_ANDX, WRITE_ANDX, READ_ANDX response and CLOSE (MS-CIFS 2.2.4.64, .43, .42, .5). */
import { filetimeSeconds } from './smb2-file';
import { fail, type Result } from './result';
import type {
  Smb1Close,
  Smb1Command,
  Smb1Header,
  Smb1NtCreateRequest,
  Smb1NtCreateResponse,
  Smb1ReadResponse,
  Smb1WriteRequest,
} from './smb1-types';
import { alignUnicode, blockEnd } from './smb1-strings';
import { MAX_STRING_UNITS } from './utf16';

// Same "opened for write" / "delete intent" rules as the SMB2 CREATE parser.
const WRITE_ACCESS = 0x00000002 | 0x00000004 | 0x40000000 | 0x10000000; // WRITE_DATA APPEND_DATA GENERIC_WRITE GENERIC_ALL
const DELETE = 0x00010000;
const FILE_DELETE_ON_CLOSE = 0x00001000;
/** Bytes of written data kept in `head` (enough for magic numbers such as MZ). */
export const WRITE_HEAD_BYTES = 64;

/**
 * WordCount 24. The name is NameLength bytes after a pad byte that aligns unicode names (the
 * name length is clamped to the block; an odd unicode length loses its last byte).
 */
export function parseSmb1NtCreateRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1NtCreateRequest> {
  if (cmd.wordCount !== 24) return fail('smb1_create_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const nameLen = buf.readUInt16LE(p + 5);
  const desiredAccess = buf.readUInt32LE(p + 15);
  const createDisposition = buf.readUInt32LE(p + 35);
  const createOptions = buf.readUInt32LE(p + 39);
  const end = blockEnd(buf, cmd);
  const start = alignUnicode(hdr, cmd.bytesOffset);
  if (start > end) return fail('smb1_create_name_truncated', cmd.bytesOffset - hdr.offset);
  let len = Math.min(nameLen, end - start);
  let name: string;
  if (hdr.unicode) {
    if (len > MAX_STRING_UNITS * 2) len = MAX_STRING_UNITS * 2;
    name = buf.toString('utf16le', start, start + (len & ~1));
  } else {
    if (len > MAX_STRING_UNITS) len = MAX_STRING_UNITS;
    name = buf.toString('latin1', start, start + len);
  }
  const nul = name.indexOf('\0');
  if (nul >= 0) name = name.slice(0, nul);
  return {
    ok: true,
    name,
    desiredAccess,
    createDisposition,
    createOptions,
    openedForWrite: (desiredAccess & WRITE_ACCESS) !== 0,
    deleteIntent: (desiredAccess & DELETE) !== 0 || (createOptions & FILE_DELETE_ON_CLOSE) !== 0,
  };
}

/** WordCount 34 (42 in the MS-SMB extended form): FID at word 2.5, CreateAction after it. */
export function parseSmb1NtCreateResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1NtCreateResponse> {
  if (cmd.wordCount < 34) return fail('smb1_create_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const full = p + 63 <= buf.length;
  return {
    ok: true,
    fid: buf.readUInt16LE(p + 5),
    createAction: buf.readUInt32LE(p + 7),
    // CreationTime, LastAccessTime, LastWriteTime, ChangeTime, ExtFileAttributes, AllocationSize, EndOfFile
    creationTime: full ? filetimeSeconds(buf, p + 11) : 0,
    lastAccessTime: full ? filetimeSeconds(buf, p + 19) : 0,
    lastWriteTime: full ? filetimeSeconds(buf, p + 27) : 0,
    changeTime: full ? filetimeSeconds(buf, p + 35) : 0,
    endOfFile: full ? Number(buf.readBigUInt64LE(p + 55)) : null,
  };
}

/**
 * WordCount 12, or 14 with OffsetHigh. DataLength includes DataLengthHigh (large writes).
 * `head` is the first bytes of data actually present: the message may be truncated on purpose,
 * so a short (even empty) head is not an error; a DataOffset pointing back into the header or
 * parameter words is.
 */
export function parseSmb1WriteRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1WriteRequest> {
  if (cmd.wordCount !== 12 && cmd.wordCount !== 14) return fail('smb1_write_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const fid = buf.readUInt16LE(p + 4);
  let offset = buf.readUInt32LE(p + 6);
  if (cmd.wordCount === 14) offset += buf.readUInt32LE(p + 24) * 0x100000000;
  const dataLength = buf.readUInt16LE(p + 18) * 0x10000 + buf.readUInt16LE(p + 20);
  const dataOffset = buf.readUInt16LE(p + 22);
  const start = hdr.offset + dataOffset;
  if (start < cmd.bytesOffset) return fail('smb1_write_data_offset', p + 22 - hdr.offset);
  let headEnd = start + Math.min(dataLength, WRITE_HEAD_BYTES);
  if (headEnd > buf.length) headEnd = buf.length;
  const head = start < headEnd ? buf.subarray(start, headEnd) : buf.subarray(0, 0);
  return { ok: true, fid, offset, dataLength, dataOffset, head };
}

/** WordCount 12: DataLength (+ DataLengthHigh) and DataOffset of the data read. */
export function parseSmb1ReadResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1ReadResponse> {
  if (cmd.wordCount !== 12) return fail('smb1_read_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const dataLength = buf.readUInt16LE(p + 14) * 0x10000 + buf.readUInt16LE(p + 10);
  return { ok: true, dataLength, dataOffset: buf.readUInt16LE(p + 12) };
}

/** CLOSE request, WordCount 3: FID, LastTimeModified. */
export function parseSmb1Close(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1Close> {
  if (cmd.wordCount < 1) return fail('smb1_close_word_count', cmd.wordsOffset - hdr.offset);
  return { ok: true, fid: buf.readUInt16LE(cmd.paramsOffset) };
}
