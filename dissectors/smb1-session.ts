/** SMB1 SESSION_SETUP_ANDX (MS-CIFS 2.2.4.53, MS-SMB 2.2.4.6). */
import { fail, type Result } from './result';
import type { Smb1Command, Smb1Header, Smb1SessionSetupRequest, Smb1SessionSetupResponse } from './smb1-types';
import { alignUnicode, blockEnd, readZ, zNext } from './smb1-strings';

/**
 * WordCount 12: extended security (the security blob, then NativeOS/NativeLanMan);
 * 13: NT LM 0.12 plain logon (OEM and Unicode passwords, pad, AccountName, PrimaryDomain, NativeOS);
 * 10: LANMAN 2.1 (one password, then the same strings).
 */
export function parseSmb1SessionSetupRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1SessionSetupRequest> {
  const p = cmd.paramsOffset;
  const end = blockEnd(buf, cmd);
  const wc = cmd.wordCount;
  if (wc === 12) {
    const blobLen = buf.readUInt16LE(p + 14);
    if (blobLen > cmd.byteCount) return fail('smb1_session_blob_length', p + 14 - hdr.offset);
    // a blob cut by a truncated message is returned as far as it goes
    const blobEnd = Math.min(cmd.bytesOffset + blobLen, buf.length);
    const securityBlob = buf.subarray(Math.min(cmd.bytesOffset, blobEnd), blobEnd);
    const nativeOs = readZ(buf, alignUnicode(hdr, cmd.bytesOffset + blobLen), end, hdr.unicode);
    return { ok: true, securityBlob, account: null, domain: null, nativeOs };
  }
  let pos: number;
  if (wc === 13) {
    const oemLen = buf.readUInt16LE(p + 14);
    const uniLen = buf.readUInt16LE(p + 16);
    pos = cmd.bytesOffset + oemLen + uniLen;
  } else if (wc === 10) {
    pos = cmd.bytesOffset + buf.readUInt16LE(p + 14);
  } else {
    return fail('smb1_session_word_count', cmd.wordsOffset - hdr.offset);
  }
  if (pos > end) return fail('smb1_session_password_length', p + 14 - hdr.offset);
  pos = alignUnicode(hdr, pos);
  const account = readZ(buf, pos, end, hdr.unicode);
  const domain = readZ(buf, zNext, end, hdr.unicode);
  const nativeOs = readZ(buf, zNext, end, hdr.unicode);
  return { ok: true, securityBlob: null, account, domain, nativeOs };
}

/** WordCount 4: extended security (Action, blob); 3: plain (Action). Action bit 0: guest. */
export function parseSmb1SessionSetupResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1SessionSetupResponse> {
  const p = cmd.paramsOffset;
  if (cmd.wordCount === 4) {
    const blobLen = buf.readUInt16LE(p + 6);
    if (blobLen > cmd.byteCount) return fail('smb1_session_blob_length', p + 6 - hdr.offset);
    const blobEnd = Math.min(cmd.bytesOffset + blobLen, buf.length);
    return { ok: true, action: buf.readUInt16LE(p + 4), securityBlob: buf.subarray(Math.min(cmd.bytesOffset, blobEnd), blobEnd) };
  }
  if (cmd.wordCount === 3) return { ok: true, action: buf.readUInt16LE(p + 4), securityBlob: null };
  return fail('smb1_session_word_count', cmd.wordsOffset - hdr.offset);
}
