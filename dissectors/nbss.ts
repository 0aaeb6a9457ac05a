/**
 * NetBIOS Session Service (RFC 1002 §4.3) and the SMB2 Direct TCP transport (MS-SMB2 §2.1):
 * header constants, the header plausibility check used to resynchronise a stream, and the
 * decoding of a session request's called/calling NetBIOS names (first-level encoding, RFC 1001
 * §14.1). Pure functions over Buffer slices: no state, never throws on hostile bytes.
 */
import { fail, type Result } from './result';

export const NBSS_HEADER_LEN = 4;

export const NBSS_SESSION_MESSAGE = 0x00;
export const NBSS_SESSION_REQUEST = 0x81;
export const NBSS_POSITIVE_RESPONSE = 0x82;
export const NBSS_NEGATIVE_RESPONSE = 0x83;
export const NBSS_RETARGET_RESPONSE = 0x84;
export const NBSS_KEEP_ALIVE = 0x85;

/** RFC 1002 flags byte: only the lowest bit (E, length extension) is defined on port 139. */
export const NBSS_FLAG_E = 0x01;
/** largest length expressible on port 139 (16 bits + E bit) */
export const NBSS_MAX_LENGTH_139 = 0x1ffff;
/** largest length expressible on port 445 (MS-SMB2 2.1: 3-byte StreamProtocolLength) */
export const NBSS_MAX_LENGTH_445 = 0xffffff;

/** SMB protocol ids: the first byte of a message, followed by 'SMB' */
export const SMB1_MAGIC = 0xff;
export const SMB2_MAGIC = 0xfe;
export const SMB2_TRANSFORM_MAGIC = 0xfd;
export const SMB2_COMPRESSION_MAGIC = 0xfc;

/** smallest message that can carry each header (SMB1 32, SMB2 64, TRANSFORM 52, COMPRESSION 16) */
export function minSmbMessageLength(magic: number): number {
  switch (magic) {
    case SMB1_MAGIC: return 32;
    case SMB2_MAGIC: return 64;
    case SMB2_TRANSFORM_MAGIC: return 52;
    case SMB2_COMPRESSION_MAGIC: return 16;
    default: return -1;
  }
}

export function isNbssType(t: number): boolean {
  return t === NBSS_SESSION_MESSAGE || (t >= NBSS_SESSION_REQUEST && t <= NBSS_KEEP_ALIVE);
}

/** Bytes needed by looksLikeNbssSmb: NBSS header (4) + protocol id (4) + SMB2 StructureSize (2). */
export const RESYNC_WINDOW = 10;

/**
 * Is b[p..p+10) a plausible NBSS session message carrying SMB: type 0x00, a length within
 * [minimum header size, maxLength], one of the four protocol ids, and for SMB2 the header's
 * StructureSize (64)? On port 139 (`port139`) the 7 reserved flag bits must be zero and the
 * length is 17 bits. The caller guarantees p + RESYNC_WINDOW <= b.length.
 */
