/**
 * Capture-time formatting. Integer arithmetic only: a Timestamp is {sec, nsec} and must never go
 * through a float of nanoseconds since the epoch (1.7e18 > 2^53 loses the low digits).
 */
import type { Timestamp } from '../shared/records';
import type { ByteOut } from './byte-out';

/** {sec, nsec} with nsec folded into 0..999_999_999 (defensive: readers already normalise). */
function normalise(ts: Timestamp): { sec: number; nsec: number } {
  let sec = Math.floor(ts.sec);
  let nsec = Math.floor(ts.nsec);
  if (nsec < 0 || nsec >= 1e9) {
    const carry = Math.floor(nsec / 1e9);
    sec += carry;
    nsec -= carry * 1e9;
  }
  return { sec, nsec };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * ISO 8601 UTC with exactly 6 fractional digits, nanoseconds truncated (not rounded) to µs:
 * {sec: 1795395723, nsec: 123456789} → "2026-11-23T01:02:03.123456Z". The date part comes from a
 * Date of whole seconds (integer milliseconds, so no rounding can carry into the next second).
 */
export function isoMicros(ts: Timestamp): string {
  const { sec, nsec } = normalise(ts);
  return datePrefix(sec, ts) + pad(Math.floor(nsec / 1000), 6) + 'Z';
}

/** `YYYY-MM-DDTHH:MM:SS.` of whole seconds `sec` (normalised from ts) */
function datePrefix(sec: number, ts: Timestamp): string {
  if (sec !== cachedSec) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) throw new RangeError(`timestamp out of range: ${ts.sec}.${ts.nsec}`);
    // toISOString: YYYY-MM-DDTHH:MM:SS.mmmZ (±YYYYYY for years outside 0..9999)
    const iso = d.toISOString();
    cachedPrefix = iso.slice(0, iso.length - 5) + '.';
    cachedSec = sec;
  }
  return cachedPrefix;
}

/**
 * JSON.stringify(isoMicros(ts)) written into `o` without building the string (the NDJSON writer
 * writes two or three per event).
 */
export function writeIsoMicros(o: ByteOut, ts: Timestamp): void {
  let sec = Math.floor(ts.sec);
  let nsec = Math.floor(ts.nsec);
  if (nsec < 0 || nsec >= 1e9) {
    const carry = Math.floor(nsec / 1e9);
    sec += carry;
    nsec -= carry * 1e9;
  }
  let us = Math.floor(nsec / 1000);
  if (!(us >= 0 && us <= 999999)) {
    // not a plain microsecond count (NaN): the string as isoMicros makes it
    o.str(isoMicros(ts));
    return;
  }
  const prefix = datePrefix(sec, ts);
  o.byte(0x22);
  o.lit(prefix);
  o.room(8);
  const b = o.buf;
  let p = o.pos + 6;
  o.pos = p;
  for (let i = 0; i < 6; i++) {
    const q = Math.floor(us / 10);
    b[--p] = 0x30 + (us - q * 10);
    us = q;
  }
  b[o.pos++] = 0x5a;
  b[o.pos++] = 0x22;
}

// events cluster within a second: reuse the date part (toISOString costs ~2 µs)
let cachedSec = NaN;
let cachedPrefix = '';

/** Zeek `time` value: seconds.microseconds ("1795395723.123456"), truncated like isoMicros. */
export function zeekTime(ts: Timestamp): string {
  const { sec, nsec } = normalise(ts);
  if (sec < 0) {
    // -1.5 s is sec=-2 nsec=500_000_000: print the signed decimal value
    const us = 1_000_000 - Math.floor(nsec / 1000);
    return us === 1_000_000 ? `${sec}.000000` : `-${Math.abs(sec + 1)}.${pad(us, 6)}`;
  }
  return `${sec}.${pad(Math.floor(nsec / 1000), 6)}`;
}

/** Zeek `interval` value from nanoseconds: seconds with 6 decimals, truncated ("1.234567"). */
export function zeekInterval(ns: number): string {
  const neg = ns < 0;
  const abs = Math.trunc(Math.abs(ns));
  const sec = Math.floor(abs / 1e9);
  const us = Math.floor((abs - sec * 1e9) / 1000);
  return `${neg && (sec > 0 || us > 0) ? '-' : ''}${sec}.${pad(us, 6)}`;
}

/** Zeek #open/#close header time: %Y-%m-%d-%H-%M-%S (UTC here, for byte-identical replays). */
export function zeekHeaderTime(ts: Timestamp): string {
  const iso = isoMicros(ts);
  // "2026-11-23T01:02:03.123456Z" → "2026-11-23-01-02-03"
  return iso.slice(0, iso.indexOf('T')) + '-' + iso.slice(iso.indexOf('T') + 1, iso.indexOf('.')).replace(/:/g, '-');
}

/** ts minus ns, exactly (durations stay below 2^53 ns ≈ 104 days). */
export function subtractNs(ts: Timestamp, ns: number): Timestamp {
  const { sec, nsec } = normalise(ts);
  const d = Math.max(0, Math.trunc(ns));
  const dSec = Math.floor(d / 1e9);
  let s = sec - dSec;
  let n = nsec - (d - dSec * 1e9);
  if (n < 0) {
    n += 1e9;
    s -= 1;
  }
  return { sec: s, nsec: n };
}
