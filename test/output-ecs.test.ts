import t from 'tap';
import { toEcs as toEcsDefault, toNdjsonLine as toLineDefault, outcomeOf, actionOf } from '../src/output/ecs';
import { makeObserver } from '../src/output/observer';
import { packageVersion } from '../src/shared/version';
import type { OutputRecord } from '../src/shared/records';
import { isoMicros, zeekTime, zeekInterval, subtractNs } from '../src/output/timestamp';
import * as R from './helpers/output-records';

// contract v2 (issue 16): every line now carries event.category/type, ecs.version,
// network.protocol/community_id, related.*, observer.*; tree ends carry smb.pipes. The exact lines
// below are written with a fixed observer name so they do not depend on this machine's host name.
const OB = makeObserver({ name: 'sensor-1' });
const toEcs = (r: OutputRecord): Record<string, unknown> => toEcsDefault(r, OB);
const toNdjsonLine = (r: OutputRecord): string => toLineDefault(r, OB);
const V = packageVersion();
const CONTEXT4 =
  '"ecs":{"version":"9.4.0"},"source":{"ip":"10.0.0.11","port":49208},"destination":{"ip":"10.0.0.12","port":445},' +
  '"network":{"transport":"tcp","protocol":"smb","community_id":"1:27w2kQNEvTyGuI/K3C9gomO4K3c="},' +
  '"related":{"ip":["10.0.0.11","10.0.0.12"],"user":["alice"],"hosts":["WS01"]},' +
  `"observer":{"product":"sharewatch","type":"sensor","version":"${V}","hostname":"sensor-1"},`;

t.test('@timestamp: ISO 8601 UTC, exactly 6 fractional digits, ns truncated', async (t) => {
  t.equal(isoMicros({ sec: 1795395723, nsec: 123456789 }), '2026-11-23T01:02:03.123456Z');
  t.equal(isoMicros({ sec: 1795395723, nsec: 999999999 }), '2026-11-23T01:02:03.999999Z', 'no rounding into the next second');
  t.equal(isoMicros({ sec: 1795395723, nsec: 0 }), '2026-11-23T01:02:03.000000Z');
  t.equal(isoMicros({ sec: 1795395723, nsec: 999 }), '2026-11-23T01:02:03.000000Z');
  t.equal(isoMicros({ sec: 1795395723, nsec: 1000 }), '2026-11-23T01:02:03.000001Z');
  t.equal(isoMicros({ sec: 0, nsec: 0 }), '1970-01-01T00:00:00.000000Z');
  t.equal(isoMicros({ sec: 946684799, nsec: 999999999 }), '1999-12-31T23:59:59.999999Z', 'pre-2000');
  t.equal(isoMicros({ sec: 951782400, nsec: 5000 }), '2000-02-29T00:00:00.000005Z', 'leap day');
  t.equal(isoMicros({ sec: -1, nsec: 500000000 }), '1969-12-31T23:59:59.500000Z', 'before the epoch');
  t.equal(isoMicros({ sec: 4294967295, nsec: 999999000 }), '2106-02-07T06:28:15.999999Z', 'uint32 pcap maximum');
  t.equal(isoMicros({ sec: 10, nsec: 1_500_000_000 }), '1970-01-01T00:00:11.500000Z', 'nsec overflow carried');
  // against Date for many random whole-ms values (where Date is exact)
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor(Math.random() * 4e12) - 1e12;
    const sec = Math.floor(ms / 1000);
    const nsec = (ms - sec * 1000) * 1e6 + Math.floor(Math.random() * 1000) * 1000 + 999;
    const want = new Date(sec * 1000).toISOString().slice(0, 19) + '.' + String(Math.floor(nsec / 1000)).padStart(6, '0') + 'Z';
    if (isoMicros({ sec, nsec }) !== want) t.fail(`sec=${sec} nsec=${nsec}: ${isoMicros({ sec, nsec })} != ${want}`);
  }
});

