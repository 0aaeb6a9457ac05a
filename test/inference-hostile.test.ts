/**
 * Hostile transform headers (issue 21): lying OriginalMessageSize values, SessionId churn, floods of
 * unanswered requests and of tree connects. The inference state stays bounded and every cut is
 * counted; nothing throws. Drives the real Tracker with transform messages as src/net hands them.
 */
import t from 'tap';
import { Tracker } from '../src/tracker/tracker';
import type { Conn, SmbMessage } from '../src/shared/stream';
import type { LifecycleRecord } from '../src/shared/records';
import { MAX_OPEN_TREES, MAX_PENDING } from '../src/tracker/inference/session-inference';

function conn(id: number): Conn {
  return { id, clientIp: '192.0.2.10', clientPort: 40000 + (id % 20000), serverIp: '192.0.2.1', serverPort: 445, startSec: 1, startNsec: 0, dcerpc: false, user: undefined };
}

function transform(size: number, sidLo: number, sidHi = 0): Buffer {
  const b = Buffer.alloc(52);
  b.write('\xfdSMB', 0, 'latin1');
  b.writeUInt32LE(size >>> 0, 36);
  b.writeUInt16LE(1, 42);
  b.writeUInt32LE(sidLo >>> 0, 44);
  b.writeUInt32LE(sidHi >>> 0, 48);
  return b;
}

class Driver {
  readonly records: LifecycleRecord[] = [];
  readonly tracker: Tracker;
  readonly c: Conn;
  sec = 1000;
  constructor(opts: ConstructorParameters<typeof Tracker>[1] = {}) {
    this.tracker = new Tracker((r) => this.records.push(r), opts);
    this.c = conn(1);
    this.tracker.onConnStart(this.c);
  }
  /** one transform message; nbssLength defaults to an honest 52 + size */
  send(dir: 0 | 1, size: number, sid = 7, nbssLength = 52 + size): void {
    this.sec += 0.001;
    const s = Math.floor(this.sec);
    const msg: SmbMessage = { conn: this.c, dir, tsSec: s, tsNsec: Math.round((this.sec - s) * 1e9), data: transform(size, sid), length: nbssLength, truncated: false, afterGap: false };
    this.tracker.onSmbMessage(msg);
  }
  end(): void {
    this.tracker.onConnEnd(this.c, 'fin', Math.floor(this.sec) + 1, 0);
  }
  inferred() {
    return this.records.filter((r) => r.kind === 'inferred-tree');
  }
}

t.test('lying sizes: larger than the message, zero, or smaller (chained) are counted, not believed', async (t) => {
  const d = new Driver();
  const ic = d.tracker.inference.counters;
  d.send(0, 108, 7, 52 + 20); // claims 108 bytes, carries 20
  d.send(1, 0xffffffff, 7, 52 + 80); // 4 GiB
  d.send(0, 0, 7, 52 + 64);
  t.equal(ic.sizeMismatch, 3);
  t.equal(ic.sessions, 0, 'no inference state for a session that only lied');
  d.send(0, 108, 7, 52 + 108 + 60); // a second transform chained behind the first
  t.equal(ic.chained, 1);
  d.send(1, 80);
  t.equal(d.tracker.inference.counters.treesInferred, 0);
  d.end();
  t.same(d.inferred(), [], 'a chained (compound) message is never read as a TREE_CONNECT');
  t.equal(d.records.filter((r) => r.kind === 'encrypted-session').length, 1, 'the session is still reported');
});

t.test('SessionId churn: inference sessions are capped and evictions counted', async (t) => {
  const d = new Driver({ maxSessions: 2000, maxInferenceSessions: 300 });
  for (let i = 0; i < 20_000; i++) {
    d.send(0, 108, 1000 + i);
    d.send(1, 80, 1000 + i);
  }
  const ic = d.tracker.inference.counters;
  t.ok(ic.sessions <= 300, `open inference sessions ${ic.sessions}`);
  t.ok(ic.sessionsEvicted >= 20_000 - 2000 - 300, `evicted ${ic.sessionsEvicted}`);
  t.ok(d.tracker.counters.sessionsEvicted > 0, 'the tracker evicts its own sessions too');
  t.ok(d.tracker.openSessions <= 2000);
  // every inferred tree that was cut short by an eviction ends as idle_timeout: no removal, no alert
  const reasons = new Set(d.inferred().map((r) => (r as { reason: string }).reason));
  t.same([...reasons], ['idle_timeout']);
  d.end();
  t.equal(ic.sessions, 0);
});

t.test('unanswered requests and endless tree connects stay bounded per session', async (t) => {
  const d = new Driver();
  for (let i = 0; i < 50_000; i++) d.send(0, 200 + (i % 500) * 2);
  t.equal(d.tracker.inference.counters.pendingEvicted, 50_000 - MAX_PENDING);
  const e = new Driver();
  for (let i = 0; i < 5000; i++) {
    e.send(0, 108);
    e.send(1, 80);
  }
  const ic = e.tracker.inference.counters;
  t.equal(ic.treesEvicted, 5000 - MAX_OPEN_TREES);
  e.end();
  t.equal(e.inferred().length, 5000, 'every tree is reported once: evicted ones as idle_timeout, the rest at the end');
  t.equal(e.inferred().filter((r) => (r as { reason: string }).reason === 'idle_timeout').length, 5000 - MAX_OPEN_TREES);
});

t.test('random transform headers never throw', async (t) => {
  const d = new Driver({ maxInferenceSessions: 100 });
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 50_000; i++) {
    const size = rnd() < 0.5 ? Math.floor(rnd() * 300) : Math.floor(rnd() * 2 ** 32);
    const nbss = rnd() < 0.5 ? 52 + size : Math.floor(rnd() * 2000);
    d.send(rnd() < 0.5 ? 0 : 1, size, Math.floor(rnd() * 50), nbss);
  }
  d.end();
  t.ok(d.tracker.inference.counters.sizeMismatch > 0);
  t.equal(d.tracker.inference.counters.sessions, 0);
  for (const r of d.inferred()) {
    const x = r as { durationNs: number; shareNameLength: number; confidence: number };
    if (!(x.durationNs >= 0 && x.shareNameLength >= 1 && x.confidence >= 0 && x.confidence <= 1)) {
      t.fail(`bad record ${JSON.stringify(r)}`);
      break;
    }
  }
});