export function looksLikeNbssSmb(b: Buffer, p: number, port139: boolean, maxLength: number): boolean {
  if (b[p] !== 0 || b[p + 5] !== 0x53 || b[p + 6] !== 0x4d || b[p + 7] !== 0x42) return false;
  const magic = b[p + 4]!;
  const min = minSmbMessageLength(magic);
  if (min < 0) return false;
  let len: number;
  if (port139) {
    if ((b[p + 1]! & ~NBSS_FLAG_E) !== 0) return false;
    len = ((b[p + 1]! & 1) << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  } else {
    len = (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
  if (len < min || len > maxLength) return false;
  if (magic === SMB2_MAGIC && (b[p + 8] !== 64 || b[p + 9] !== 0)) return false;
  return true;
}

export interface NetbiosName {
  /** the 15-character name with trailing spaces removed */
  name: string;
  /** the 16th byte (service type: 0x20 file server, 0x00 workstation, ...) */
  suffix: number;
  /** scope id labels joined by '.', '' when none */
  scope: string;
  /** tshark's rendering: NAME<xx> (plus .scope when present) */
  display: string;
}

export interface NetbiosSessionRequest {
  called: string;
  calling: string;
  calledName: NetbiosName;
  callingName: NetbiosName;
}

/**
 * Decode one first-level-encoded NetBIOS name at b[off]: a 32-byte label of 'A'..'P' nibble
 * characters, then the scope labels, ended by a zero-length label. Returns the name and the
 * offset just past it.
 */
export function decodeNetbiosName(b: Buffer, off: number): Result<{ value: NetbiosName; end: number }> {
  if (off >= b.length) return fail('nbss_name_truncated', off);
  if (b[off] !== 32) return fail('nbss_name_bad_length', off);
  if (off + 33 > b.length) return fail('nbss_name_truncated', off);
  let name = '';
  for (let i = 0; i < 16; i++) {
    const hi = b[off + 1 + 2 * i]! - 0x41;
    const lo = b[off + 2 + 2 * i]! - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return fail('nbss_name_bad_char', off + 1 + 2 * i);
    const c = (hi << 4) | lo;
    if (i < 15) name += String.fromCharCode(c);
    else {
      let p = off + 33;
      const labels: string[] = [];
      // scope: length-prefixed labels (at most 63 bytes each, 255 in all) ending with 0
      for (;;) {
        if (p >= b.length) return fail('nbss_name_truncated', p);
        const l = b[p]!;
        if (l === 0) { p++; break; }
        if (l > 63 || p + 1 + l > b.length || p - off > 255) return fail('nbss_scope_bad_label', p);
        labels.push(b.toString('latin1', p + 1, p + 1 + l));
        p += 1 + l;
      }
      const trimmed = name.replace(/ +$/, '');
      const scope = labels.join('.');
      const hex = c.toString(16).padStart(2, '0');
      const display = `${trimmed}<${hex}>` + (scope ? '.' + scope : '');
      return { ok: true, value: { name: trimmed, suffix: c, scope, display }, end: p };
    }
  }
  return fail('nbss_name_bad_char', off); // unreachable: the loop returns at i = 15
}

/** Decode the body of an NBSS SESSION REQUEST (type 0x81): called name, then calling name. */
export function decodeNetbiosSessionRequest(body: Buffer): Result<NetbiosSessionRequest> {
  const called = decodeNetbiosName(body, 0);
  if (!called.ok) return called;
  const calling = decodeNetbiosName(body, called.end);
  if (!calling.ok) return calling;
  return {
    ok: true,
    called: called.value.display,
    calling: calling.value.display,
    calledName: called.value,
    callingName: calling.value,
  };
}

/** NEGATIVE SESSION RESPONSE (0x83) error codes, RFC 1002 §4.3.4 */
export const NBSS_NEGATIVE_ERRORS: Readonly<Record<number, string>> = {
  0x80: 'Not listening on called name',
  0x81: 'Not listening for calling name',
  0x82: 'Called name not present',
  0x83: 'Called name present, but insufficient resources',
  0x8f: 'Unspecified error',
};

export function decodeNegativeResponse(body: Buffer): Result<{ code: number; text: string }> {
  if (body.length < 1) return fail('nbss_negative_truncated', 0);
  const code = body[0]!;
  return { ok: true, code, text: NBSS_NEGATIVE_ERRORS[code] ?? 'Unknown' };
}

/** RETARGET SESSION RESPONSE (0x84): new IPv4 address and port */
export function decodeRetargetResponse(body: Buffer): Result<{ ip: string; port: number }> {
  if (body.length < 6) return fail('nbss_retarget_truncated', 0);
  return { ok: true, ip: `${body[0]!}.${body[1]!}.${body[2]!}.${body[3]!}`, port: (body[4]! << 8) | body[5]! };
}
