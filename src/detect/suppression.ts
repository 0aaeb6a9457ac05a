/**
 * Alert suppression on capture time (contract: Alerts, Suppression). Key: rule, source IP,
 * destination IP, share name (case-insensitive), user (DOMAIN\user, case-insensitive). The first
 * alert of a key passes at once and opens a window of `window` seconds. A repeat inside it
 * (ts ≤ first + window) passes too when it is MORE SEVERE than every alert emitted in the window,
 * or names a file/service/task not seen in the window (`Candidate.names`): suppression never hides
 * a worse or a different repeat. Other repeats are folded: ONE summary alert carries them (same
 * rule, `count` = folded repeats, start/end = first and last folded repeat, the union of their
 * names bounded at 16 plus the count of the rest, the highest folded severity, about = the last
 * folded repeat's record) when capture time passes first + window, at capture end, when the key
 * is evicted by the memcap, and — with `periodic` (live) — `summaryInterval` seconds after the
 * first repeat folded since the previous summary. A summary's timestamp is the capture time at
 * which it was decided, so output time never goes backwards. window 0 disables suppression.
 */
import type { AlertRecord, LifecycleRecord, Timestamp } from '../shared/records';
import type { Candidate } from './candidate';

/** names listed in a summary; the rest are counted */
export const SUMMARY_NAMES = 16;
/** names remembered per window for the "not seen yet" test; past it, new names fold */
const SEEN_NAMES = 256;

interface Window {
  readonly key: string;
  /** first + window, as sec/nsec */
  readonly endSec: number;
  readonly endNsec: number;
  /** highest severity emitted in the window */
  maxEmitted: number;
  /** names of every alert of the window (emitted or folded), lower case */
  seen: Set<string> | null;
  /** folded since the last summary */
  repeats: number;
  maxSeverity: number;
  last: Candidate | null;
  first: Timestamp | null;
  names: string[] | null;
  namesOmitted: number;
  /** this window waits in the periodic queue */
  due: boolean;
}

interface Due {
  readonly w: Window;
  readonly sec: number;
  readonly nsec: number;
}

/**
 * A flat copy of a string built by concatenation. Template literals make rope (cons) strings;
 * a window kept open for an hour would hold the rope's ~8 nodes per message and key (a third of
 * a window's memory at 70k open windows). Lossless for any UTF-16, lone surrogates included.
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function keyOf(c: Candidate): string {
  const r: LifecycleRecord = c.about;
  const share =
    r.kind === 'tree-connect' || r.kind === 'tree-disconnect'
      ? r.tree.shareName.toLowerCase()
      : r.kind === 'inferred-tree'
        ? r.shareCandidates.join('|').toLowerCase()
        : '';
  const user = r.session.user === null ? '' : `${(r.session.domain ?? '').toLowerCase()}\\${r.session.user.toLowerCase()}`;
  return `${c.ruleId}\u0000${r.flow.clientIp}\u0000${r.flow.serverIp}\u0000${share}\u0000${user}`;
}

const toAlert = (c: Candidate, ts: Timestamp, severity: number, message: string): AlertRecord => {
  const a: AlertRecord = {
    kind: 'alert',
    ts,
    ruleId: c.ruleId,
    ruleName: c.ruleName,
    severity,
    message,
    techniques: c.techniques,
    count: null,
    about: c.about,
  };
  // SW-0012's chain (id, steps, tool)
  return c.lateralMovement === undefined ? a : { ...a, lateralMovement: c.lateralMovement };
};

const before = (a: Timestamp, sec: number, nsec: number): boolean => a.sec < sec || (a.sec === sec && a.nsec <= nsec);

export interface SuppressorOptions {
  /** seconds; 0 disables suppression */
  readonly window: number;
  readonly maxKeys: number;
  /** seconds between periodic summaries (live) */
  readonly summaryInterval: number;
  /** emit periodic summaries (live capture) */
  readonly periodic: boolean;
}

export class Suppressor {
  private readonly windowNs: number;
  private readonly bySec: number;
  private readonly byNsec: number;
  private readonly everySec: number;
  private readonly everyNsec: number;
  private readonly periodic: boolean;
  private readonly maxKeys: number;
  private readonly windows = new Map<string, Window>();
  /** open windows in the order they opened (= order they close); removal only at the head */
  private queue: Window[] = [];
  private head = 0;
  /** windows with folded repeats waiting for a periodic summary, due times ascending */
  private dueQueue: Due[] = [];
  private dueHead = 0;
  /** counters */
  suppressed = 0;
  /** repeats emitted because they were more severe or named something new */
  escalated = 0;
  summaries = 0;
  evicted = 0;

