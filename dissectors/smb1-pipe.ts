/**
 * SMB1 named-pipe data (DCE/RPC carried over SMB1): TRANSACTION with the TransactNmPipe setup
 * (MS-CIFS 2.2.5.6) and the data windows of WRITE_ANDX requests / READ_ANDX responses.
 * Views only; a window that does not fit the message is null (cut by a snaplen or gap).
 */
import { fail, type Result } from './result';
import type { Smb1Command, Smb1Header } from './smb1-types';

/** TRANS_TRANSACT_NMPIPE: write a pipe message and read the answer in one transaction */
export const TRANS_TRANSACT_NMPIPE = 0x0026;

export interface Smb1TransactionRequest {
  /** Setup[0], the subcommand (0x26 TransactNmPipe) */
  readonly subcommand: number;
  /** Setup[1]: the pipe FID for named-pipe subcommands */
  readonly fid: number;
  /** the transaction's data bytes in this message, or null when not all present */
  readonly data: Buffer | null;
}

export interface Smb1TransactionResponse {
  readonly data: Buffer | null;
}

function window(buf: Buffer, hdr: Smb1Header, off: number, count: number): Buffer | null {
  const start = hdr.offset + off;
  if (count === 0) return buf.subarray(0, 0);
  if (off === 0 || start + count > buf.length) return null;
  return buf.subarray(start, start + count);
}

/** TRANSACTION request: WordCount 14 + SetupCount. */
export function parseSmb1TransactionRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1TransactionRequest> {
  if (cmd.wordCount < 14) return fail('smb1_trans_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const setupCount = buf[p + 26]!;
  if (cmd.wordCount !== 14 + setupCount || setupCount < 2) return fail('smb1_trans_setup_count', p + 26 - hdr.offset);
  const dataCount = buf.readUInt16LE(p + 22);
  const dataOffset = buf.readUInt16LE(p + 24);
  return {
    ok: true,
    subcommand: buf.readUInt16LE(p + 28),
    fid: buf.readUInt16LE(p + 30),
    data: window(buf, hdr, dataOffset, dataCount),
  };
}

/** TRANSACTION response: WordCount 10 + SetupCount. */
export function parseSmb1TransactionResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1TransactionResponse> {
  if (cmd.wordCount < 10) return fail('smb1_trans_word_count', cmd.wordsOffset - hdr.offset);
  const p = cmd.paramsOffset;
  const dataCount = buf.readUInt16LE(p + 12);
  const dataOffset = buf.readUInt16LE(p + 14);
  return { ok: true, data: window(buf, hdr, dataOffset, dataCount) };
}

/** The whole data window of a WRITE_ANDX request / READ_ANDX response (offset from the header). */
export function smb1DataView(buf: Buffer, hdr: Smb1Header, dataOffset: number, dataLength: number): Buffer | null {
  return window(buf, hdr, dataOffset, dataLength);
}

/**
 * Pipe writes in message mode with WriteMode's RAW bit carry a 2-byte message length before the
 * PDU (MS-CIFS 2.2.4.43.1): drop it when the PDU's version bytes follow it.
 */
export function stripPipeMessageLength(data: Buffer): Buffer {
  if (data.length > 4 && data[0] !== 5 && data[2] === 5 && data[3] === 0) return data.subarray(2);
  return data;
}
