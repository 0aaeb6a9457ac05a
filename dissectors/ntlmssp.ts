/**
 * NTLMSSP messages (MS-NLMP 2.2.1): NEGOTIATE, CHALLENGE, AUTHENTICATE. Strings are UTF-16LE when
 * NTLMSSP_NEGOTIATE_UNICODE is set, else OEM (read as latin1). Every payload field (Len, MaxLen,
 * Offset) is checked against the message; an odd unicode length is an error.
 */
import { fail, type Result } from './result';
import type { NtlmsspMessage } from './auth-types';
import { MAX_STRING_UNITS } from './utf16';

export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
export const NTLMSSP_NEGOTIATE_ANONYMOUS = 0x00000800;

/** True when buf[off..] starts with the "NTLMSSP\0" signature. */
export function isNtlmssp(buf: Buffer, off: number, end: number): boolean {
  return (
    off >= 0 &&
    off + 8 <= end &&
    end <= buf.length &&
    buf[off] === 0x4e && buf[off + 1] === 0x54 && buf[off + 2] === 0x4c && buf[off + 3] === 0x4d &&
    buf[off + 4] === 0x53 && buf[off + 5] === 0x53 && buf[off + 6] === 0x50 && buf[off + 7] === 0
  );
}

// field checks set these instead of returning a tuple (no allocation per field)
let fieldOff = 0;
let fieldLen = 0;

/** Bounds-check the 8-byte field descriptor at msg+at; sets fieldOff/fieldLen (absolute). */
function field(buf: Buffer, msg: number, end: number, at: number): string | null {
  const len = buf.readUInt16LE(msg + at);
  const rel = buf.readUInt32LE(msg + at + 4);
  fieldLen = len;
  fieldOff = msg + rel;
  if (len === 0) return null;
  if (rel > end - msg || len > end - msg - rel) return 'ntlmssp_field_out_of_bounds';
  return null;
}

function text(buf: Buffer, unicode: boolean): string {
  if (fieldLen === 0) return '';
  if (unicode) {
    const n = fieldLen > MAX_STRING_UNITS * 2 ? MAX_STRING_UNITS * 2 : fieldLen;
    return buf.toString('utf16le', fieldOff, fieldOff + n);
  }
  const n = fieldLen > MAX_STRING_UNITS ? MAX_STRING_UNITS : fieldLen;
  return buf.toString('latin1', fieldOff, fieldOff + n);
}

/** Read a string field; returns an error token or null (the string is left in `lastText`). */
function str(buf: Buffer, msg: number, end: number, at: number, unicode: boolean): string | null {
  const e = field(buf, msg, end, at);
  if (e) return e;
  if (unicode && (fieldLen & 1) === 1) return 'ntlmssp_odd_unicode_length';
  lastText = text(buf, unicode);
  return null;
}
let lastText = '';

