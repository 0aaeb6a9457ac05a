/** SMB1 NEGOTIATE (MS-CIFS 2.2.4.52, MS-SMB 2.2.4.5). */
import { fail, type Result } from './result';
import type { Smb1Command, Smb1Header, Smb1NegotiateRequest, Smb1NegotiateResponse } from './smb1-types';
import { blockEnd, readZ, zNext } from './smb1-strings';

const CAP_EXTENDED_SECURITY = 0x80000000;
/** More dialects than any client offers (Windows sends about a dozen). */
const MAX_DIALECTS = 64;

/** Dialect strings: each is a 0x02 BufferFormat byte then an OEM NUL-terminated name. */
export function parseSmb1NegotiateRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1NegotiateRequest> {
  const end = blockEnd(buf, cmd);
  const dialects: string[] = [];
  let p = cmd.bytesOffset;
  while (p < end) {
    if (buf[p] !== 0x02) return fail('smb1_negotiate_bad_buffer_format', p - hdr.offset);
    if (dialects.length >= MAX_DIALECTS) return fail('smb1_negotiate_too_many_dialects', p - hdr.offset);
    const s = readZ(buf, p + 1, end, false);
    if (s === null) break;
    dialects.push(s);
    p = zNext;
  }
  return { ok: true, dialects };
}

/**
 * WordCount 17: NT LM 0.12 (capabilities, extended security); 13: LANMAN (no capabilities);
 * 1: DialectIndex only (0xFFFF: no dialect accepted).
 */
export function parseSmb1NegotiateResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1NegotiateResponse> {
  const p = cmd.paramsOffset;
  if (cmd.wordCount < 1) return fail('smb1_negotiate_word_count', cmd.wordsOffset - hdr.offset);
  const dialectIndex = buf.readUInt16LE(p);
  if (cmd.wordCount >= 17) {
    const capabilities = buf.readUInt32LE(p + 19);
    return {
      ok: true,
      dialectIndex,
      securityMode: buf[p + 2]!,
      capabilities,
      extendedSecurity: (capabilities & CAP_EXTENDED_SECURITY) !== 0,
    };
  }
  const securityMode = cmd.wordCount >= 13 ? buf.readUInt16LE(p + 2) : 0;
  return { ok: true, dialectIndex, securityMode, capabilities: 0, extendedSecurity: false };
}
