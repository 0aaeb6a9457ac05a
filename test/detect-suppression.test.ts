/**
 * Suppression on capture time: first alert at once; a repeat that is more severe than any emitted
 * in the window or names a file not seen in it is emitted too; other repeats are folded into one
 * summary (count, start/end, union of files bounded at 16 + the rest counted, highest severity)
 * when the window closes (onTime, a later record, or finish) — only if there were repeats — and,
 * live, at most every summary_interval.
 */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { defaultConfig, parseConfig } from '../src/shared/config';
import type { AlertRecord, LifecycleRecord, Timestamp } from '../src/shared/records';
import { at, connect, disconnect, flowKrb, krbSession, S, withIps } from './helpers/detect-records';

function make(cfg: unknown = {}, live = false) {
  const out: AlertRecord[] = [];
  const d = new Detector(parseConfig(cfg, 'test'), (a) => out.push(a), { live });
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
  t.match(s.message, /^3 more short-lived-admin-share alerts were folded for the same source, server, share and user; the last: An unknown user of CONTOSO\.LOCAL/);
  t.same(s.summary, { start: at(10 * S), end: at(3600 * S), names: [], namesOmitted: 0 }, 'first and last folded repeat');
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
  t.match(out[1].message, /^1 more short-lived-admin-share alert was folded/);
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

t.test('a more severe repeat is emitted, not folded', async (t) => {
  const { out, d, feed } = make();
  // 20 s tree → medium; 2 s tree → high; 2 s tree writing files → critical
  feed([removal(0, 20), removal(30, 20), removal(60, 2), removal(90, 2), removal(120, 2, { files: ['x.txt'] }), removal(150, 20)]);
  t.same(out.map((a) => [a.severity, a.count]), [[47, null], [73, null], [99, null]], 'medium, then high, then critical');
  t.equal(d.counters.repeatsEmitted, 2);
  d.finish(at(200 * S));
  t.same(out.slice(3).map((a) => [a.severity, a.count]), [[73, 3]], 'the other 3 repeats folded; highest folded severity');
});

t.test('a repeat naming a file not seen in the window is emitted; the summary lists the union of files, 16 + count', async (t) => {
  const { out, d, feed } = make({ rules: { 'executable-written-to-admin-share': { enabled: false } } });
  feed([removal(0, 2, { files: ['probe'] })]);
  feed([removal(1, 2, { files: ['probe'] })]);
  t.equal(out.length, 1, 'same file again: folded');
  feed([removal(2, 2, { files: ['XQZbWxyz.exe'], wroteExecutable: true })]);
  t.equal(out.length, 2, 'a new file: emitted');
  t.same(out[1].about.kind === 'tree-disconnect' && out[1].about.files, ['XQZbWxyz.exe']);
  feed([removal(3, 2, { files: ['PROBE'] })]);
  t.equal(out.length, 2, 'file names compared case-insensitively');
  d.finish(at(10 * S));
  t.same(out[2].summary, { start: at(1 * S), end: at(3 * S), names: ['probe', 'PROBE'], namesOmitted: 0 });
  t.equal(out[2].count, 2);

  // bounded: the window remembers 256 names; past them new names fold; a summary lists 16
  const b = make();
  const files = (i: number) => Array.from({ length: 16 }, (_, k) => `f${i}-${k}.txt`);
  for (let i = 0; i < 20; i++) b.feed([removal(i, 2, { files: files(i) })]);
  t.equal(b.out.length, 16, '16 × 16 = 256 names seen, then repeats with new names fold');
  b.d.finish(at(100 * S));
  const sum = b.out[16];
  t.equal(sum.count, 4);
  t.equal(sum.summary?.names.length, 16);
  t.equal(sum.summary?.namesOmitted, 48, '4 × 16 names, 16 listed, 48 counted');
  t.match(sum.message, /\(naming f16-0\.txt, f16-1\.txt, f16-2\.txt and 61 more\)/);
});

t.test('live: a summary at most every summary_interval while repeats go on; replay: only when the window closes', async (t) => {
  const live = make({ suppression: { summary_interval: 300 } }, true);
  live.feed([removal(0)]);
  // capture time ticks every 50 s (as packets do); repeats at 100…1200 s
  for (let i = 1; i <= 26; i++) {
    live.d.onTime(at(i * 50 * S));
    if (i % 2 === 0 && i <= 24) live.feed([removal(i * 50)]);
  }
  // the first folded at 100 → due at 400, seen by the 450 tick (100…400 folded); next 500 → 800, …
  t.same(live.out.map((a) => [a.ts.sec - at(0).sec, a.count]), [[0, null], [450, 4], [850, 4], [1250, 4]]);
  t.same(live.out[1].summary?.start, at(100 * S));
  t.same(live.out[1].summary?.end, at(400 * S));
  live.d.onTime(at(1500 * S));
  t.same(live.out.slice(4).map((a) => a.count), [], 'nothing folded since the last summary');
  live.feed([removal(1600)]);
  live.d.onTimeAt(at(1900 * S).sec, at(1900 * S).nsec + 1);
  t.same(live.out.slice(4).map((a) => [a.ts.sec - at(0).sec, a.count]), [[1900, 1]], 'due 300 s after the first folded repeat');
  t.same(live.out[4].summary?.start, at(1600 * S));
  live.d.finish(at(2000 * S));
  t.equal(live.out.length, 5, 'capture end: nothing left to summarize');

  const replay = make({ suppression: { summary_interval: 300 } });
  replay.feed([removal(0)]);
  for (let i = 1; i <= 12; i++) replay.feed([removal(i * 100)]);
  replay.d.finish(at(1300 * S));
  t.same(replay.out.map((a) => a.count), [null, 12]);
});
