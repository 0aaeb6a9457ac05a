'use strict';
/**
 * Real-shaped GSS-API/SPNEGO (RFC 4178) tokens wrapping NTLMSSP (MS-NLMP) messages, as Windows
 * clients and servers exchange them in SMB2 NEGOTIATE and SESSION_SETUP. The cryptographic
 * values (challenge, NTProofStr, session key, MIC) are random bytes: the shapes, lengths and
 * offsets are what a dissector checks.
 */

const OID_SPNEGO = Buffer.from('2b0601050502', 'hex'); // 1.3.6.1.5.5.2
const OID_NTLMSSP = Buffer.from('2b0601040182370202' + '0a', 'hex'); // 1.3.6.1.4.1.311.2.2.10
const OID_MS_KRB5 = Buffer.from('2a864882f712010202', 'hex'); // 1.2.840.48018.1.2.2
const OID_KRB5 = Buffer.from('2a864886f712010202', 'hex'); // 1.2.840.113554.1.2.2

const NTLM_NEGOTIATE_FLAGS = 0xe2088297;
const NTLM_CHALLENGE_FLAGS = 0xe28a8215;
const NTLM_AUTHENTICATE_FLAGS = 0xe2888215;

/** DER TLV with definite length. */
function tlv(tag, ...parts) {
  const body = Buffer.concat(parts);
  const n = body.length;
  let hdr;
  if (n < 0x80) hdr = Buffer.from([tag, n]);
  else if (n < 0x100) hdr = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) hdr = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else hdr = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([hdr, body]);
}

const oid = (b) => tlv(0x06, b);
const octets = (b) => tlv(0x04, b);

function utf16(s) {
  return Buffer.from(s, 'utf16le');
}

