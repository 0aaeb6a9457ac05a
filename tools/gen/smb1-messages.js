'use strict';
/**
 * SMB1 (MS-CIFS/MS-SMB) builders for the AndX-chain captures: the 32-byte header and the
 * NEGOTIATE, SESSION_SETUP_ANDX (non-extended security) and TREE_CONNECT_ANDX blocks, with
 * explicit control of AndXCommand/AndXOffset.
 */

const SMB1_NEGOTIATE = 0x72;
const SMB1_SESSION_SETUP_ANDX = 0x73;
const SMB1_TREE_CONNECT_ANDX = 0x75;
const SMB1_NO_ANDX = 0xff;
const HDR = 32;

/** @param {{cmd: number, status?: number, response?: boolean, tid?: number, uid?: number, mid: number}} h */
function header(h) {
  const b = Buffer.alloc(HDR);
  b.writeUInt32BE(0xff534d42, 0);
  b[4] = h.cmd;
  b.writeUInt32LE((h.status ?? 0) >>> 0, 5);
  b[9] = 0x18 | (h.response ? 0x80 : 0); // case-insensitive, canonicalized paths
  b.writeUInt16LE(0xc007, 10); // unicode, NT status, security signatures, extended attributes, long names
  b.writeUInt16LE(h.tid ?? 0xffff, 24);
  b.writeUInt16LE(0xfeff, 26);
  b.writeUInt16LE(h.uid ?? 0, 28);
  b.writeUInt16LE(h.mid, 30);
  return b;
}

/** WordCount + words + ByteCount + bytes. */
function block(words, bytes) {
  const b = Buffer.alloc(1 + words.length + 2 + bytes.length);
  b[0] = words.length / 2;
  words.copy(b, 1);
  b.writeUInt16LE(bytes.length, 1 + words.length);
  bytes.copy(b, 3 + words.length);
  return b;
}

function negotiateRequest() {
  const dialects = ['PC NETWORK PROGRAM 1.0', 'LANMAN1.0', 'LM1.2X002', 'NT LM 0.12', 'SMB 2.002', 'SMB 2.???'];
  return block(Buffer.alloc(0), Buffer.concat(dialects.map((d) => Buffer.from(`\x02${d}\0`, 'latin1'))));
}

/** NT LM 0.12 negotiate response (WordCount 17), non-extended security with an 8-byte challenge. */
function negotiateResponse(dialectIndex, challenge, domain) {
  const w = Buffer.alloc(34);
  w.writeUInt16LE(dialectIndex, 0);
  w[2] = 0x03; // user security, encrypt passwords
  w.writeUInt16LE(50, 3);
  w.writeUInt16LE(1, 5);
  w.writeUInt32LE(16644, 7);
  w.writeUInt32LE(65536, 11);
  w.writeUInt32LE(0x0000f3fd & ~0x80000000, 19); // capabilities without extended security
  w[33] = 8; // ChallengeLength
  return block(w, Buffer.concat([challenge, Buffer.from(domain + '\0', 'utf16le')]));
}

/** The AndX prefix of a block's words: AndXCommand, reserved, AndXOffset. */
function andx(words, cmd, offset) {
  words[0] = cmd;
  words[1] = 0;
  words.writeUInt16LE(offset, 2);
}

/**
 * SESSION_SETUP_ANDX request (WordCount 13) with NTLM responses, account, domain, OS strings.
 * `at` is the block's offset from the SMB header (Unicode strings are 2-aligned relative to it).
 */
function sessionSetupRequest(at, user, domain, lmResp, ntResp, andxCmd, andxOffset) {
  const w = Buffer.alloc(26);
  andx(w, andxCmd, andxOffset);
  w.writeUInt16LE(16644, 4);
  w.writeUInt16LE(50, 6);
  w.writeUInt16LE(lmResp.length, 14);
  w.writeUInt16LE(ntResp.length, 16);
  w.writeUInt32LE(0xd4, 22); // unicode, NT status, NT SMBs, large files
  const bytesAt = at + 1 + 26 + 2 + lmResp.length + ntResp.length;
  const pad = Buffer.alloc(bytesAt & 1);
  const str = (s) => Buffer.from(s + '\0', 'utf16le');
  return block(w, Buffer.concat([lmResp, ntResp, pad, str(user), str(domain), str('Windows 2000 2195'), str('Windows 2000 5.0')]));
}

/** TREE_CONNECT_ANDX request (WordCount 4): password byte, Unicode path, service. */
function treeConnectRequest(at, path, andxCmd, andxOffset) {
  const w = Buffer.alloc(8);
  andx(w, andxCmd, andxOffset);
  w.writeUInt16LE(1, 6); // PasswordLength
  const bytesAt = at + 1 + 8 + 2 + 1;
  const pad = Buffer.alloc(bytesAt & 1);
  return block(w, Buffer.concat([Buffer.alloc(1), pad, Buffer.from(path + '\0', 'utf16le'), Buffer.from('?????\0', 'latin1')]));
}

/** NBSS framing of an SMB1 message (header + blocks). */
function nbss(parts) {
  const body = Buffer.concat(parts);
  const b = Buffer.alloc(4 + body.length);
  b.writeUInt32BE(body.length, 0);
  body.copy(b, 4);
  return b;
}

module.exports = {
  SMB1_NEGOTIATE,
  SMB1_SESSION_SETUP_ANDX,
  SMB1_TREE_CONNECT_ANDX,
  SMB1_NO_ANDX,
  HDR,
  header,
  negotiateRequest,
  negotiateResponse,
  sessionSetupRequest,
  treeConnectRequest,
  nbss,
};