t.test('zeek time/interval and exact subtraction', async (t) => {
  t.equal(zeekTime({ sec: 1795395723, nsec: 123456789 }), '1795395723.123456');
  t.equal(zeekTime({ sec: 1, nsec: 999999999 }), '1.999999');
  t.equal(zeekInterval(2_500_000_000), '2.500000');
  t.equal(zeekInterval(999), '0.000000');
  t.same(subtractNs({ sec: 10, nsec: 100 }, 1_000_000_200), { sec: 8, nsec: 999_999_900 });
  t.same(subtractNs({ sec: 1795395725, nsec: 623456789 }, 2_500_000_000), { sec: 1795395723, nsec: 123456789 });
});

t.test('tree-disconnect: exact line (key order, nesting, formats)', async (t) => {
  t.equal(
    toNdjsonLine(R.treeDisconnect),
    '{"@timestamp":"2026-11-23T01:02:05.623456Z",' +
      '"event":{"kind":"event","category":["network"],"type":["end"],"dataset":"sharewatch.smb","action":"smb-tree-disconnect","outcome":"success","duration":2500000000},' +
      CONTEXT4 +
      '"user":{"name":"alice","domain":"CORP"},' +
      '"smb":{"version":"3.1.1","session_id":"0x0000040000000005","auth":"ntlmssp","workstation":"WS01",' +
      '"tree_id":"0x00000001","share":"\\\\\\\\10.0.0.12\\\\C$","share_name":"C$","share_class":"admin","share_type":"disk","status":"STATUS_SUCCESS",' +
      '"end_reason":"tree_disconnect",' +
      '"activity":{"creates":2,"reads":1,"writes":3,"bytes_read":512,"bytes_written":73802,"ioctls":0},' +
      '"files":["Windows\\\\Temp\\\\evil.exe","Windows\\\\Temp\\\\out.txt"],"pipes":[]}}\n',
  );
  const o = JSON.parse(toNdjsonLine(R.treeDisconnect));
  t.equal(o.smb.share, '\\\\10.0.0.12\\C$', 'UNC path as sent');
});

t.test('session-setup success and failure', async (t) => {
  t.equal(
    toNdjsonLine(R.setupFail),
    '{"@timestamp":"2026-11-23T01:02:03.123456Z",' +
      '"event":{"kind":"event","category":["authentication","session"],"type":["start"],"dataset":"sharewatch.smb","action":"smb-session-setup","outcome":"failure"},' +
      CONTEXT4 +
      '"user":{"name":"alice","domain":"CORP"},' +
      '"smb":{"version":"3.1.1","session_id":"0x0000040000000009","auth":"ntlmssp","workstation":"WS01","status":"STATUS_LOGON_FAILURE"}}\n',
  );
  const ok = toEcs(R.setupOk) as any;
  t.equal(ok.event.outcome, 'success');
  t.equal(ok.smb.status, 'STATUS_SUCCESS');
  t.equal(ok.smb.auth, 'ntlmssp');
  t.notOk('duration' in ok.event);
});

t.test('tree-connect: success/failure, share_type omitted when unknown', async (t) => {
  const ok = toEcs(R.treeConnect) as any;
  t.same(Object.keys(ok), ['@timestamp', 'event', 'ecs', 'source', 'destination', 'network', 'related', 'observer', 'user', 'smb']);
  t.same(ok.event, { kind: 'event', category: ['network'], type: ['access', 'allowed'], dataset: 'sharewatch.smb', action: 'smb-tree-connect', outcome: 'success' });
  t.same(ok.smb, {
    version: '3.1.1',
    session_id: '0x0000040000000005',
    auth: 'ntlmssp',
    workstation: 'WS01',
    tree_id: '0x00000001',
    share: '\\\\10.0.0.12\\C$',
    share_name: 'C$',
    share_class: 'admin',
    share_type: 'disk',
    status: 'STATUS_SUCCESS',
  });
  const bad = toEcs(R.treeConnectFail) as any;
  t.equal(bad.event.outcome, 'failure');
  t.equal(bad.smb.status, 'STATUS_BAD_NETWORK_NAME');
  t.notOk('share_type' in bad.smb);
  t.same(bad.event.type, ['access', 'denied']);
});

