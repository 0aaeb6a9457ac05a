/**
 * Shared checks of the fuzz properties: what a dissector or record may contain after hostile
 * input (views inside the input, finite numbers, no undefined from a read past the end), and
 * byte-level helpers (embedding input in a larger allocation so an escaping view is noticed).
 */
import { guarded } from '../helpers/smb1-samples';

export { guarded };

/**
 * Every value reachable from `v` is sane: Buffers are views inside `input`, numbers finite,
 * nothing undefined (Buffer indexing past the end gives undefined), strings bounded.
 */
export function checkValue(input: Buffer | null, v: unknown, where: string, maxString = 1 << 17, depth = 0): void {
  if (depth > 12) throw new Error(where + ': nesting deeper than 12 (cycle?)');
  if (Buffer.isBuffer(v)) {
    if (input !== null && v.length > 0) {
      const inside =
        v.buffer === input.buffer && v.byteOffset >= input.byteOffset && v.byteOffset + v.length <= input.byteOffset + input.length;
      if (!inside) throw new Error(where + ': Buffer outside the input');
    }
  } else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(where + ': non-finite number ' + v);
  } else if (typeof v === 'string') {
    if (v.length > maxString) throw new Error(`${where}: string of ${v.length} units (> ${maxString})`);
  } else if (v === undefined) {
    throw new Error(where + ': undefined (read past the end?)');
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkValue(input, x, where + '[' + i + ']', maxString, depth + 1));
  } else if (v instanceof Map || v instanceof Set) {
    for (const x of v.values()) checkValue(input, x, where + '{}', maxString, depth + 1);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) checkValue(input, x, where + '.' + k, maxString, depth + 1);
  }
}

/** A typed dissector error: `{ ok: false, reason: string, offset: number }`. */
export function checkResult(input: Buffer | null, r: unknown, where: string): boolean {
  if (r === null) return true;
  if (typeof r !== 'object') throw new Error(where + ': result is ' + typeof r);
  const o = r as { ok?: unknown; reason?: unknown; offset?: unknown };
  if (o.ok === false) {
    if (typeof o.reason !== 'string' || o.reason.length === 0) throw new Error(where + ': untyped error');
    if (typeof o.offset !== 'number' || !Number.isFinite(o.offset)) throw new Error(where + ': error offset ' + String(o.offset));
    return false;
  }
  checkValue(input, r, where);
  return true;
}

/** Place the bytes in the middle of a larger allocation so a view escaping them is noticed. */
export function embed(bytes: Uint8Array): Buffer {
  const ab = Buffer.alloc(bytes.length + 64, 0xee);
  ab.set(bytes, 32);
  return ab.subarray(32, 32 + bytes.length);
}

/** All numeric fields of a counters object are finite and >= 0 (Maps of counts too). */
export function checkCounters(c: object, where: string): void {
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || v < 0) throw new Error(`${where}.${k} = ${v}`);
    } else if (v instanceof Map) {
      for (const [mk, mv] of v) if (typeof mv === 'number' && (!Number.isFinite(mv) || mv < 0)) throw new Error(`${where}.${k}[${mk}] = ${mv}`);
    }
  }
}

/**
 * Text for a terminal or a TSV log: no C0/C1 control bytes, no DEL, no lone surrogates.
 * `json`: a JSON text only needs C0 controls escaped (DEL and C1 are valid JSON string
 * characters), and no lone surrogates (they cannot be encoded as UTF-8).
 */
export function checkPrintable(s: string, where: string, json = false): void {
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 && c !== 0x09) throw new Error(`${where}: raw control 0x${c.toString(16)} at ${i}`);
    if (!json && (c === 0x7f || (c >= 0x80 && c < 0xa0))) throw new Error(`${where}: raw control 0x${c.toString(16)} at ${i}`);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = body.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new Error(`${where}: lone high surrogate at ${i}`);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) throw new Error(`${where}: lone low surrogate at ${i}`);
  }
}

/** Common mutations of real bytes, as a fast-check record. */
export interface Mutation {
  flips: [number, number][];
  lies: [number, number][];
  inserts: [number, number[]][];
  cut: number | undefined;
}

export const LIE_VALUES = [0, 1, 4, 8, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x10000, 0xfffffff8, 0xffffffff, 0x80000000, 0x00ffffff];

/** Apply a mutation to a copy of `src`: bit flips, 16/32-bit field lies, byte insertions, a cut. */
export function mutate(src: Buffer, m: Mutation, from = 0): Buffer {
  let b = Buffer.from(src);
  const span = Math.max(1, b.length - from);
  for (const [pos, bit] of m.flips) if (b.length) b[from + (pos % span)] ^= 1 << (bit & 7);
  for (const [pos, v] of m.lies) {
    if (b.length < 4) break;
    const p = Math.min(from + (pos % span), b.length - 4);
    if (p < 0) continue;
    if (v > 0xffff) b.writeUInt32LE(v >>> 0, p);
    else if (pos & 1) b.writeUInt16BE(v, p);
    else b.writeUInt16LE(v, p);
  }
  for (const [pos, bytes] of m.inserts) {
    const p = Math.min(b.length, from + (pos % span));
    b = Buffer.concat([b.subarray(0, p), Buffer.from(bytes), b.subarray(p)]);
  }
  if (m.cut !== undefined) b = b.subarray(0, m.cut % (b.length + 1));
  return b;
}
