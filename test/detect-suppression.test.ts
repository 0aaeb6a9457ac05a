/**
 * Suppression on capture time: first alert at once, repeats counted, one summary when the window
 * closes (onTime, a later record, or finish) — only if there were repeats.
 */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { defaultConfig, parseConfig } from '../src/shared/config';
import type { AlertRecord, LifecycleRecord, Timestamp } from '../src/shared/records';
import { at, connect, disconnect, flowKrb, krbSession, S, withIps } from './helpers/detect-records';

function make(cfg: unknown = {}) {
  const out: AlertRecord[] = [];
  const d = new Detector(parseConfig(cfg, 'test'), (a) => out.push(a));
  return { out, d, feed: (recs: LifecycleRecord[]) => recs.forEach((r) => d.process(r)) };
}
/** an ADMIN$ tree removed at T0 + endS seconds after living durS seconds */
const removal = (endS: number, durS = 2, extra = {}) => disconnect({ endTs: at(endS * S), durationNs: durS * S, ...extra });

t.test('repeats within the window → one summary when capture time passes first + window', async (t) => {
  const { out, d, feed } = make();
  feed([removal(0)]);
  t.equal(out.length, 1, 'first alert at once');
  t.equal(out[0].count, null);
  feed([removal(10), removal(20, 20), removal(3600)]);
  t.equal(out.length, 1, 'repeats (the last exactly at first + 3600 s) are counted, not written');
  d.onTime(at(3600 * S));
  t.equal(out.length, 1, 'window still open at exactly first + window');
  d.onTime(at(3600 * S + 1));
  t.equal(out.length, 2, 'closed 1 ns later');
  const s = out[1];
  t.equal(s.ruleId, 'SW-0001');
  t.equal(s.ruleName, 'short-lived-admin-share');
  t.equal(s.count, 3);
  t.equal(s.severity, 73, 'highest severity among the repeats (20 s → medium, 2 s → high)');
  t.same(s.ts, at(3600 * S + 1), 'written at the capture time that closed it');
  t.equal((s.about as { ts: Timestamp }).ts.sec, at(3600 * S).sec, 'about the last repeat');
  t.match(s.message, /^3 more short-lived-admin-share alerts were suppressed for the same source, server, share and user after the first; the last: An unknown user of CONTOSO\.LOCAL/);
  t.same(s.techniques, out[0].techniques);
  t.equal(d.counters.suppressed, 3);
  t.equal(d.counters.summaries, 1);
  t.equal(d.counters.alerts, 2);
  // after the window, the next one is a first alert again
  feed([removal(4000)]);
  t.equal(out.length, 3);
  t.equal(out[2].count, null);
  d.finish(at(5000 * S));
  t.equal(out.length, 3, 'no repeats → no summary');
});

t.test('a later record closes the window before its own alert', async (t) => {
  const { out, feed } = make();
  feed([removal(0), removal(1)]);
  feed([removal(3700)]);
  t.same(out.map((a) => a.count), [null, 1, null], 'summary of the old window, then a new first alert');
});

t.test('capture end flushes summaries; 1 repeat reads well', async (t) => {
  const { out, d, feed } = make();
  feed([removal(0), removal(5)]);
  d.finish(at(60 * S));
  t.equal(out.length, 2);
  t.equal(out[1].count, 1);
  t.same(out[1].ts, at(60 * S));
  t.match(out[1].message, /^1 more short-lived-admin-share alert was suppressed/);
  d.finish(at(61 * S));
  t.equal(out.length, 2, 'finish twice: nothing more');
});

t.test('the key: rule, source, destination, share name (any case), user', async (t) => {
  const { out, d, feed } = make();
  feed([removal(0)]);
  feed([removal(1, 2, { share: '\\\\DC1\\admin$' })]);
  t.equal(out.length, 1, 'share name compared case-insensitively');
  feed([removal(2, 2, { share: '\\\\dc1\\C$' })]);
  feed([removal(3, 2, { flow: withIps(flowKrb, '192.168.10.32') })]);
  feed([removal(4, 2, { flow: withIps(flowKrb, flowKrb.clientIp, '192.168.10.11') })]);
  feed([removal(5, 2, { session: { ...krbSession, user: 'bob' } })]);
  t.equal(out.length, 5, 'another share, source, destination or user: a new first alert');
  // a different rule on the same source/destination/share/user is its own key
  const fan = make({ rules: { 'admin-share-fanout': { servers: 1 } } });
  fan.feed([connect(at(0), '\\\\dc1\\ADMIN$', true, flowKrb, krbSession), removal(1)]);
  t.same(fan.out.map((a) => a.ruleId), ['SW-0003', 'SW-0001']);
  d.finish(at(10 * S));
  t.same(out.slice(5).map((a) => a.count), [1]);
});

t.test('window 0 disables suppression; custom window', async (t) => {
  const off = make({ suppression: { window: 0 } });
  off.feed([removal(0), removal(1), removal(2)]);
  off.d.finish(at(3 * S));
  t.same(off.out.map((a) => a.count), [null, null, null]);
  const short = make({ suppression: { window: 10 } });
  short.feed([removal(0), removal(10), removal(10.5), removal(21)]);
  t.same(short.out.map((a) => a.count), [null, 1, null, null], '0 and 10 s in one window; 10.5 s closes it and opens another; 21 s a third');
});

t.test('max_keys: the oldest window closes early, its summary is written', async (t) => {
  const { out, d, feed } = make({ suppression: { max_keys: 2 } });
  const user = (u: string) => ({ session: { ...krbSession, user: u } });
  feed([removal(0, 2, user('a')), removal(1, 2, user('a')), removal(2, 2, user('b'))]);
  t.equal(out.length, 2);
  feed([removal(3, 2, user('c'))]);
  t.same(out.map((a) => a.count), [null, null, 1, null], "a's summary, then c's first alert");
  t.equal(d.counters.suppressionKeysEvicted, 1);
  t.equal(d.counters.suppressionWindowsOpen, 2);
});

t.test('replay is deterministic: same records → identical alerts', async (t) => {
  const recs: LifecycleRecord[] = [];
  for (let i = 0; i < 200; i++) {
    recs.push(removal(i * 97, (i % 7) * 3, { flow: withIps(flowKrb, `10.0.${i % 3}.1`) }));
    recs.push(connect(at(i * 97 * S), `\\\\s${i % 6}\\C$`, i % 4 !== 0, withIps(flowKrb, `10.0.${i % 3}.1`, `10.1.0.${i % 6}`)));
  }
  const run = () => {
    const out: AlertRecord[] = [];
    const d = new Detector(defaultConfig(), (a) => out.push(a));
    for (const r of recs) {
      d.onTime(r.ts);
      d.process(r);
    }
    d.finish(at(200 * 97 * S));
    return JSON.stringify(out);
  };
  const a = run();
  t.equal(run(), a);
  t.ok(a.length > 1000);
});
