/**
 * SW-0002 admin-share-failure-burst: 9 vs 10 distinct attempts, the sliding window, what counts
 * (a retry of the same session, share and status within 1 s counts once), techniques (T1110 only
 * with failed logons, T1135 when only share access was denied), severity by servers, bounds.
 */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { parseConfig } from '../src/shared/config';
import type { AlertRecord, Flow, LifecycleRecord, Timestamp } from '../src/shared/records';
import { at, connect, flowNtlm, logon, ntlmSession, S, withIps } from './helpers/detect-records';

function detector(extra: object = {}, suppression = 0) {
  const out: AlertRecord[] = [];
  const cfg = parseConfig({ suppression: { window: suppression }, rules: { 'admin-share-failure-burst': extra } }, 'test');
  const d = new Detector(cfg, (a) => out.push(a));
  return { out, feed: (recs: LifecycleRecord[]) => recs.forEach((r) => d.process(r)), d };
}
const failedC = (i: number, gapNs = 1 * S) => connect(at(i * gapNs), '\\\\192.168.24.100\\C$', false);

t.test('9 failures: nothing; the 10th fires at once', async (t) => {
  const { out, feed } = detector();
  feed(Array.from({ length: 9 }, (_, i) => failedC(i)));
  t.equal(out.length, 0, '9 failed tree connects');
  const tenth = failedC(9);
  feed([tenth]);
  t.equal(out.length, 1, 'the 10th');
  const a = out[0];
  t.equal(a.ruleId, 'SW-0002');
  t.equal(a.ruleName, 'admin-share-failure-burst');
  t.equal(a.severity, 47, 'medium by default');
  t.equal(a.about, tenth);
  t.same(a.ts, tenth.ts);
  // contract v2: no logon failed, only share access was denied → T1135, not T1110
  t.same(a.techniques.map((x) => x.id), ['T1021.002', 'T1135']);
  t.same(a.techniques.map((x) => x.name), ['SMB/Windows Admin Shares', 'Network Share Discovery']);
  t.equal(
    a.message,
    '10 failed tree connects to admin/hidden shares (distinct attempts) from 192.168.202.115 within 9.0 s; ' +
      'the last: whitecell@NONE-B91CFA7B93 on \\\\192.168.24.100\\C$ at 192.168.24.100: STATUS_ACCESS_DENIED',
  );
});

t.test('sliding 60 s window, exact boundary', async (t) => {
  // 10 failures spread over exactly 60 s: fires
  const a = detector();
  a.feed(Array.from({ length: 10 }, (_, i) => failedC(i, (60 * S) / 9)));
  t.equal(a.out.length, 1, '10 within 60 s (first to last = 60 s)');
  // spread over 60 s + 9 ns: the first is out of the window when the 10th comes
  const b = detector();
  b.feed(Array.from({ length: 10 }, (_, i) => failedC(i, (60 * S + 9) / 9)));
  t.equal(b.out.length, 0, '10 over 60 s + 9 ns');
  // …but an 11th soon after makes 10 within 60 s (more than 1 s after the 10th: no retry of it)
  b.feed([connect(at(62 * S), '\\\\192.168.24.100\\C$', false)]);
  t.equal(b.out.length, 1, 'sliding: 2nd..11th are within 60 s');
});

t.test('failed logons count (no share); count_logons: false turns that off', async (t) => {
  const recs = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? logon(at(i * S), false) : failedC(i)));
  const a = detector();
  a.feed(recs);
  t.equal(a.out.length, 1);
  t.match(a.out[0].message, /^5 failed tree connects to admin\/hidden shares and 5 failed logons \(distinct attempts\) from 192\.168\.202\.115 within 9\.0 s; the last: /);
  t.same(a.out[0].techniques.map((x) => x.id), ['T1021.002', 'T1110'], 'failed logons among them: T1110');
  const b = detector({ count_logons: false });
  b.feed(recs);
  t.equal(b.out.length, 0);
  const c = detector();
  c.feed(Array.from({ length: 10 }, (_, i) => logon(at(i * S), false)));
  t.equal(c.out.length, 1, '10 failed logons alone');
  t.same(c.out[0].techniques.map((x) => x.id), ['T1021.002', 'T1110']);
  t.match(c.out[0].message, /^10 failed logons \(distinct attempts\) from .*the last: logon of whitecell@NONE-B91CFA7B93 at 192\.168\.24\.100: STATUS_LOGON_FAILURE$/);
});

t.test('what does not count', async (t) => {
  const a = detector();
  const ok = Array.from({ length: 20 }, (_, i) => connect(at(i * S), '\\\\srv\\ADMIN$', true));
  const ipc = Array.from({ length: 20 }, (_, i) => connect(at(i * S), '\\\\srv\\IPC$', false));
  const normal = Array.from({ length: 20 }, (_, i) => connect(at(i * S), '\\\\srv\\nosuchshare', false));
  const goodLogons = Array.from({ length: 20 }, (_, i) => logon(at(i * S), true));
  // zeek/smb3_multichannel.pcap: a client whose NTLMSSP null sessions are refused, 10 in 0.4 s
  const nullSession = { ...ntlmSession, user: null, domain: null, workstation: null, auth: 'anonymous' as const };
  const refused = Array.from({ length: 20 }, (_, i) => ({ ...logon(at(i * 0.04 * S), false, flowNtlm, nullSession), status: 'STATUS_ACCESS_DENIED' }));
  a.feed([...ok, ...ipc, ...normal, ...goodLogons, ...refused]);
  t.equal(a.out.length, 0, 'successes, IPC$ and normal-share failures, refused anonymous logons');
  const b = detector();
  b.feed(Array.from({ length: 10 }, (_, i) => connect(at(i * S), '\\\\srv\\PRINT$', false)));
  t.equal(b.out.length, 1, 'hidden shares count');
});

