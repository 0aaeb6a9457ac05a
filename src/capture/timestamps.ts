/**
 * pcapng timestamps: a 64-bit count of units since the epoch, the unit given per interface by
 * if_tsresol (10^-k or 2^-k seconds), plus if_tsoffset seconds. Converted to (seconds,
 * nanoseconds) exactly, the way Wireshark does (nanoseconds truncated for finer units), without
 * BigInt on the common resolutions (10^-k, k <= 9).
 */

export interface TsUnit {
  /** 10^k units per second when base10, else 2^k */
  base10: boolean;
  exp: number;
  /** base10 && exp <= 9: units per second and nanoseconds per unit, for the fast path */
  div: number;
  nsPerUnit: number;
  /** seconds added to every timestamp (if_tsoffset) */
  offsetSec: number;
}

export function makeTsUnit(tsresol: number, offsetSec: number): TsUnit | null {
  const base10 = (tsresol & 0x80) === 0;
  const exp = tsresol & 0x7f;
  // units per second must fit in 64 bits (Wireshark's limit as well)
  if (base10 ? exp > 19 : exp > 63) return null;
  const fast = base10 && exp <= 9;
  return {
    base10,
    exp,
    div: fast ? 10 ** exp : 0,
    nsPerUnit: fast ? 10 ** (9 - exp) : 0,
    offsetSec,
  };
}

export const DEFAULT_TS_UNIT: TsUnit = makeTsUnit(6, 0)!;

/** Writes tsSec/tsNsec of `out` from the 64-bit unit count hi:lo. */
export function convertTs(hi: number, lo: number, u: TsUnit, out: { tsSec: number; tsNsec: number }): void {
  const d = u.div;
  if (d !== 0) {
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // below 2^53: exact in a double; fix the possible off-by-one of the rounded quotient
      const units = hi * 4294967296 + lo;
      sec = Math.floor(units / d);
      rem = units - sec * d;
      if (rem < 0) {
        sec--;
        rem += d;
      } else if (rem >= d) {
        sec++;
        rem -= d;
      }
    } else {
      // long division in 16-bit limbs: every intermediate stays below 2^46
      let r = 0;
      let q = 0;
      const limbs0 = hi >>> 16;
      const limbs1 = hi & 0xffff;
      const limbs2 = lo >>> 16;
      const limbs3 = lo & 0xffff;
      let t = limbs0;
      let qi = Math.floor(t / d);
      r = t - qi * d;
      q = qi;
      t = r * 65536 + limbs1;
      qi = Math.floor(t / d);
      r = t - qi * d;
      q = q * 65536 + qi;
      t = r * 65536 + limbs2;
      qi = Math.floor(t / d);
      r = t - qi * d;
      q = q * 65536 + qi;
      t = r * 65536 + limbs3;
      qi = Math.floor(t / d);
      r = t - qi * d;
      q = q * 65536 + qi;
      sec = q;
      rem = r;
    }
    out.tsSec = sec + u.offsetSec;
    out.tsNsec = rem * u.nsPerUnit;
    return;
  }
  // rare units (finer than ns, or powers of two): exact in BigInt, nanoseconds truncated
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const ups = u.base10 ? 10n ** BigInt(u.exp) : 1n << BigInt(u.exp);
  out.tsSec = Number(units / ups) + u.offsetSec;
  out.tsNsec = Number(((units % ups) * 1_000_000_000n) / ups);
}