/** Parse the NTLMSSP message occupying buf[off, end). */
export function parseNtlmssp(buf: Buffer, off: number, end: number): Result<NtlmsspMessage> {
  if (end > buf.length) end = buf.length;
  if (!isNtlmssp(buf, off, end)) return fail('ntlmssp_bad_signature', off);
  if (off + 12 > end) return fail('ntlmssp_truncated', off);
  const type = buf.readUInt32LE(off + 8);
  const size = end - off;
  if (type === 1) {
    if (size < 16) return fail('ntlmssp_truncated', off);
    return { ok: true, type: 1, flags: buf.readUInt32LE(off + 12), user: null, domain: null, workstation: null, anonymous: false, targetName: null, nbComputerName: null, dnsComputerName: null };
  }
  if (type === 2) {
    if (size < 32) return fail('ntlmssp_truncated', off);
    const flags = buf.readUInt32LE(off + 20);
    const e = str(buf, off, end, 12, (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0);
    if (e) return fail(e, off + 12);
    const targetName = lastText;
    const names = { nb: null as string | null, dns: null as string | null, tree: null as string | null };
    // TargetInfo (at 40) is in every CHALLENGE since NTLMv2. A field running past the message (a
    // short auth trailer) is read as far as it goes, as Zeek does: the pairs present still count.
    if (size >= 48) {
      const len = buf.readUInt16LE(off + 40);
      const rel = buf.readUInt32LE(off + 44);
      if (len > 0 && rel < size) targetInfoNames(buf, off + rel, Math.min(end, off + rel + len), names);
    }
    return {
      ok: true,
      type: 2,
      flags,
      user: null,
      domain: null,
      workstation: null,
      anonymous: false,
      targetName,
      nbComputerName: names.nb,
      dnsComputerName: names.dns,
      dnsTreeName: names.tree,
    };
  }
  if (type === 3) {
    if (size < 52) return fail('ntlmssp_truncated', off);
    // NegotiateFlags (at 60) is absent in the oldest form, whose payload starts at 52
    let flags = 0;
    if (size >= 64 && minPayloadOffset(buf, off) >= 64) flags = buf.readUInt32LE(off + 60);
    const unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0 || (flags === 0 && looksUnicode(buf, off, end));
    let e = field(buf, off, end, 12);
    if (e) return fail(e, off + 12);
    const lmLen = fieldLen;
    const lmZero = lmLen === 1 && buf[fieldOff] === 0;
    e = field(buf, off, end, 20);
    if (e) return fail(e, off + 20);
    const ntLen = fieldLen;
    e = str(buf, off, end, 28, unicode);
    if (e) return fail(e, off + 28);
    const domain = lastText;
    e = str(buf, off, end, 36, unicode);
    if (e) return fail(e, off + 36);
    const user = lastText;
    const userLen = fieldLen;
    e = str(buf, off, end, 44, unicode);
    if (e) return fail(e, off + 44);
    const workstation = lastText;
    const anonymous = userLen === 0 && ntLen === 0 && (lmLen === 0 || lmZero);
    return { ok: true, type: 3, flags, user, domain, workstation, anonymous, targetName: null, nbComputerName: null, dnsComputerName: null };
  }
  return fail('ntlmssp_unknown_type', off + 8);
}

const MSV_AV_EOL = 0;
const MSV_AV_NB_COMPUTER_NAME = 1;
const MSV_AV_DNS_COMPUTER_NAME = 3;
const MSV_AV_DNS_TREE_NAME = 5;

/** Walk the AV_PAIR list (MS-NLMP 2.2.2.1) in [p, end): UTF-16LE names; stops at EOL or damage. */
function targetInfoNames(buf: Buffer, p: number, end: number, out: { nb: string | null; dns: string | null; tree: string | null }): void {
  for (let n = 0; n < 64 && p + 4 <= end; n++) {
    const id = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    p += 4;
    if (id === MSV_AV_EOL || len > end - p) return;
    const take = (): string => buf.toString('utf16le', p, p + Math.min(len & ~1, MAX_STRING_UNITS * 2));
    if (id === MSV_AV_NB_COMPUTER_NAME) out.nb = take();
    else if (id === MSV_AV_DNS_COMPUTER_NAME) out.dns = take();
    else if (id === MSV_AV_DNS_TREE_NAME) out.tree = take();
    p += len;
  }
}

/** Smallest non-empty payload offset among the AUTHENTICATE fields (where the fixed part ends). */
function minPayloadOffset(buf: Buffer, off: number): number {
  let m = 0xffffffff;
  for (let at = 12; at <= 44; at += 8) {
    if (buf.readUInt16LE(off + at) === 0) continue;
    const o = buf.readUInt32LE(off + at + 4);
    if (o < m) m = o;
  }
  return m;
}

/** Without flags: the user name field decides (a UTF-16 name of ASCII text has zero high bytes). */
function looksUnicode(buf: Buffer, off: number, end: number): boolean {
  if (field(buf, off, end, 36) || fieldLen < 2 || (fieldLen & 1) === 1) return false;
  return buf[fieldOff + 1] === 0;
}