  constructor(
    opts: SuppressorOptions,
    private readonly emit: (a: AlertRecord) => void,
  ) {
    this.windowNs = Math.round(opts.window * 1e9);
    this.bySec = Math.floor(this.windowNs / 1e9);
    this.byNsec = this.windowNs - this.bySec * 1e9;
    const every = Math.round(opts.summaryInterval * 1e9);
    this.everySec = Math.floor(every / 1e9);
    this.everyNsec = every - this.everySec * 1e9;
    this.periodic = opts.periodic;
    this.maxKeys = opts.maxKeys;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  /** An alert candidate: emitted now (first of its key, worse or different) or folded. */
  offer(c: Candidate): void {
    if (this.windowNs === 0) {
      this.emit(toAlert(c, c.ts, c.severity, c.message));
      return;
    }
    this.closeExpired(c.ts);
    const key = keyOf(c);
    const w = this.windows.get(key);
    if (w !== undefined) {
      if (c.severity > w.maxEmitted || this.namesSomethingNew(w, c)) {
        this.remember(w, c);
        if (c.severity > w.maxEmitted) w.maxEmitted = c.severity;
        this.escalated++;
        this.emit(toAlert(c, c.ts, c.severity, c.message));
        return;
      }
      this.fold(w, c);
      return;
    }
    if (this.windows.size >= this.maxKeys) {
      this.evicted++;
      this.closeHead(c.ts);
    }
    let endSec = c.ts.sec + this.bySec;
    let endNsec = c.ts.nsec + this.byNsec;
    if (endNsec >= 1e9) {
      endSec++;
      endNsec -= 1e9;
    }
    const nw: Window = {
      key: flat(key),
      endSec,
      endNsec,
      maxEmitted: c.severity,
      seen: null,
      repeats: 0,
      maxSeverity: 0,
      last: null,
      first: null,
      names: null,
      namesOmitted: 0,
      due: false,
    };
    this.remember(nw, c);
    this.windows.set(nw.key, nw);
    this.queue.push(nw);
    this.emit(toAlert(c, c.ts, c.severity, c.message));
  }

  private namesSomethingNew(w: Window, c: Candidate): boolean {
    const n = c.names;
    if (n.length === 0) return false;
    const seen = w.seen;
    if (seen === null) return true;
    if (seen.size >= SEEN_NAMES) return false;
    for (let i = 0; i < n.length; i++) if (!seen.has(n[i]!.toLowerCase())) return true;
    return false;
  }

  private remember(w: Window, c: Candidate): void {
    const n = c.names;
    for (let i = 0; i < n.length; i++) {
      const seen = (w.seen ??= new Set());
      if (seen.size >= SEEN_NAMES) return;
      seen.add(flat(n[i]!.toLowerCase()));
    }
  }

  private fold(w: Window, c: Candidate): void {
    this.suppressed++;
    if (w.repeats === 0) {
      w.first = c.ts;
      w.maxSeverity = 0;
      if (this.periodic && !w.due) {
        w.due = true;
        let sec = c.ts.sec + this.everySec;
        let nsec = c.ts.nsec + this.everyNsec;
        if (nsec >= 1e9) {
          sec++;
          nsec -= 1e9;
        }
        this.dueQueue.push({ w, sec, nsec });
      }
    }
    w.repeats++;
    if (c.severity > w.maxSeverity) w.maxSeverity = c.severity;
    w.last = c.message.length > 0 ? { ...c, message: flat(c.message) } : c;
    const n = c.names;
    for (let i = 0; i < n.length; i++) {
      const names = (w.names ??= []);
      if (names.includes(n[i]!)) continue;
      if (names.length < SUMMARY_NAMES) names.push(flat(n[i]!));
      else w.namesOmitted++;
    }
  }

  /** Has an open window's end (or a periodic summary) come by capture time sec.nsec? */
  expiresBy(sec: number, nsec: number): boolean {
    if (this.dueHead < this.dueQueue.length) {
      const d = this.dueQueue[this.dueHead]!;
      if (!(sec < d.sec || (sec === d.sec && nsec <= d.nsec))) return true;
    }
    if (this.head >= this.queue.length) return false;
    const w = this.queue[this.head]!;
    return !(sec < w.endSec || (sec === w.endSec && nsec <= w.endNsec));
  }

  /** Close the windows whose end capture time `ts` has passed, and emit due periodic summaries. */
  closeExpired(ts: Timestamp): void {
    while (this.head < this.queue.length) {
      const w = this.queue[this.head]!;
      if (before(ts, w.endSec, w.endNsec)) break;
      this.closeHead(ts);
    }
    while (this.dueHead < this.dueQueue.length) {
      const d = this.dueQueue[this.dueHead]!;
      if (before(ts, d.sec, d.nsec)) break;
      this.dueHead++;
      if (this.dueHead > 1024 && this.dueHead * 2 > this.dueQueue.length) {
        this.dueQueue = this.dueQueue.slice(this.dueHead);
        this.dueHead = 0;
      }
      d.w.due = false;
      // a window closed meanwhile has had its final summary
      if (this.windows.get(d.w.key) === d.w) this.summarize(d.w, ts);
    }
  }

  /** Capture end: close every window. */
  closeAll(ts: Timestamp): void {
    while (this.head < this.queue.length) this.closeHead(ts);
  }

  /** callers check head < queue.length */
  private closeHead(ts: Timestamp): void {
    const w = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.windows.delete(w.key);
    this.summarize(w, ts);
  }

  /** One summary of the repeats folded since the last one (if any); the window stays as it is. */
  private summarize(w: Window, ts: Timestamp): void {
    if (w.repeats === 0 || w.last === null || w.first === null) return;
    this.summaries++;
    const c = w.last;
    const n = w.repeats;
    const what = n === 1 ? `1 more ${c.ruleName} alert was` : `${n} more ${c.ruleName} alerts were`;
    let names = '';
    if (w.names !== null && w.names.length > 0) {
      names = ` (naming ${w.names.slice(0, 3).join(', ')}`;
      const more = w.names.length - 3 + w.namesOmitted;
      names += more > 0 ? ` and ${more} more)` : ')';
    }
    const message = `${what} folded for the same source, server, share and user${names}; the last: ${c.message}`;
    this.emit({
      ...toAlert(c, ts, w.maxSeverity, message),
      count: n,
      summary: { start: w.first, end: c.ts, names: w.names ?? [], namesOmitted: w.namesOmitted },
    });
    w.repeats = 0;
    w.first = null;
    w.last = null;
    w.names = null;
    w.namesOmitted = 0;
  }
}
