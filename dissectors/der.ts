/**
 * A minimal DER/BER reader for the few ASN.1 structures SMB authentication carries (SPNEGO,
 * Kerberos). Not an ASN.1 framework: callers walk the structure they expect, element by
 * element, within bounds they already checked. Definite lengths only (DER); long-form lengths
 * up to 4 bytes; every length is checked against its enclosing element ("lengths that lie").
 */
import { fail, type DissectError } from './result';

/** Deepest nesting derValidate accepts (a Kerberos AP-REQ inside SPNEGO needs about 12). */
export const DER_MAX_DEPTH = 24;
/** Longest OID accepted, in content bytes (real mech OIDs are 6 to 10). */
const MAX_OID_BYTES = 64;

export const CLASS_UNIVERSAL = 0;
export const CLASS_APPLICATION = 1;
export const CLASS_CONTEXT = 2;

// identifier bytes of the universal types used here
export const DER_INTEGER = 0x02;
export const DER_BIT_STRING = 0x03;
export const DER_OCTET_STRING = 0x04;
export const DER_OID = 0x06;
export const DER_ENUMERATED = 0x0a;
export const DER_UTF8STRING = 0x0c;
export const DER_SEQUENCE = 0x30;
export const DER_GENERAL_STRING = 0x1b;

/** One element: identifier, and where its value lies. Reused between reads. */
export interface DerTlv {
  /** the identifier byte for tag numbers below 31 (0x30 SEQUENCE, 0xa0 [0], 0x60 [APPLICATION 0]) */
  id: number;
  cls: number;
  constructed: boolean;
  /** tag number (multi-byte tag numbers are decoded) */
  number: number;
  /** offset of the element's first byte */
  start: number;
  valueOff: number;
  valueLen: number;
  /** offset just past the element */
  end: number;
}

export function newDerTlv(): DerTlv {
  return { id: 0, cls: 0, constructed: false, number: 0, start: 0, valueOff: 0, valueLen: 0, end: 0 };
}

/** The identifier byte of a context-specific constructed tag [n] (n < 31). */
export function ctx(n: number): number {
  return 0xa0 | n;
}

/** The identifier byte of a constructed [APPLICATION n] tag (n < 31). */
export function app(n: number): number {
  return 0x60 | n;
}

/** Read the element at `off`, which must end by `end` (itself within buf). */
export function derRead(buf: Buffer, off: number, end: number, out: DerTlv): DissectError | null {
  if (end > buf.length) end = buf.length;
  if (off < 0 || off >= end) return fail('der_truncated', off);
  const b0 = buf[off]!;
  out.start = off;
  out.cls = b0 >> 6;
  out.constructed = (b0 & 0x20) !== 0;
  let p = off + 1;
  let number = b0 & 0x1f;
  if (number === 0x1f) {
    // high tag number: base-128, at most 4 bytes (tags above 2^28 are not used by anything)
    number = 0;
    for (let i = 0; ; i++) {
      if (p >= end) return fail('der_truncated', p);
      if (i >= 4) return fail('der_tag_too_long', off);
      const b = buf[p++]!;
      number = number * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  out.number = number;
  out.id = number < 31 ? b0 : (b0 & 0xe0) | 0x1f;
  if (p >= end) return fail('der_truncated', p);
  let len = buf[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) return fail('der_indefinite_length', p - 1);
    if (n > 4) return fail('der_length_too_long', p - 1);
    if (p + n > end) return fail('der_truncated', p);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (len > end - p) return fail('der_length_overrun', off);
  out.valueOff = p;
  out.valueLen = len;
  out.end = p + len;
  return null;
}

/** Read the element at `off` and require its identifier byte to be `id`. */
export function derExpect(buf: Buffer, off: number, end: number, id: number, out: DerTlv): DissectError | null {
  const err = derRead(buf, off, end, out);
  if (err) return err;
  if (out.id !== id) return fail('der_unexpected_tag', off);
  return null;
}

/**
 * Walk every element of [off, end) recursively (constructed ones entered), checking each length
 * against its parent and the nesting against maxDepth. Used once on a token before the
 * structure-directed parse, so lies and deep nesting anywhere give a typed error.
 */
export function derValidate(buf: Buffer, off: number, end: number, maxDepth: number = DER_MAX_DEPTH): DissectError | null {
  if (maxDepth < 0) return fail('der_too_deep', off);
  const t = newDerTlv();
  let p = off;
  while (p < end) {
    const err = derRead(buf, p, end, t);
    if (err) return err;
    const next = t.end;
    if (t.constructed && t.valueLen > 0) {
      const inner = derValidate(buf, t.valueOff, t.end, maxDepth - 1);
      if (inner) return inner;
    }
    p = next;
  }
  return null;
}

/** Dotted-decimal OID from its content bytes; null when malformed (an arc left unterminated). */
export function derOid(buf: Buffer, off: number, len: number): string | null {
  if (len <= 0 || len > MAX_OID_BYTES || off < 0 || off + len > buf.length) return null;
  let s = '';
  let v = 0;
  let first = true;
  for (let i = off; i < off + len; i++) {
    const b = buf[i]!;
    if (v > 0x1fffffffffff) return null; // keeps arcs exact in a double
    v = v * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      const top = v < 40 ? 0 : v < 80 ? 1 : 2;
      s = top + '.' + (v - top * 40);
      first = false;
    } else s += '.' + v;
    v = 0;
  }
  if (buf[off + len - 1]! & 0x80) return null;
  return s;
}

/** A small INTEGER/ENUMERATED (up to 4 content bytes, two's complement); null otherwise. */
export function derSmallInt(buf: Buffer, off: number, len: number): number | null {
  if (len < 1 || len > 4 || off < 0 || off + len > buf.length) return null;
  return buf.readIntBE(off, len);
}

/** A character string's value (GeneralString/IA5 as latin1, UTF8String as UTF-8), bounded. */
export function derText(buf: Buffer, t: DerTlv, maxLen = 1024): string {
  const n = t.valueLen < maxLen ? t.valueLen : maxLen;
  return buf.toString(t.id === DER_UTF8STRING ? 'utf8' : 'latin1', t.valueOff, t.valueOff + n);
}