t.test('a tree whose request was not seen: share_class unknown, no share name', async (t) => {
  const u = toEcs(R.unknownTreeConnect) as any;
  t.equal(u.smb.share_class, 'unknown');
  t.notOk('share' in u.smb);
  t.notOk('share_name' in u.smb);
  t.equal(u.smb.tree_id, '0x0000000a');
});

t.test('tree ends list named pipes in smb.pipes, files only in smb.files', async (t) => {
  const o = toEcs(R.ipcTreeEnd) as any;
  t.same(o.smb.pipes, ['svcctl', 'psexesvc-host-1234-stdin', 'remcom_communicaton']);
  t.same(o.smb.files, []);
  t.same(o.related.hosts, ['FILESRV01', 'WS01'], 'server name from the UNC path, then the workstation');
  const many = toEcs({ ...R.ipcTreeEnd, pipes: Array.from({ length: 30 }, (_, i) => `p${i}`) }) as any;
  t.equal(many.smb.pipes.length, 16, 'bounded at 16');
});

t.test('observer: configured name, live interface; this host by default', async (t) => {
  const live = toEcsDefault(R.setupOk, makeObserver({ name: null, iface: 'eth1' })) as any;
  t.same(live.observer, { product: 'sharewatch', type: 'sensor', version: V, hostname: require('node:os').hostname(), ingress: { interface: { name: 'eth1' } } });
  const dflt = toEcsDefault(R.setupOk) as any;
  t.equal(dflt.observer.hostname, require('node:os').hostname());
  t.notOk('ingress' in dflt.observer, 'replay: no interface');
});

t.test('summary alerts: event.start/end, the union of files (16 + files_omitted)', async (t) => {
  const s = toEcs(R.treeSummaryAlert) as any;
  t.equal(s.event.count, 5);
  t.equal(s.event.start, '2026-11-23T01:02:15.000005Z');
  t.equal(s.event.end, '2026-11-23T01:52:05.999999Z');
  t.same(s.smb.files, Array.from({ length: 16 }, (_, i) => `f${i}.exe`));
  t.equal(s.smb.files_omitted, 4, '17 names, 16 listed, + 3 more counted by the suppressor');
  t.same(s.event.category, ['intrusion_detection', 'network']);
  t.same(s.event.type, ['info']);
});

t.test('dcerpc-call records and the alerts they decide: dataset sharewatch.dcerpc, protocol dcerpc', async (t) => {
  const c = toEcs(R.dcerpcCall) as any;
  t.equal(c.event.dataset, 'sharewatch.dcerpc');
  t.same(c.event.category, ['network']);
  t.same(c.event.type, ['protocol']);
  t.equal(c.network.protocol, 'dcerpc');
  const a = toEcs({ ...R.alert, ruleId: 'SW-0004', ruleName: 'remote-service-created', about: R.dcerpcCall }) as any;
  t.equal(a.event.dataset, 'sharewatch.dcerpc');
  t.equal(a.network.protocol, 'dcerpc');
});

