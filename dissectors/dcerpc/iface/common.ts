/** Small NDR patterns shared by the interface decoders. */
import type { DissectError } from '../../result';
import type { NdrReader } from '../ndr';
import type { Args, DecodedRequest, DecodedResponse } from './types';

/** Finish a request decode: the reader's first error, or the args. */
export function req(r: NdrReader, args: Args, handle?: string): DecodedRequest | DissectError {
  if (r.err) return r.err;
  return handle === undefined ? { ok: true, args } : { ok: true, args, handle };
}

/** Finish a response decode whose status is the next u32. */
export function res(r: NdrReader, args: Args, handle?: string): DecodedResponse | DissectError {
  const rc = r.u32();
  if (r.err) return r.err;
  return handle === undefined ? { ok: true, args, returnCode: rc } : { ok: true, args, returnCode: rc, handle };
}

/** A response that is `[out] context handle` then the status. */
export function handleResponse(r: NdrReader): DecodedResponse | DissectError {
  const h = r.contextHandle();
  return res(r, {}, h);
}

/** Set `args[k]` when v is not null. */
export function put(args: Args, k: string, v: string | number | null | undefined): void {
  if (v !== null && v !== undefined) args[k] = v;
}

/** Top-level `[unique, size_is(n)] BYTE*`: skip it (passwords, dependency lists). */
export function skipUniqueBytes(r: NdrReader): void {
  if (!r.pointer()) return;
  const n = r.conformantArray(1);
  r.skip(n);
}

/** Top-level `[in, out, unique] DWORD*`. */
export function uniqueU32(r: NdrReader): number | null {
  return r.pointer() ? r.u32() : null;
}
