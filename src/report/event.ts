/**
 * The contract's NDJSON event shape as the report reads it: nested objects, every field optional
 * and type-checked on access (a stored log is input like any other: a wrong type is "unknown",
 * never a crash). Nothing here knows about the analyzer's internal records.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type EventObj = { [k: string]: Json };

export type BadLineReason = 'not_json' | 'not_object' | 'no_timestamp' | 'no_action';

/** A dotted path into an event (`smb.share_class`). */
export function field(ev: EventObj, path: string): Json | undefined {
  let cur: Json | undefined = ev;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    const key = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as { [k: string]: Json })[key];
    if (dot < 0) return cur;
    start = dot + 1;
  }
}

export function str(ev: EventObj, path: string): string | undefined {
  const v = field(ev, path);
  return typeof v === 'string' ? v : undefined;
}

export function num(ev: EventObj, path: string): number | undefined {
  const v = field(ev, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function strList(ev: EventObj, path: string): string[] {
  const v = field(ev, path);
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'string') as string[]) : [];
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/;

/** ISO 8601 UTC (the contract's @timestamp) → epoch milliseconds with the fraction kept; NaN if not one. */
export function parseTimestamp(s: string): number {
  const m = ISO.exec(s);
  if (m === null) return NaN;
  // groups 1-6 always participate in a match; only the fraction (7) is optional
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const frac = m[7] === undefined ? 0 : Number('0.' + m[7]) * 1000;
  return ms + frac;
}

export type ParsedLine = { ok: true; ev: EventObj; t: number } | { ok: false; reason: BadLineReason };

/** One NDJSON line → an event with its capture time, or why it is not one. */
export function parseEventLine(line: string): ParsedLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  return checkEvent(v);
}

export function checkEvent(v: unknown): ParsedLine {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'not_object' };
  const ev = v as EventObj;
  const ts = ev['@timestamp'];
  const t = typeof ts === 'string' ? parseTimestamp(ts) : NaN;
  if (Number.isNaN(t)) return { ok: false, reason: 'no_timestamp' };
  if (str(ev, 'event.action') === undefined) return { ok: false, reason: 'no_action' };
  return { ok: true, ev, t };
}