/** NEGOTIATE response security buffer: negTokenInit2 with mechTypes and negHints. */
function spnegoNegTokenInit2() {
  return tlv(
    0x60,
    oid(OID_SPNEGO),
    tlv(
      0xa0,
      tlv(
        0x30,
        tlv(0xa0, tlv(0x30, oid(OID_MS_KRB5), oid(OID_KRB5), oid(OID_NTLMSSP))),
        tlv(0xa3, tlv(0x30, tlv(0xa0, tlv(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore')))))
      )
    )
  );
}

/** First SESSION_SETUP request: negTokenInit with NTLMSSP as the mech and its NEGOTIATE token. */
function spnegoInitNtlm(ntlmToken) {
  return tlv(
    0x60,
    oid(OID_SPNEGO),
    tlv(0xa0, tlv(0x30, tlv(0xa0, tlv(0x30, oid(OID_NTLMSSP))), tlv(0xa2, octets(ntlmToken))))
  );
}

/**
 * negTokenResp. negState: 0 accept-completed, 1 accept-incomplete, 2 reject; null omits it.
 * @param {{negState?: number|null, supportedMech?: boolean, token?: Buffer|null, mic?: Buffer|null}} o
 */
function spnegoResp(o) {
  const parts = [];
  if (o.negState !== undefined && o.negState !== null) parts.push(tlv(0xa0, tlv(0x0a, Buffer.from([o.negState]))));
  if (o.supportedMech) parts.push(tlv(0xa1, oid(OID_NTLMSSP)));
  if (o.token) parts.push(tlv(0xa2, octets(o.token)));
  if (o.mic) parts.push(tlv(0xa3, octets(o.mic)));
  return tlv(0xa1, tlv(0x30, ...parts));
}

function ntlmHeader(type, size) {
  const b = Buffer.alloc(size);
  b.write('NTLMSSP\0', 0, 'latin1');
  b.writeUInt32LE(type, 8);
  return b;
}

/** Windows 10 build 19041 version structure, NTLM revision 15. */
function ntlmVersion(b, off) {
  b[off] = 10;
  b[off + 1] = 0;
  b.writeUInt16LE(19041, off + 2);
  b[off + 7] = 15;
}

/** Len/MaxLen/Offset field for a payload appended at the end of `payloads`. */
function field(b, at, payloadOff, len) {
  b.writeUInt16LE(len, at);
  b.writeUInt16LE(len, at + 2);
  b.writeUInt32LE(payloadOff, at + 4);
}

function ntlmNegotiate() {
  const b = ntlmHeader(1, 40);
  b.writeUInt32LE(NTLM_NEGOTIATE_FLAGS, 12);
  field(b, 16, 0, 0);
  field(b, 24, 0, 0);
  ntlmVersion(b, 32);
  return b;
}

function avPair(id, value) {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(id, 0);
  h.writeUInt16LE(value.length, 2);
  return Buffer.concat([h, value]);
}

/** FILETIME for a microsecond Unix timestamp. */
function filetime(tsUs) {
  const b = Buffer.alloc(8);
  const ft = BigInt(Math.floor(tsUs)) * 10n + 116444736000000000n;
  b.writeBigUInt64LE(ft);
  return b;
}

/** AV pairs of a server's CHALLENGE TargetInfo. */
function targetInfo(domain, server, dnsDomain, tsUs) {
  return Buffer.concat([
    avPair(2, utf16(domain)),
    avPair(1, utf16(server)),
    avPair(4, utf16(dnsDomain)),
    avPair(3, utf16(`${server.toLowerCase()}.${dnsDomain}`)),
    avPair(5, utf16(dnsDomain)),
    avPair(7, filetime(tsUs)),
    avPair(0, Buffer.alloc(0)),
  ]);
}

/** CHALLENGE (type 2). `rng` supplies the server challenge. */
function ntlmChallenge(rng, domain, server, dnsDomain, tsUs) {
  const name = utf16(domain);
  const info = targetInfo(domain, server, dnsDomain, tsUs);
  const b = ntlmHeader(2, 56);
  field(b, 12, 56, name.length);
  b.writeUInt32LE(NTLM_CHALLENGE_FLAGS, 20);
  rng.fill(b, 24, 32);
  field(b, 40, 56 + name.length, info.length);
  ntlmVersion(b, 48);
  return { token: Buffer.concat([b, name, info]), info };
}

/**
 * AUTHENTICATE (type 3) with an NTLMv2 response built on the server's TargetInfo, user, domain
 * and workstation in UTF-16LE, a MIC and an encrypted session key.
 */
function ntlmAuthenticate(rng, info, user, domain, workstation, tsUs) {
  const HDR = 88;
  const lm = Buffer.alloc(24); // Z(24): with a MIC and a timestamp, LMv2 is zeroed
  const blobHead = Buffer.alloc(28);
  blobHead[0] = 1;
  blobHead[1] = 1;
  filetime(tsUs).copy(blobHead, 8);
  rng.fill(blobHead, 16, 24);
  // MsvAvFlags (MIC present) goes before the EOL of the server's pairs
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(2);
  const pairs = Buffer.concat([info.subarray(0, info.length - 4), avPair(6, flags), avPair(0, Buffer.alloc(0))]);
  const nt = Buffer.concat([rng.bytes(16), blobHead, pairs, Buffer.alloc(4)]);
  const dom = utf16(domain);
  const usr = utf16(user);
  const ws = utf16(workstation);
  const key = rng.bytes(16);
  const b = ntlmHeader(3, HDR);
  let off = HDR;
  const put = (at, p) => {
    field(b, at, off, p.length);
    off += p.length;
  };
  put(28, dom);
  put(36, usr);
  put(44, ws);
  put(12, lm);
  put(20, nt);
  put(52, key);
  b.writeUInt32LE(NTLM_AUTHENTICATE_FLAGS, 60);
  ntlmVersion(b, 64);
  rng.fill(b, 72, 88);
  return Buffer.concat([b, dom, usr, ws, lm, nt, key]);
}

module.exports = {
  tlv,
  utf16,
  filetime,
  spnegoNegTokenInit2,
  spnegoInitNtlm,
  spnegoResp,
  ntlmNegotiate,
  ntlmChallenge,
  ntlmAuthenticate,
  OID_NTLMSSP,
};
