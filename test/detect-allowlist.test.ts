/** Allowlists of each kind, on each rule. */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { Allowlist } from '../src/detect/allowlist';
import { parseConfig } from '../src/shared/config';
import type { AlertRecord, LifecycleRecord, SessionView } from '../src/shared/records';
import { at, connect, disconnect, flowKrb, flowNtlm, krbSession, logon, ntlmSession, S, withIps } from './helpers/detect-records';

const NONE = { sources: [], destinations: [], users: [], machineAccounts: false, shares: [] };
const al = (o: object) => new Allowlist({ ...NONE, ...o });

t.test('sources and destinations: IPv4, IPv6, CIDR, IPv4-mapped', async (t) => {
  const rec = disconnect({ flow: flowNtlm, session: ntlmSession });
  t.notOk(al({}).matches(rec), 'empty allowlist');
  t.ok(al({ sources: ['192.168.202.0/24'] }).matches(rec));
  t.ok(al({ sources: ['192.168.202.115'] }).matches(rec));
  t.notOk(al({ sources: ['192.168.202.116'] }).matches(rec));
  t.notOk(al({ sources: ['192.168.24.100'] }).matches(rec), 'the server address is no source');
  t.ok(al({ destinations: ['192.168.24.100/32'] }).matches(rec));
  t.notOk(al({ destinations: ['192.168.202.0/24'] }).matches(rec));
  t.ok(al({ sources: ['::ffff:192.168.0.0/112'] }).matches(rec), 'IPv6 block over the mapped range');
  const v6 = disconnect({ flow: withIps(flowNtlm, 'fd00:1::15', '2001:db8::445') });
  t.ok(al({ sources: ['fd00:1::/64'] }).matches(v6));
  t.notOk(al({ sources: ['fd00:2::/64'] }).matches(v6));
  t.ok(al({ destinations: ['2001:db8::/32'] }).matches(v6));
  const mapped = disconnect({ flow: withIps(flowNtlm, '::ffff:10.1.2.3') });
  t.ok(al({ sources: ['10.0.0.0/8'] }).matches(mapped), 'IPv4 block matches the IPv4-mapped client');
});

t.test('users: bare name, DOMAIN\\user, user@DOMAIN, Kerberos realm, case-insensitive', async (t) => {
  const rec = connect(at(0), '\\\\srv\\C$', true);
  t.ok(al({ users: ['whitecell'] }).matches(rec));
  t.ok(al({ users: ['WHITECELL'] }).matches(rec));
  t.ok(al({ users: ['none-b91cfa7b93\\WhiteCell'] }).matches(rec));
  t.ok(al({ users: ['whitecell@NONE-B91CFA7B93'] }).matches(rec));
  t.notOk(al({ users: ['OTHER\\whitecell'] }).matches(rec), 'other domain');
  t.notOk(al({ users: ['white'] }).matches(rec));
  const krbUser: SessionView = { ...krbSession, user: 'Administrator', domain: 'CONTOSO' };
  t.ok(al({ users: ['administrator@contoso.local'] }).matches(disconnect({ session: krbUser })), 'realm counts as the domain');
  t.notOk(al({ users: ['administrator'] }).matches(disconnect({ session: krbSession })), 'unknown user never matches');
});

t.test('machine accounts', async (t) => {
  const machine = disconnect({ session: { ...ntlmSession, user: 'WS01$' } });
  t.ok(al({ machineAccounts: true }).matches(machine));
  t.notOk(al({ machineAccounts: false }).matches(machine));
  t.notOk(al({ machineAccounts: true }).matches(disconnect({ session: ntlmSession })));
  t.notOk(al({ machineAccounts: true }).matches(disconnect({ session: krbSession })), 'no user');
});

t.test('shares: names and UNC paths, case-insensitive; logons carry no share', async (t) => {
  const rec = disconnect({ share: '\\\\dc1\\ADMIN$' });
  t.ok(al({ shares: ['admin$'] }).matches(rec));
  t.ok(al({ shares: ['\\\\DC1\\admin$'] }).matches(rec));
  t.ok(al({ shares: ['//dc1/ADMIN$/'] }).matches(rec));
  t.notOk(al({ shares: ['\\\\dc2\\ADMIN$'] }).matches(rec));
  t.notOk(al({ shares: ['C$'] }).matches(rec));
  t.notOk(al({ shares: ['ADMIN$'] }).matches(logon(at(0), false)));
});

function alerts(cfg: unknown, recs: LifecycleRecord[]): AlertRecord[] {
  const out: AlertRecord[] = [];
  const d = new Detector(parseConfig(cfg, 'test'), (a) => out.push(a));
  for (const r of recs) d.process(r);
  return out;
}

t.test('each rule applies its own allowlist, counted', async (t) => {
  const lists = { sources: ['192.168.202.115', '192.168.10.31'] };
  const shortLived = [disconnect(), disconnect({ flow: flowNtlm, session: ntlmSession })];
  const burst = Array.from({ length: 10 }, (_, i) => connect(at(i * S), '\\\\srv\\C$', false));
  const fan = [1, 2, 3, 4, 5].map((n) => connect(at(n * S), `\\\\10.0.0.${n}\\C$`, true, withIps(flowNtlm, flowNtlm.clientIp, `10.0.0.${n}`)));
  const all = [...shortLived, ...burst, ...fan];
  const base = { suppression: { window: 0 } };
  t.same(alerts(base, all).map((a) => a.ruleId), ['SW-0001', 'SW-0001', 'SW-0002', 'SW-0003']);
  const rule = (name: string) => ({ ...base, rules: { [name]: { allowlist: lists } } });
  t.same(alerts(rule('short-lived-admin-share'), all).map((a) => a.ruleId), ['SW-0002', 'SW-0003']);
  t.same(alerts(rule('admin-share-failure-burst'), all).map((a) => a.ruleId), ['SW-0001', 'SW-0001', 'SW-0003']);
  t.same(alerts(rule('admin-share-fanout'), all).map((a) => a.ruleId), ['SW-0001', 'SW-0001', 'SW-0002']);
  const out: AlertRecord[] = [];
  const d = new Detector(parseConfig(rule('short-lived-admin-share'), 'test'), (a) => out.push(a));
  for (const r of all) d.process(r);
  t.equal(d.counters.allowlisted.get('short-lived-admin-share'), 2);
  t.equal(d.counters.allowlisted.get('admin-share-failure-burst'), 0);
  // allowlisted records do not count towards a burst either
  const partly = { ...base, rules: { 'admin-share-failure-burst': { allowlist: { destinations: ['192.168.24.100'] } } } };
  const mixed = [...burst.slice(0, 5), ...Array.from({ length: 5 }, (_, i) => connect(at((10 + i) * S), '\\\\x\\C$', false, withIps(flowNtlm, flowNtlm.clientIp, '192.168.24.101')))];
  t.equal(alerts(partly, mixed).length, 0, '5 allowlisted + 5 counted < 10');
  // the same attempts again 10 s later (a retry within 1 s would count once)
  const again = mixed.slice(5).map((r) => ({ ...r, ts: at((r.ts.sec - at(0).sec + 10) * S) }));
  t.equal(alerts(partly, [...mixed, ...again]).length, 1, '10 counted');
  t.ok(flowKrb);
});
