/**
 * Which events the page shows in full. Every event belongs to a session (or, without one, its
 * connection); sessions are kept or left out whole, so a kept tree never loses its connect or
 * disconnect. A session with an alert, or on the client→server pair of a lateral-movement chain
 * within the correlation window, is pinned: always kept. The others compete for a budget of
 * events once they have been closed for longer than the correlation window (an alert about them
 * can still arrive until then): a bottom-k sample by a stable hash of the session's identity,
 * sessions with notable events (admin or hidden shares, failures, service/task/registry calls)
 * ranked before routine ones. What is left out is counted per lane and time for the page's
 * density band. Memory: open sessions, the window's closed ones, the budget and pinned sessions.
 */
import type { EventObj } from './event';
import { fnv1a } from './keys';

export const CHAIN_WINDOW_MS = 600_000;

export interface Held {
  /** arrival order (ties in time keep it) */
  n: number;
  ev: EventObj;
  t: number;
  lane: number;
  notable: boolean;
}

const OPEN = 0;
const QUEUED = 1;
const POOLED = 2;
const KEPT = 3;
const DROPPED = 4;

export class Sess {
  events: Held[] = [];
  state = OPEN;
  notable = false;
  closeT = 0;
  rank = 0;
  constructor(
    readonly key: string,
    readonly pair: string,
    readonly seq: number,
  ) {}
}

/** max-heap of pooled sessions by rank (then arrival), so the worst-ranked is dropped first */
class PoolHeap {
  private readonly a: Sess[] = [];
  get size(): number {
    return this.a.length;
  }
  private above(x: Sess, y: Sess): boolean {
    return x.rank > y.rank || (x.rank === y.rank && x.seq > y.seq);
  }
  push(s: Sess): void {
    const a = this.a;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Sess | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.above(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.above(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class Retention {
  private readonly byKey = new Map<string, Sess>();
  private readonly byPair = new Map<string, Set<Sess>>();
  private readonly queue: Sess[] = [];
  private queueHead = 0;
  private readonly pool = new PoolHeap();
  private poolEvents = 0;
  private seq = 0;
  readonly kept: Sess[] = [];
  /** left out: lane and time of each event (for the density band) */
  droppedLane: number[] = [];
  droppedT: number[] = [];
  droppedSessions = 0;

  constructor(
    private readonly budget: number,
    private readonly maxSessionEvents: number,
  ) {}

  add(h: Held, key: string, pair: string, opts: { pin: boolean; pinPair: boolean; ends: boolean }): void {
    let s = this.byKey.get(key);
    // a closed session takes only what is about it (an alert); anything else starts a new one
    if (s === undefined || s.state === DROPPED || (s.closeT > 0 && !opts.pin)) {
      s = new Sess(key, pair, this.seq++);
      this.byKey.set(key, s);
      let set = this.byPair.get(pair);
      if (set === undefined) this.byPair.set(pair, (set = new Set()));
      set.add(s);
    }
    s.events.push(h);
    if (h.notable) s.notable = true;
    if (opts.pin) this.pin(s);
    if (opts.pinPair) {
      for (const o of this.byPair.get(pair) ?? []) {
        if (o.state === OPEN || o.closeT >= h.t - CHAIN_WINDOW_MS) this.pin(o);
      }
    }
    if (opts.ends && s.closeT === 0) {
      s.closeT = h.t;
      if (s.state === OPEN) {
        s.state = QUEUED;
        this.queue.push(s);
      }
    } else if (s.state === OPEN && s.events.length > this.maxSessionEvents) {
      this.trim(s);
    }
    this.advance(h.t);
  }

  private pin(s: Sess): void {
    if (s.state === KEPT || s.state === DROPPED) return;
    if (s.state === POOLED) this.poolEvents -= s.events.length;
    // a queued session stays in the queue array; advance() skips it
    s.state = KEPT;
    this.kept.push(s);
  }

  /** A long unpinned session: its routine events are left out, its notable ones stay. */
  private trim(s: Sess): void {
    const keep: Held[] = [];
    for (const h of s.events) {
      if (h.notable || keep.length === 0) keep.push(h);
      else this.dropEvent(h);
    }
    s.events = keep;
  }

  private dropEvent(h: Held): void {
    this.droppedLane.push(h.lane);
    this.droppedT.push(h.t);
  }

  /** Sessions closed longer than the correlation window ago enter the sample. */
  private advance(now: number): void {
    const q = this.queue;
    while (this.queueHead < q.length && q[this.queueHead]!.closeT < now - CHAIN_WINDOW_MS) {
      this.enterPool(q[this.queueHead++]!);
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > q.length) {
      q.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private enterPool(s: Sess): void {
    if (s.state !== QUEUED && s.state !== OPEN) return;
    const h = fnv1a(s.key) >>> 1;
    s.rank = s.notable ? h : 0x80000000 + h;
    s.state = POOLED;
    this.pool.push(s);
    this.poolEvents += s.events.length;
    while (this.poolEvents > this.budget) {
      const worst = this.pool.pop();
      if (worst === undefined) break;
      if (worst.state !== POOLED) continue;
      this.drop(worst);
    }
  }

  private drop(s: Sess): void {
    this.poolEvents -= s.events.length;
    s.state = DROPPED;
    this.droppedSessions++;
    for (const h of s.events) this.dropEvent(h);
    s.events = [];
    if (this.byKey.get(s.key) === s) this.byKey.delete(s.key);
    const set = this.byPair.get(s.pair);
    if (set !== undefined) {
      set.delete(s);
      if (set.size === 0) this.byPair.delete(s.pair);
    }
  }

  /** End of input: everything still open or queued enters the sample; returns the shown sessions in arrival order. */
  finish(): Sess[] {
    for (let i = this.queueHead; i < this.queue.length; i++) this.enterPool(this.queue[i]!);
    this.queue.length = 0;
    this.queueHead = 0;
    // open sessions in arrival order (Map order), so the result does not depend on hash-map layout
    for (const s of this.byKey.values()) if (s.state === OPEN) this.enterPool(s);
    const shown: Sess[] = [];
    for (const s of this.kept) shown.push(s);
    const pooled: Sess[] = [];
    let p: Sess | undefined;
    while ((p = this.pool.pop()) !== undefined) if (p.state === POOLED) pooled.push(p);
    for (const s of pooled) shown.push(s);
    shown.sort((a, b) => a.seq - b.seq);
    return shown;
  }
}
