/**
 * Zeek log values and how each type is written, in ASCII (Zeek's default writer) and in JSON
 * (`LogAscii::use_json`). Rows are arrays of values aligned with a log's #fields.
 *
 * ASCII: unset → `-`, empty string or empty set → `(empty)`, strings escaped as Zeek does
 * (`\` → `\\`, TAB and non-printable bytes → `\xNN`, non-ASCII as its UTF-8 bytes), set/vector
 * elements joined by `,` (a `,` inside an element → `\x2c`), bool `T`/`F`, time and interval with
 * six decimals. JSON: one object per line, keys = the #fields names (dotted, flat), unset values
 * left out (as Zeek does), time/interval as numbers with six decimals, sets as arrays.
 */
import type { Timestamp } from '../../shared/records';
import { MAX_ZEEK_UNITS, zeekString } from '../escape';
import { zeekInterval, zeekTime } from '../timestamp';

export type ZeekType =
  | 'time'
  | 'interval'
  | 'string'
  | 'enum'
  | 'addr'
  | 'port'
  | 'count'
  | 'bool'
  | 'double'
  | 'set[string]'
  | 'set[enum]'
  | 'vector[string]';

/** A field of a log: name as in #fields, type as in #types. */
export type ZeekField = readonly [name: string, type: ZeekType];

/**
 * A value. time: a capture Timestamp (exact) or a double of epoch seconds (Zeek's own doubles,
 * e.g. MAC times); interval: nanoseconds (exact) or {seconds} as a Zeek double.
 */
export type ZeekValue =
  | null
  | string
  | number
  | boolean
  | Timestamp
  | { readonly seconds: number }
  | readonly string[];

export const UNSET = '-';
export const EMPTY = '(empty)';

function isTimestamp(v: unknown): v is Timestamp {
  return typeof v === 'object' && v !== null && 'sec' in v;
}

/**
 * A double with six decimals the way Zeek's ASCII writer prints it (modp_dtoa: the fraction
 * scaled by 10^6 in double arithmetic, rounded half to even). Used for values that were doubles
 * in Zeek too (file MAC times from FILETIMEs, round-trip times from µs packet times), so the
 * last digit agrees with Zeek's.
 */
export function zeekDouble(d: number): string {
  if (!Number.isFinite(d)) return String(d);
  const neg = d < 0;
  let v = neg ? -d : d;
  let whole = Math.floor(v);
  const frac = (v - whole) * 1e6;
  let f = Math.floor(frac);
  const diff = frac - f;
  if (diff > 0.5 || (diff === 0.5 && (f === 0 || (f & 1) === 1))) {
    f++;
    if (f >= 1e6) {
      f = 0;
      whole++;
    }
  }
  v = whole;
  return (neg && (whole > 0 || f > 0) ? '-' : '') + String(v) + '.' + String(f).padStart(6, '0');
}

function scalarAscii(v: string | number | boolean | Timestamp | { readonly seconds: number }, type: ZeekType): string {
  switch (type) {
    case 'time':
      if (isTimestamp(v)) return zeekTime(v);
      return zeekDouble(typeof v === 'number' ? v : (v as { seconds: number }).seconds);
    case 'interval':
      if (typeof v === 'number') return zeekInterval(v);
      return zeekDouble((v as { seconds: number }).seconds);
    case 'bool':
      return v ? 'T' : 'F';
    case 'double':
      return zeekDouble(v as number);
    case 'port':
    case 'count':
      return String(v);
    default:
      return zeekString(String(v));
  }
}

/** One value in Zeek's ASCII format. */
export function asciiValue(v: ZeekValue, type: ZeekType): string {
  if (v === null) return UNSET;
  if (Array.isArray(v)) {
    // empty elements are left out: `(empty)` is the empty container, and a zero-length element
    // would make `a,` and `a` or `` and `(empty)` ambiguous (our containers never hold one)
    let out = '';
    let k = 0;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === '') continue;
      out += (k++ === 0 ? '' : ',') + zeekString(v[i] as string, true);
    }
    return k === 0 ? EMPTY : out;
  }
  return scalarAscii(v as string, type);
}

/** A row in Zeek's ASCII format (TAB-separated, newline-terminated). */
export function asciiRow(fields: readonly ZeekField[], row: readonly ZeekValue[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i === 0 ? '' : '\t') + asciiValue(row[i] ?? null, fields[i]![1]);
  // a row must not read as a meta line: Zeek's ASCII writer escapes a leading '#' the same way
  if (out.charCodeAt(0) === 0x23) out = '\\x23' + out.slice(1);
  return out + '\n';
}

function bounded(s: string): string {
  return s.length > MAX_ZEEK_UNITS ? s.slice(0, MAX_ZEEK_UNITS) + `...(+${s.length - MAX_ZEEK_UNITS})` : s;
}

function jsonValue(v: Exclude<ZeekValue, null>, type: ZeekType): string {
  if (Array.isArray(v)) return '[' + v.filter((e) => e !== '').map((e) => JSON.stringify(bounded(e as string))).join(',') + ']';
  switch (type) {
    case 'time':
    case 'interval':
    case 'port':
    case 'count':
    case 'double':
      // numbers exactly as the ASCII writer prints them (valid JSON numbers)
      return scalarAscii(v as number, type);
    case 'bool':
      return v ? 'true' : 'false';
    default:
      return JSON.stringify(bounded(String(v)));
  }
}

/** A row as a Zeek JSON log line (unset fields left out). */
export function jsonRow(fields: readonly ZeekField[], row: readonly ZeekValue[]): string {
  let out = '{';
  let first = true;
  for (let i = 0; i < fields.length; i++) {
    const v = row[i] ?? null;
    if (v === null) continue;
    out += (first ? '' : ',') + JSON.stringify(fields[i]![0]) + ':' + jsonValue(v, fields[i]![1]);
    first = false;
  }
  return out + '}\n';
}