t.test('session-end and encrypted-session', async (t) => {
  const end = toEcs(R.sessionEnd) as any;
  t.same(end.event, { kind: 'event', category: ['session'], type: ['end'], dataset: 'sharewatch.smb', action: 'smb-session-end', outcome: 'success', duration: 3000000001 });
  t.equal(end.smb.end_reason, 'logoff');
  t.equal(end.smb.trees, 1);
  const reset = toEcs(R.sessionEndClose) as any;
  t.equal(reset.event.outcome, 'unknown');
  t.equal(reset.smb.end_reason, 'connection_reset');
  t.notOk('status' in reset.smb);
  t.equal(outcomeOf({ ...R.sessionEnd, status: null }), 'unknown', 'LOGOFF without a seen response');
  t.equal(outcomeOf({ ...R.sessionEnd, status: 'STATUS_USER_SESSION_DELETED' }), 'failure');
  t.equal(outcomeOf({ ...R.sessionEnd, status: 'DOS:0x00:0x0000' }), 'success', 'SMB1 DOS success');

  const enc = toEcs(R.encrypted) as any;
  t.equal(
    JSON.stringify(enc),
    '{"@timestamp":"2026-11-23T01:02:05.623456Z",' +
      '"event":{"kind":"event","category":["network","session"],"type":["end"],"dataset":"sharewatch.smb","action":"smb-encrypted-session","outcome":"unknown","duration":10000},' +
      '"ecs":{"version":"9.4.0"},"source":{"ip":"fe80::1","port":50000},"destination":{"ip":"fe80::2","port":445},' +
      '"network":{"transport":"tcp","protocol":"smb","community_id":"1:EX+jLtlQTElQwNqbBijwjUbIaKU="},' +
      '"related":{"ip":["fe80::1","fe80::2"],"user":["alice"],"hosts":["WS01"]},' +
      `"observer":{"product":"sharewatch","type":"sensor","version":"${V}","hostname":"sensor-1"},` +
      '"user":{"name":"alice","domain":"CORP"},' +
      '"smb":{"version":"3.1.1","session_id":"0x0000040000000005","auth":"ntlmssp","workstation":"WS01","end_reason":"capture_end","messages":42,"bytes":12345}}',
  );
});

t.test('tree-disconnect outcome by end reason', async (t) => {
  const want: Record<string, string> = {
    tree_disconnect: 'success',
    logoff: 'success',
    connection_close: 'unknown',
    connection_reset: 'unknown',
    idle_timeout: 'unknown',
    capture_end: 'unknown',
  };
  for (const [reason, outcome] of Object.entries(want)) {
    t.equal(outcomeOf({ ...R.treeDisconnect, reason: reason as any }), outcome, reason);
  }
});

t.test('Kerberos: realm as user.domain, smb.kerberos, unknowns omitted (never null)', async (t) => {
  const o = toEcs(R.krbTreeEnd) as any;
  t.same(o.user, { domain: 'CONTOSO.LOCAL' });
  t.same(o.smb.kerberos, { realm: 'CONTOSO.LOCAL', service: 'cifs/dc01.contoso.local' });
  t.equal(o.smb.auth, 'kerberos');
  t.notOk('workstation' in o.smb);
  t.same(o.smb.files, []);
  const bare = toEcs({ ...R.treeConnect, session: R.unknownSession }) as any;
  t.notOk('user' in bare, 'no user object when nothing is known');
  t.notOk('version' in bare.smb);
  t.notOk('session_id' in bare.smb);
  t.notOk('auth' in bare.smb);
  t.notOk(toNdjsonLine({ ...R.treeConnect, session: R.unknownSession }).includes('null'));
  const anon = toEcs({ ...R.setupOk, auth: 'anonymous', session: { ...R.ntlmSession, user: '', domain: '', workstation: '' } }) as any;
  t.notOk('user' in anon, 'anonymous NTLMSSP: empty names count as unknown');
  t.equal(anon.smb.auth, 'anonymous');
});

