/**
 * NDR shapes the MS-SAMR / MS-LSAT / MS-SRVS … decoders share: SIDs, arrays of
 * RPC_UNICODE_STRING with their deferred buffers, the trailing status of a response whose middle
 * is not decoded. Everything reads through NdrReader, so bounds and counts are checked there.
 */
import type { DissectError } from '../../result';
import type { NdrReader } from '../ndr';
import type { Args, DecodedResponse } from './types';

/** Names kept per list argument (the rest of the array is still read and checked, not kept). */
export const MAX_LIST = 64;

/** SID sub-authorities allowed by MS-DTYP 2.4.2.3. */
const MAX_SUB_AUTHORITIES = 15;

/** An RPC_SID referent (conformant struct: the sub-authority count is hoisted first), as `S-1-…`. */
export function sid(r: NdrReader): string {
  const conformance = r.count();
  const rev = r.u8();
  const subCount = r.u8();
  const auth = r.bytes(6);
  if (r.err) return '';
  if (subCount !== conformance || subCount > MAX_SUB_AUTHORITIES) {
    r.fail('ndr-sid-count');
    return '';
  }
  // the identifier authority is a 48-bit big-endian number
  let s = `S-${rev}-${auth.readUIntBE(0, 6)}`;
  for (let i = 0; i < subCount; i++) s += `-${r.u32()}`;
  return r.err ? '' : s;
}

/**
 * `n` RPC_UNICODE_STRING structs (an array's elements, or struct members) followed by their
 * deferred buffers in order; `before` / `after`: u32 fields around each header (the RID of a
 * SAMPR_RID_ENUMERATION comes first: `before` = 1). Returns at most MAX_LIST strings.
 */
export function unicodeStrings(r: NdrReader, n: number, before = 0, after = 0): string[] {
  const lens: number[] = [];
  const ptrs: number[] = [];
  for (let i = 0; i < n && !r.err; i++) {
    for (let k = 0; k < before; k++) r.u32();
    lens.push(r.rpcUnicodeStringHeader());
    ptrs.push(r.lastPointer);
    for (let k = 0; k < after; k++) r.u32();
  }
  const out: string[] = [];
  for (let i = 0; i < lens.length && !r.err; i++) {
    if (!ptrs[i]) continue;
    const s = r.rpcUnicodeStringBody(lens[i]!);
    if (out.length < MAX_LIST) out.push(s);
  }
  return out;
}

/** Fail unless `n` elements of `size` bytes can still be in the stub (a lying count). */
export function fits(r: NdrReader, n: number, size: number): boolean {
  if (r.err) return false;
  if (n * size > r.remaining) {
    r.fail('ndr-array-bounds');
    return false;
  }
  return true;
}

/** The status of a response whose stub ends with it (MS-* operations marshal it last). */
export function tailStatus(r: NdrReader): number {
  if (r.end - r.start < 4) {
    r.fail('ndr-short');
    return 0;
  }
  const p = r.end - 4;
  const b = r.buf;
  return r.bigEndian
    ? ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
    : (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** A response with args decoded from its start and the status taken from its end. */
export function resTail(r: NdrReader, args: Args): DecodedResponse | DissectError {
  const rc = tailStatus(r);
  if (r.err) return r.err;
  return { ok: true, args, returnCode: rc };
}
