/** SMB1 TREE_CONNECT_ANDX (MS-CIFS 2.2.4.55, MS-SMB 2.2.4.7). */
import { fail, type Result } from './result';
import type { Smb1Command, Smb1Header, Smb1TreeConnectRequest, Smb1TreeConnectResponse } from './smb1-types';
import { alignUnicode, blockEnd, readZ, zNext } from './smb1-strings';

/** Password (PasswordLength bytes, skipped), pad, Path (unicode per flags2), Service (always OEM). */
export function parseSmb1TreeConnectRequest(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1TreeConnectRequest> {
  if (cmd.wordCount !== 4) return fail('smb1_tree_word_count', cmd.wordsOffset - hdr.offset);
  const end = blockEnd(buf, cmd);
  const pwLen = buf.readUInt16LE(cmd.paramsOffset + 6);
  let pos = cmd.bytesOffset + pwLen;
  if (pos > end) return fail('smb1_tree_password_length', cmd.paramsOffset + 6 - hdr.offset);
  pos = alignUnicode(hdr, pos);
  const path = readZ(buf, pos, end, hdr.unicode);
  if (path === null) return fail('smb1_tree_path_truncated', pos - hdr.offset);
  const service = readZ(buf, zNext, end, false) ?? '';
  return { ok: true, path, service };
}

/** WordCount 3 (or 7 with access rights, 2 for LANMAN): Service (OEM), NativeFileSystem. */
export function parseSmb1TreeConnectResponse(buf: Buffer, hdr: Smb1Header, cmd: Smb1Command): Result<Smb1TreeConnectResponse> {
  if (cmd.wordCount < 2) return fail('smb1_tree_word_count', cmd.wordsOffset - hdr.offset);
  const service = readZ(buf, cmd.bytesOffset, blockEnd(buf, cmd), false);
  if (service === null) return fail('smb1_tree_service_truncated', cmd.bytesOffset - hdr.offset);
  return { ok: true, service };
}