t.test('alerts: rule, severity, message, threat arrays, fields of the record about', async (t) => {
  const a = toEcs(R.alert) as any;
  t.same(Object.keys(a), ['@timestamp', 'event', 'rule', 'message', 'threat', 'ecs', 'source', 'destination', 'network', 'related', 'observer', 'user', 'smb']);
  t.same(a.event, {
    kind: 'alert',
    category: ['intrusion_detection', 'network'],
    type: ['info'],
    dataset: 'sharewatch.smb',
    action: 'short-lived-admin-share',
    outcome: 'success',
    duration: 2500000000,
    severity: 99,
  });
  t.same(a.rule, { id: 'SW-0001', name: 'short-lived-admin-share' });
  t.equal(a.message, R.alert.message);
  t.same(a.threat, {
    framework: 'MITRE ATT&CK',
    technique: { id: ['T1070.005', 'T1021.002'], name: ['Network Share Connection Removal', 'SMB/Windows Admin Shares'] },
  });
  const ev = toEcs(R.treeDisconnect) as any;
  t.same(a.smb, ev.smb, 'tree fields incl. end_reason, activity, files');
  t.same(a.user, ev.user);
  t.same(a.source, ev.source);
  t.notOk('count' in a.event, 'first alert has no event.count');

  const s = toEcs(R.summaryAlert) as any;
  t.equal(s.event.count, 7);
  t.equal(s.event.severity, 47);
  t.equal(s.event.outcome, 'failure', 'outcome of the failed tree connect it is about');
  t.equal(s.smb.status, 'STATUS_BAD_NETWORK_NAME');
  t.equal(actionOf(R.summaryAlert), 'admin-share-failure-burst');
});

t.test('every record kind carries the contract fields of every line', async (t) => {
  for (const rec of R.allRecordsV2) {
    const line = toNdjsonLine(rec);
    t.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'), 'one line');
    const o = JSON.parse(line);
    t.match(o['@timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    t.ok(['event', 'alert'].includes(o.event.kind));
    t.equal(o.event.dataset, 'sharewatch.smb');
    t.ok(['success', 'failure', 'unknown'].includes(o.event.outcome));
    t.equal(typeof o.event.action, 'string');
    t.equal(typeof o.source.ip, 'string');
    t.equal(typeof o.source.port, 'number');
    t.equal(typeof o.destination.ip, 'string');
    t.equal(typeof o.destination.port, 'number');
    t.equal(o.network.transport, 'tcp');
    t.equal(o.network.protocol, 'smb');
    t.match(o.network.community_id, /^1:[A-Za-z0-9+/]{27}=$/);
    t.ok(Array.isArray(o.event.category) && o.event.category.length > 0);
    t.ok(Array.isArray(o.event.type) && o.event.type.length > 0);
    t.equal(o.ecs.version, '9.4.0');
    t.same(o.related.ip, [o.source.ip, o.destination.ip]);
    t.equal(o.observer.product, 'sharewatch');
    t.equal(o.observer.type, 'sensor');
    for (const k of Object.keys(o)) t.notOk(k.includes('.'), 'nested, no dotted keys');
    if ('duration' in o.event) t.ok(Number.isInteger(o.event.duration));
  }
});

t.test('byte-identical across runs; hostile strings stay one valid line', async (t) => {
  const a = R.allRecords.map((r) => toNdjsonLine(r)).join('');
  const b = R.allRecords.map((r) => toNdjsonLine(structuredClone(r))).join('');
  t.equal(a, b);
  const evil = { ...R.treeDisconnect, tree: { ...R.adminTree, share: R.hostile, shareName: R.hostile }, files: [R.hostile] };
  const line = toNdjsonLine(evil);
  t.equal(line.indexOf('\n'), line.length - 1);
  t.notOk(/[\x00-\x1f]/.test(line.slice(0, -1)), 'no raw control characters');
  t.ok(line.includes('\\udfff'), 'lone surrogate escaped, not replaced');
  t.equal(JSON.parse(line).smb.share, R.hostile, 'round-trips exactly');
  t.equal(toEcs({ ...R.treeDisconnect, files: Array.from({ length: 20 }, (_, i) => `f${i}`) }).smb && (toEcs({ ...R.treeDisconnect, files: Array.from({ length: 20 }, (_, i) => `f${i}`) }) as any).smb.files.length, 16);
});
