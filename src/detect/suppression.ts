/**
 * Alert suppression on capture time. Key: rule, source IP, destination IP, share name
 * (case-insensitive), user (DOMAIN\user, case-insensitive). The first alert of a key passes at
 * once and opens a window of `window` seconds; repeats inside it (ts ≤ first + window) are only
 * counted. When capture time passes first + window, or the capture ends, or the key is evicted by
 * the memcap, ONE summary alert is emitted if there were repeats: same rule, `count` = repeats,
 * severity = the highest among the repeats, about = the last repeat's record, timestamp = the
 * capture time at which the window was seen to close (so output time never goes backwards).
 * window 0 disables suppression.
 */
import type { AlertRecord, LifecycleRecord, Timestamp } from '../shared/records';
import type { Candidate } from './candidate';

interface Window {
  readonly key: string;
  /** first + window, as sec/nsec */
  readonly endSec: number;
  readonly endNsec: number;
  repeats: number;
  maxSeverity: number;
  last: Candidate | null;
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
  const share = r.kind === 'tree-connect' || r.kind === 'tree-disconnect' ? r.tree.shareName.toLowerCase() : '';
  const user = r.session.user === null ? '' : `${(r.session.domain ?? '').toLowerCase()}\\${r.session.user.toLowerCase()}`;
  return `${c.ruleId}\u0000${r.flow.clientIp}\u0000${r.flow.serverIp}\u0000${share}\u0000${user}`;
}

const toAlert = (c: Candidate, count: number | null, ts: Timestamp, severity: number, message: string): AlertRecord => {
  const a: AlertRecord = {
    kind: 'alert',
    ts,
    ruleId: c.ruleId,
    ruleName: c.ruleName,
    severity,
    message,
    techniques: c.techniques,
    count,
    about: c.about,
  };
  return c.lateralMovement === undefined ? a : { ...a, lateralMovement: c.lateralMovement };
};

export class Suppressor {
  private readonly windowNs: number;
  private readonly bySec: number;
  private readonly byNsec: number;
  private readonly windows = new Map<string, Window>();
  /** open windows in the order they opened (= order they close); removal only at the head */
  private queue: Window[] = [];
  private head = 0;
  /** counters */
  suppressed = 0;
  summaries = 0;
  evicted = 0;

  constructor(
    windowSec: number,
    private readonly maxKeys: number,
    private readonly emit: (a: AlertRecord) => void,
  ) {
    this.windowNs = Math.round(windowSec * 1e9);
    this.bySec = Math.floor(this.windowNs / 1e9);
    this.byNsec = this.windowNs - this.bySec * 1e9;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  /** An alert candidate: emitted now (first of its key) or counted (a repeat). */
  offer(c: Candidate): void {
    if (this.windowNs === 0) {
      this.emit(toAlert(c, null, c.ts, c.severity, c.message));
      return;
    }
    this.closeExpired(c.ts);
    const key = keyOf(c);
    const w = this.windows.get(key);
    if (w !== undefined) {
      w.repeats++;
      if (c.severity > w.maxSeverity) w.maxSeverity = c.severity;
      w.last = c.message.length > 0 ? { ...c, message: flat(c.message) } : c;
      this.suppressed++;
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
    const nw: Window = { key: flat(key), endSec, endNsec, repeats: 0, maxSeverity: 0, last: null };
    this.windows.set(nw.key, nw);
    this.queue.push(nw);
    this.emit(toAlert(c, null, c.ts, c.severity, c.message));
  }

  /** Has the oldest open window's end passed at capture time sec.nsec? */
  expiresBy(sec: number, nsec: number): boolean {
    if (this.head >= this.queue.length) return false;
    const w = this.queue[this.head];
    return !(sec < w.endSec || (sec === w.endSec && nsec <= w.endNsec));
  }

  /** Close the windows whose end capture time `ts` has passed. Cheap when none has. */
  closeExpired(ts: Timestamp): void {
    while (this.head < this.queue.length) {
      const w = this.queue[this.head];
      if (ts.sec < w.endSec || (ts.sec === w.endSec && ts.nsec <= w.endNsec)) break;
      this.closeHead(ts);
    }
  }

  /** Capture end: close every window. */
  closeAll(ts: Timestamp): void {
    while (this.head < this.queue.length) this.closeHead(ts);
  }

  private closeHead(ts: Timestamp): void {
    const w = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.windows.delete(w.key);
    if (w.repeats > 0 && w.last !== null) {
      this.summaries++;
      const c = w.last;
      const n = w.repeats;
      const what = n === 1 ? `1 more ${c.ruleName} alert was` : `${n} more ${c.ruleName} alerts were`;
      const message = `${what} suppressed for the same source, server, share and user after the first; the last: ${c.message}`;
      this.emit(toAlert(c, n, ts, w.maxSeverity, message));
    }
  }
}
