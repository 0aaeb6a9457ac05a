/**
 * The lateral-movement chain (contract SW-0012): steps (steps.ts) from one source to one server
 * within the correlation window, linked by names or by session, grow into a chain once two linked
 * steps include one of S, T, X. State: per source/server pair (bounded, least recently seen
 * evicted and counted) the steps not yet in a chain (at most max_steps, oldest dropped and
 * counted) and the chains established, which live while their last step is inside the window.
 *
 * Linked (either way round): same TCP connection or SMB session; a service/task command names a
 * file the other step's tree wrote or a path on its share (`\\127.0.0.1\C$\__output` ↔ a C$
 * tree); the same service/task name; or — when the S/T/X call is sealed and names nothing — the
 * same user (source and server are the pair's).
 *
 * Also remembers, per source, the files it wrote to admin shares (SW-0004/5/13 critical when a
 * command names one).
 */
import type { LifecycleRecord, Timestamp } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { BoundedMap } from '../bounded-map';
import { baseName, namedFiles } from '../command';
import { toolOf } from './fingerprints';
import { stepOf, type Step } from './steps';

export interface Chain {
  readonly id: string;
  /** ordered by capture time; the first ones are those that established it */
  readonly steps: Step[];
  /** steps in the chain when it was established (the alert's list) */
  readonly established: number;
  readonly tool: string | null;
  lastTs: Timestamp;
}

interface Pair {
  pending: Step[];
  chains: Chain[];
}

/** What observe() found: the chain the record belongs to, and whether it just established it. */
export interface Observation {
  readonly chain: Chain;
  readonly established: boolean;
}

const EXECUTION = new Set(['S', 'T', 'X']);
/** chains kept per pair (older ones are forgotten first) */
const MAX_CHAINS = 4;
/** files remembered per source */
const MAX_FILES = 64;

/** FNV-1a 32 of a string, as 8 hex digits */
function fnv(s: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** deterministic (replay, any sharding): from the pair and the first step's time and connection */
function chainId(first: Step): string {
  const k = `${first.conn}\u0000${first.ts.sec}.${first.ts.nsec}`;
  return `lm-${fnv(k, 0x811c9dc5)}${fnv(k, 0x050c5d1f)}`;
}

function mentionsShare(cmd: string, share: string): boolean {
  const c = cmd.toLowerCase();
  // `\\host\c$\…` (or `\\host\c$` at the end)
  let i = c.indexOf('\\' + share);
  while (i !== -1) {
    const after = c.charCodeAt(i + 1 + share.length);
    if (Number.isNaN(after) || after === 0x5c || after === 0x20 || after === 0x22) return true;
    i = c.indexOf('\\' + share, i + 1);
  }
  return false;
}

/** the command of `a` names what `b` touched */
function namesLink(a: Step, b: Step): boolean {
  if (a.command === null) return false;
  if (b.files.length > 0) {
    const named = namedFiles(a.command);
    for (const f of b.files) if (named.includes(f)) return true;
  }
  return b.share !== null && mentionsShare(a.command, b.share);
}

const sealedExec = (s: Step): boolean => s.sealed && EXECUTION.has(s.letter);

export function linked(a: Step, b: Step): boolean {
  if (a.conn === b.conn) return true;
  if (a.session !== null && a.session === b.session) return true;
  if (a.object !== null && a.object === b.object) return true;
  if (namesLink(a, b) || namesLink(b, a)) return true;
  return (sealedExec(a) || sealedExec(b)) && a.user === b.user;
}

export class Correlator {
  private readonly windowNs: number;
  readonly pairs: BoundedMap<string, Pair>;
  /** source IP → base name (lower case) → when it was last written to an admin share */
  readonly written: BoundedMap<string, Map<string, Timestamp>>;
  /** counters */
  stepsDropped = 0;
  chainsEstablished = 0;

  constructor(
    windowSec: number,
    maxPairs: number,
    private readonly maxSteps: number,
  ) {
    this.windowNs = Math.round(windowSec * 1e9);
    this.pairs = new BoundedMap(maxPairs);
    this.written = new BoundedMap(maxPairs);
  }

  /** Did `source` write a file of this base name to an admin share within the window? */
  wrote(source: string, file: string, now: Timestamp): boolean {
    if (!this.written.has(source)) return false;
    const ts = this.written.touch(source, () => new Map()).get(file.toLowerCase());
    return ts !== undefined && durationNs(ts, now) <= this.windowNs;
  }

  /**
   * One lifecycle record: remembers written files, and when the record is a step, links it.
   * `exempt` steps (allowlisted) are not kept. Returns the chain it is part of, or null.
   */
  observe(rec: LifecycleRecord, exempt: (s: Step) => boolean): Observation | null {
    if (rec.kind === 'tree-disconnect' && rec.tree.success && rec.tree.shareClass === 'admin' && rec.files.length > 0 && (rec.wroteFiles || rec.wroteExecutable)) {
      const m = this.written.touch(rec.flow.clientIp, () => new Map());
      for (const f of rec.files) {
        const b = baseName(f);
        m.delete(b);
        m.set(b, rec.ts);
        if (m.size > MAX_FILES) m.delete(m.keys().next().value as string);
      }
    }
    const step = stepOf(rec);
    if (step === null || exempt(step)) return null;
    const pair = this.pairs.touch(`${rec.flow.clientIp} ${rec.flow.serverIp}`, () => ({ pending: [], chains: [] }));
    this.expire(pair, rec.ts);
    // a later step of an established chain
    for (let i = pair.chains.length - 1; i >= 0; i--) {
      const c = pair.chains[i]!;
      if (c.steps.some((s) => linked(s, step))) {
        if (c.steps.length < this.maxSteps) c.steps.push(step);
        c.lastTs = rec.ts;
        return { chain: c, established: false };
      }
    }
    // cleanup only follows execution: a C step joins an established chain or nothing (an admin
    // tree opened and dropped before any S/T/X is a probe — psexec's writable-share test)
    if (step.letter === 'C') return null;
    pair.pending.push(step);
    if (pair.pending.length > this.maxSteps) {
      pair.pending.shift();
      this.stepsDropped++;
    }
    const group = this.component(pair.pending, step);
    if (group.length < 2 || !group.some((s) => EXECUTION.has(s.letter))) return null;
    pair.pending = pair.pending.filter((s) => !group.includes(s));
    group.sort((a, b) => a.ts.sec - b.ts.sec || a.ts.nsec - b.ts.nsec);
    const chain: Chain = { id: chainId(group[0]!), steps: group, established: group.length, tool: toolOf(group), lastTs: rec.ts };
    pair.chains.push(chain);
    if (pair.chains.length > MAX_CHAINS) pair.chains.shift();
    this.chainsEstablished++;
    return { chain, established: true };
  }

  /** the pending steps linked (transitively) to `from`, `from` included */
  private component(pending: readonly Step[], from: Step): Step[] {
    const out = [from];
    for (let i = 0; i < out.length; i++) {
      for (const s of pending) if (!out.includes(s) && linked(out[i]!, s)) out.push(s);
    }
    return out;
  }

  private expire(pair: Pair, now: Timestamp): void {
    const w = this.windowNs;
    if (pair.pending.length > 0 && durationNs(pair.pending[0]!.ts, now) > w) {
      pair.pending = pair.pending.filter((s) => durationNs(s.ts, now) <= w);
    }
    if (pair.chains.length > 0) pair.chains = pair.chains.filter((c) => durationNs(c.lastTs, now) <= w);
  }
}