t.test('per source; fires once, then counts afresh (repeats go to suppression)', async (t) => {
  const a = detector();
  const other = withIps(flowNtlm, '192.168.202.116');
  for (let i = 0; i < 9; i++) a.feed([failedC(i), connect(at(i * S), '\\\\srv\\C$', false, other)]);
  t.equal(a.out.length, 0, '9 + 9 from two sources');
  for (let i = 9; i < 19; i++) a.feed([failedC(i)]);
  t.equal(a.out.length, 1, 'fires when crossing, not for the 11th…19th');
  a.feed([failedC(19)]);
  t.equal(a.out.length, 2, 'the next 10 fire again (with suppression off)');

  const s = detector({}, 3600);
  s.feed(Array.from({ length: 35 }, (_, i) => failedC(i)));
  t.equal(s.out.length, 1, 'suppressed repeats');
  s.d.finish(at(40 * S));
  t.equal(s.out.length, 2);
  t.equal(s.out[1].count, 2, '3 crossings: 1 alert + summary of 2');
});

t.test('count, window, severity and max_sources are configurable; eviction is counted', async (t) => {
  const a = detector({ count: 3, window: 2, severity: 'high', max_sources: 2 });
  const src = (n: number) => withIps(flowNtlm, `10.0.0.${n}`);
  // each attempt on its own session: attempts of one session within 1 s would count once
  let sid = 0;
  const c = (ts: Timestamp, f: Flow) => connect(ts, '\\\\s\\C$', false, f, { ...ntlmSession, sessionId: `0x${(++sid).toString(16).padStart(4, '0')}` });
  a.feed([c(at(0), src(1)), c(at(1), src(1))]);
  a.feed([c(at(2), src(2)), c(at(3), src(3))]);
  t.equal(a.d.counters.burstSourcesEvicted, 1, 'source 10.0.0.1 evicted (least recently seen)');
  a.feed([c(at(1.5 * S), src(1))]);
  t.equal(a.out.length, 0, 'its earlier failures are forgotten');
  a.feed([c(at(1.6 * S), src(1)), c(at(1.7 * S), src(1))]);
  t.equal(a.out.length, 1);
  t.equal(a.out[0].severity, 73);
  t.match(a.out[0].message, /^3 failed tree connects/);
});

t.test('enabled: false', async (t) => {
  const a = detector({ enabled: false });
  a.feed(Array.from({ length: 30 }, (_, i) => failedC(i)));
  t.equal(a.out.length, 0);
});

t.test('a retry storm of one session, share and status within 1 s is one attempt (Explorer with DFS referrals)', async (t) => {
  // 14 STATUS_ACCESS_DENIED in 68 ms on one already-authenticated session
  const a = detector();
  a.feed(Array.from({ length: 14 }, (_, i) => failedC(0, 0)).map((r, i) => ({ ...r, ts: at(i * 5.2e6) })));
  t.equal(a.out.length, 0, '14 retries in 68 ms: 1 distinct attempt');
  t.equal(a.d.counters.burstRepeatsIgnored, 13);
  // 9 more distinct attempts (1 s apart: not a repeat any more) make 10
  a.feed(Array.from({ length: 9 }, (_, i) => failedC(i + 2)));
  t.equal(a.out.length, 1, '1 + 9 distinct attempts');
  t.match(a.out[0].message, /^10 failed tree connects to admin\/hidden shares \(distinct attempts\) from /);
  // another status or share is another attempt, even within 1 s
  const b = detector();
  const statuses = ['STATUS_ACCESS_DENIED', 'STATUS_BAD_NETWORK_NAME'];
  const shares = ['C$', 'D$', 'E$', 'ADMIN$', 'X$'];
  const recs: LifecycleRecord[] = [];
  for (const sh of shares) {
    for (const st of statuses) {
      const r = connect(at(recs.length * 1e6), `\\\\192.168.24.100\\${sh}`, false);
      recs.push({ ...r, tree: { ...r.tree, status: st } });
    }
  }
  b.feed(recs);
  t.equal(b.out.length, 1, '5 shares × 2 statuses within 10 ms: 10 distinct attempts');
  t.same(b.out[0].techniques.map((x) => x.id), ['T1021.002'], 'not only access denied: no T1135, no logon: no T1110');
});

t.test('high when the attempts went to 3 or more servers', async (t) => {
  const a = detector();
  const servers = ['10.1.0.1', '10.1.0.2', '10.1.0.3'];
  a.feed(Array.from({ length: 10 }, (_, i) => connect(at(i * S), '\\\\srv\\C$', false, withIps(flowNtlm, flowNtlm.clientIp, servers[i % 3]))));
  t.equal(a.out.length, 1);
  t.equal(a.out[0].severity, 73, 'high');
  t.match(a.out[0].message, / on 3 servers within /);
});
