/**
 * Fuzz harness: a property is a fast-check arbitrary plus a check that throws on a violation.
 * The same property runs in CI with a few cases (test/robust-fuzz.test.ts) and from the CLI
 * runner with as many as asked (tools/fuzz.js → FUZZ_CASES); large runs go in batches so a
 * 10M-case run reports progress and never holds fast-check's state for all cases at once.
 * A single case slower than `caseTimeoutMs` is a failure (a hang shows up as a slow case, or,
 * if it never returns, as the test's timeout).
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';

export interface FuzzConfig {
  /** cases for this property */
  cases: number;
  seed: number;
  /** the slowest a single case may be */
  caseTimeoutMs: number;
  /** progress callback for long runs */
  progress?: (done: number, total: number) => void;
}

export interface PropertyReport {
  layer: string;
  name: string;
  cases: number;
  ms: number;
  slowestMs: number;
  /** what the property counted (errors by reason, messages delivered…): shows it reached deep */
  counts: Record<string, number>;
}

export interface FuzzProperty<T = any> {
  readonly layer: string;
  readonly name: string;
  /** CI cases = round(base * weight); cheap properties get more */
  readonly weight?: number;
  arbitrary(): fc.Arbitrary<T>;
  /** throws on a violation; adds to `counts` */
  check(input: T, counts: Record<string, number>): void;
}

const BATCH = 20_000;

export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function runProperty<T>(p: FuzzProperty<T>, cfg: FuzzConfig): PropertyReport {
  const counts: Record<string, number> = {};
  const arb = p.arbitrary();
  let slowest = 0;
  const t0 = performance.now();
  let done = 0;
  for (let batch = 0; done < cfg.cases; batch++) {
    const n = Math.min(BATCH, cfg.cases - done);
    const seed = (cfg.seed + batch * 0x9e3779b1) | 0;
    fc.assert(
      fc.property(arb, (x) => {
        const s = performance.now();
        p.check(x, counts);
        const dt = performance.now() - s;
        if (dt > slowest) slowest = dt;
        if (dt > cfg.caseTimeoutMs) throw new Error(`case took ${dt.toFixed(0)} ms (> ${cfg.caseTimeoutMs} ms): hang or quadratic path`);
      }),
      { numRuns: n, seed, endOnFailure: false },
    );
    done += n;
    cfg.progress?.(done, cfg.cases);
  }
  return { layer: p.layer, name: p.name, cases: done, ms: performance.now() - t0, slowestMs: slowest, counts };
}
