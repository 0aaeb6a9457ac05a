/** SW-0003 admin-share-fanout: 4 vs 5 distinct servers, the window, what counts. */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { parseConfig } from '../src/shared/config';
import type { AlertRecord, LifecycleRecord } from '../src/shared/records';
import { at, connect, flowNtlm, S, withIps } from './helpers/detect-records';

function detector(extra: object = {}) {
  const out: AlertRecord[] = [];
  const cfg = parseConfig({ suppression: { window: 0 }, rules: { 'admin-share-fanout': extra } }, 'test');
  const d = new Detector(cfg, (a) => out.push(a));
  return { out, feed: (recs: LifecycleRecord[]) => recs.forEach((r) => d.process(r)), d };
}
const to = (server: number, tsNs: number, share = 'ADMIN$', ok = true, client = '192.168.202.115') =>
  connect(at(tsNs), `\\\\192.168.24.${server}\\${share}`, ok, withIps(flowNtlm, client, `192.168.24.${server}`));

t.test('4 servers: nothing; the 5th fires', async (t) => {
  const a = detector();
  a.feed([to(1, 0), to(2, 10 * S), to(3, 20 * S, 'C$'), to(4, 30 * S, 'c$')]);
  t.equal(a.out.length, 0);
  const fifth = to(5, 40 * S);
  a.feed([fifth]);
  t.equal(a.out.length, 1);
  const x = a.out[0];
  t.equal(x.ruleId, 'SW-0003');
  t.equal(x.ruleName, 'admin-share-fanout');
  t.equal(x.severity, 73);
  t.equal(x.about, fifth);
  t.same(x.techniques, [
    { id: 'T1021.002', name: 'SMB/Windows Admin Shares' },
    { id: 'T1570', name: 'Lateral Tool Transfer' },
  ]);
  t.equal(
    x.message,
    '192.168.202.115 opened admin shares on 5 servers within 40.0 s (192.168.24.1, 192.168.24.2, 192.168.24.3, ' +
      '192.168.24.4, 192.168.24.5); the last: whitecell@NONE-B91CFA7B93 on \\\\192.168.24.5\\ADMIN$ at 192.168.24.5',
  );
});

t.test('distinct servers only; failures, IPC$ and normal shares do not count', async (t) => {
  const a = detector();
  a.feed([to(1, 0), to(1, 1), to(2, 2, 'C$'), to(2, 3, 'ADMIN$'), to(3, 4), to(4, 5)]);
  a.feed([to(5, 6, 'IPC$'), to(6, 7, 'public'), to(7, 8, 'ADMIN$', false), to(8, 9, 'print$')]);
  t.equal(a.out.length, 0, '4 distinct servers with admin trees');
  a.feed([to(9, 10, 'D$')]);
  t.equal(a.out.length, 1);
});

t.test('sliding 300 s window, exact boundary', async (t) => {
  const a = detector();
  a.feed([0, 100, 200, 250, 300].map((s, i) => to(i + 1, s * S)));
  t.equal(a.out.length, 1, 'first to fifth exactly 300 s');
  const b = detector();
  b.feed([0, 100, 200, 250].map((s, i) => to(i + 1, s * S)));
  b.feed([to(5, 300 * S + 1)]);
  t.equal(b.out.length, 0, '300 s + 1 ns: the first server fell out');
  b.feed([to(6, 301 * S)]);
  t.equal(b.out.length, 1, 'another server within the window');
  // a server seen again is refreshed, not counted twice
  const c = detector();
  c.feed([to(1, 10 * S), to(2, 11 * S), to(3, 12 * S), to(4, 13 * S), to(1, 299 * S), to(5, 311 * S)]);
  t.equal(c.out.length, 1, 'server 1 refreshed at 299 s stays in');
  const d = detector();
  d.feed([to(1, 10 * S), to(2, 11 * S), to(3, 12 * S), to(4, 13 * S), to(5, 311 * S)]);
  t.equal(d.out.length, 0, 'without the refresh it fell out');
});

t.test('per source; fires once then starts afresh; configurable', async (t) => {
  const a = detector({ servers: 2, window: 10, severity: 'critical' });
  a.feed([to(1, 0), to(2, 1, 'ADMIN$', true, '10.9.9.9')]);
  t.equal(a.out.length, 0, 'two sources, one server each');
  a.feed([to(2, 2)]);
  t.equal(a.out.length, 1);
  t.equal(a.out[0].severity, 99);
  a.feed([to(3, 3)]);
  t.equal(a.out.length, 1, 'state cleared after firing');
  a.feed([to(4, 4)]);
  t.equal(a.out.length, 2);
});

t.test('max_sources bounds the state; evictions counted', async (t) => {
  const a = detector({ servers: 2, max_sources: 3 });
  for (let i = 0; i < 10; i++) a.feed([to(1, i, 'ADMIN$', true, `10.0.0.${i}`)]);
  t.equal(a.d.counters.fanoutSourcesEvicted, 7);
  a.feed([to(2, 20, 'ADMIN$', true, '10.0.0.0')]);
  t.equal(a.out.length, 0, 'evicted source starts from zero');
  a.feed([to(2, 21, 'ADMIN$', true, '10.0.0.9')]);
  t.equal(a.out.length, 1, 'kept source fires');
});

t.test('enabled: false', async (t) => {
  const a = detector({ enabled: false });
  a.feed([1, 2, 3, 4, 5, 6].map((n) => to(n, n)));
  t.equal(a.out.length, 0);
});
