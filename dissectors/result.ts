/**
 * Dissectors never throw on hostile bytes: they return a typed error value instead.
 * `reason` is a short stable token (counted by the tracker), `offset` the byte offset
 * (relative to the message start) where the problem was found.
 */
export interface DissectError {
  readonly ok: false;
  readonly reason: string;
  readonly offset: number;
}

export type Result<T> = (T & { readonly ok: true }) | DissectError;

export function fail(reason: string, offset: number): DissectError {
  return { ok: false, reason, offset };
}

export function isError<T>(r: Result<T>): r is DissectError {
  return r.ok === false;
}
