/**
 * SW-0001 short-lived-admin-share: tiers at their exact boundaries, stacked escalation (contract
 * v2: +1 per factor — files written, executable written, service/task channel of the session from
 * its pipes or its dcerpc-call records), end reasons.
 */
import t from 'tap';
import { Detector } from '../src/detect/detector';
import { defaultConfig, parseConfig, type Config } from '../src/shared/config';
import type { AlertRecord, DcerpcCallRecord, EndReason, LifecycleRecord } from '../src/shared/records';
import { at, disconnect, flowKrb, krbSession, ntlmSession, flowNtlm, S, type DisconnectOpts } from './helpers/detect-records';

function run(recs: DisconnectOpts[], config: Config = defaultConfig()): AlertRecord[] {
  const out: AlertRecord[] = [];
  const d = new Detector(config, (a) => out.push(a));
  // suppression off: every decision visible
  for (const r of recs) d.process(disconnect(r));
  return out.filter((a) => a.ruleId === 'SW-0001');
}
const noSuppression = (extra: object = {}) => parseConfig({ suppression: { window: 0 }, ...extra }, 'test');
const severityOf = (o: DisconnectOpts, cfg = noSuppression()): number | null => {
  const a = run([o], cfg);
  return a.length === 0 ? null : a[0].severity;
};

t.test('tiers at the exact boundaries (default 5/30/300 s)', async (t) => {
  t.equal(severityOf({ durationNs: 0 }), 73);
  t.equal(severityOf({ durationNs: 5 * S }), 73, '5 s is high');
  t.equal(severityOf({ durationNs: 5 * S + 1 }), 47, '5 s + 1 ns is medium');
  t.equal(severityOf({ durationNs: 30 * S }), 47, '30 s is medium');
  t.equal(severityOf({ durationNs: 30 * S + 1 }), 21, '30 s + 1 ns is low');
  t.equal(severityOf({ durationNs: 300 * S }), 21, '300 s is low');
  t.equal(severityOf({ durationNs: 300 * S + 1 }), null, '300 s + 1 ns: no alert');
  t.equal(severityOf({ durationNs: 86400 * S }), null);
});

t.test('configured thresholds, fractional seconds', async (t) => {
  const cfg = noSuppression({ rules: { 'short-lived-admin-share': { thresholds: { high: 0.5, medium: 1.25, low: 2 } } } });
  t.equal(severityOf({ durationNs: 0.5 * S }, cfg), 73);
  t.equal(severityOf({ durationNs: 0.5 * S + 1 }, cfg), 47);
  t.equal(severityOf({ durationNs: 1.25 * S }, cfg), 47);
  t.equal(severityOf({ durationNs: 2 * S }, cfg), 21);
  t.equal(severityOf({ durationNs: 2 * S + 1 }, cfg), null);
});

t.test('escalation: +1 tier for each of writes, executables, execution pipes; stacked, capped at critical', async (t) => {
  const exe = { files: ['PSEXESVC.exe'], wroteFiles: true, wroteExecutable: true };
  t.equal(severityOf({ durationNs: 200 * S, wroteFiles: true }), 47, 'low → medium on a write');
  t.equal(severityOf({ durationNs: 20 * S, files: ['notes.txt'] }), 73, 'medium → high on a created file');
  t.equal(severityOf({ durationNs: 20 * S, wroteExecutable: true }), 73, 'wroteExecutable alone escalates');
  t.equal(severityOf({ durationNs: 2 * S, ...exe }), 99, 'high → critical');
  for (const pipe of ['svcctl', 'atsvc', 'winreg', 'SVCCTL', '\\PIPE\\atsvc']) {
    t.equal(severityOf({ durationNs: 200 * S, session: { ...krbSession, pipes: ['lsarpc', pipe] } }), 47, `pipe ${pipe}`);
  }
  t.equal(severityOf({ durationNs: 200 * S, session: { ...krbSession, pipes: ['srvsvc', 'samr', 'lsarpc'] } }), 21, 'other pipes do not escalate');
  // factors stack: files + executable = +2, + an execution pipe = +3 (capped at critical)
  t.equal(severityOf({ durationNs: 200 * S, ...exe }), 73, 'low + files + executable → high');
  t.equal(severityOf({ durationNs: 20 * S, ...exe }), 99, 'medium + 2 → critical (Sysinternals PsExec, ADMIN$ ~11 s)');
  t.equal(severityOf({ durationNs: 200 * S, wroteFiles: true, session: { ...krbSession, pipes: ['svcctl'] } }), 73, 'low + files + svcctl → high');
  t.equal(severityOf({ durationNs: 20 * S, ...exe, session: { ...krbSession, pipes: ['svcctl', 'winreg'] } }), 99, 'capped');
  t.equal(severityOf({ durationNs: 200 * S, ...exe, session: { ...krbSession, pipes: ['atsvc'] } }), 99, 'low + 3 → critical');
  t.equal(severityOf({ durationNs: 200 * S, session: { ...krbSession, pipes: ['svcctl', 'atsvc', 'winreg'] } }), 47, 'several pipes are one factor');
  const off = noSuppression({ rules: { 'short-lived-admin-share': { escalate: false } } });
  t.equal(severityOf({ durationNs: 2 * S, ...exe }, off), 73, 'escalate: false');
});

t.test('end reasons: removals alert, idle_timeout and capture_end never', async (t) => {
  const removals: EndReason[] = ['tree_disconnect', 'logoff', 'connection_close', 'connection_reset'];
  for (const reason of removals) t.equal(severityOf({ reason, durationNs: 1 * S }), 73, reason);
  for (const reason of ['idle_timeout', 'capture_end'] as EndReason[]) {
    t.equal(severityOf({ reason, durationNs: 1 }), null, `${reason}, even after 1 ns and with an executable`);
    t.equal(severityOf({ reason, durationNs: 1 * S, wroteExecutable: true, files: ['x.exe'] }), null);
  }
});

t.test('only successful trees on admin shares', async (t) => {
  for (const share of ['\\\\dc1\\ADMIN$', '\\\\dc1\\admin$', '\\\\srv\\C$', '\\\\srv\\c$', '//srv/Z$', 'D$']) {
    t.equal(severityOf({ share }), 73, share);
  }
  for (const share of ['\\\\dc1\\IPC$', '\\\\dc1\\SYSVOL', '\\\\dc1\\print$', '\\\\srv\\CC$', '\\\\srv\\1$', '\\\\srv\\public']) {
    t.equal(severityOf({ share }), null, share);
  }
  t.equal(severityOf({ ok: false }), null, 'a failed tree connect never lived');
});

t.test('extra admin share names come through the record class', async (t) => {
  // the tracker classifies with share_classes.admin; the rule trusts tree.shareClass
  const cfg = noSuppression({ share_classes: { admin: ['BACKUP$'] } });
  const rec = disconnect({ share: '\\\\srv\\backup$' });
  t.equal(rec.tree.shareClass, 'hidden');
  const out: AlertRecord[] = [];
  new Detector(cfg, (a) => out.push(a)).process({ ...rec, tree: { ...rec.tree, shareClass: 'admin' } });
  t.equal(out.length, 1);
});

t.test('alert contents: rule, techniques, message, about', async (t) => {
  const rec = disconnect({
    flow: flowNtlm,
    session: { ...ntlmSession, pipes: ['winreg', 'svcctl', 'psexecsvc'] },
    share: '\\\\192.168.24.100\\ADMIN$',
    durationNs: 11.36 * S,
    files: ['\\PSEXESVC.EXE', 'a.txt', 'b.txt', 'c.txt'],
    wroteExecutable: true,
  });
  const out: AlertRecord[] = [];
  const d = new Detector(defaultConfig(), (a) => out.push(a));
  d.process(rec);
  t.same(out.map((x) => x.ruleId), ['SW-0001', 'SW-0006'], 'and the executable on ADMIN$');
  const a = out[0];
  t.equal(a.kind, 'alert');
  t.equal(a.ruleId, 'SW-0001');
  t.equal(a.ruleName, 'short-lived-admin-share');
  t.equal(a.severity, 99, 'medium (11.4 s) + files + executable + svcctl/winreg: critical');
  t.equal(a.count, null);
  t.same(a.ts, rec.ts, 'alert time = the deciding record');
  t.equal(a.about, rec);
  t.same(a.techniques, [
    { id: 'T1070.005', name: 'Network Share Connection Removal' },
    { id: 'T1021.002', name: 'SMB/Windows Admin Shares' },
  ]);
  t.equal(
    a.message,
    'whitecell@NONE-B91CFA7B93 from 192.168.202.115 mounted \\\\192.168.24.100\\ADMIN$ on 192.168.24.100 and ' +
      'disconnected it after 11.4 s, writing 4 files (\\PSEXESVC.EXE, a.txt, b.txt and 1 more), including an ' +
      'executable, in a session that used winreg, svcctl',
  );
  const krb: AlertRecord[] = [];
  new Detector(defaultConfig(), (x) => krb.push(x)).process(disconnect({ reason: 'logoff', durationNs: 0.042 * S }));
  t.equal(
    krb[0].message,
    'An unknown user of CONTOSO.LOCAL from 192.168.10.31 mounted \\\\dc1\\ADMIN$ on 192.168.10.10 and logged off after 0.042 s',
  );
});

t.test('enabled: false', async (t) => {
  t.equal(severityOf({}, noSuppression({ rules: { 'short-lived-admin-share': { enabled: false } } })), null);
});

/** a dcerpc-call record of the krb session (the tracker's DCE/RPC work emits these) */
function call(iface: string, operation: string, sessionId = krbSession.sessionId): DcerpcCallRecord {
  return {
    kind: 'dcerpc-call',
    ts: at(1 * S),
    flow: flowKrb,
    session: { ...krbSession, sessionId },
    transport: 'smb',
    pipe: iface,
    treeId: '0x00000005',
    interfaceUuid: '367abb81-9844-35f1-ad32-98f038001003',
    interfaceVersion: '2.0',
    interfaceName: iface,
    operation,
    opnum: 12,
    authLevel: 'privacy',
    encrypted: true,
    returnCode: null,
    fault: null,
    outcome: 'unknown',
    durationNs: null,
    args: {},
    gap: false,
  };
}

t.test('a service/task call of the same session (dcerpc-call records) escalates, keyed by session', async (t) => {
  const cfg = noSuppression();
  const sev = (recs: LifecycleRecord[]): number[] => {
    const out: AlertRecord[] = [];
    const d = new Detector(cfg, (a) => out.push(a));
    for (const r of recs) d.process(r);
    return out.filter((a) => a.ruleId === 'SW-0001').map((a) => a.severity);
  };
  const tree200 = disconnect({ durationNs: 200 * S });
  t.same(sev([tree200]), [21], 'low alone');
  t.same(sev([call('svcctl', 'RCreateServiceW'), tree200]), [47], 'svcctl call in the session: +1');
  t.same(sev([call('ITaskSchedulerService', 'SchRpcRegisterTask'), tree200]), [47], 'task call: +1');
  t.same(sev([call('svcctl', 'RCreateServiceW', '0x0000240004000050'), tree200]), [21], 'another session: no');
  t.same(sev([call('srvsvc', 'NetrShareEnum'), tree200]), [21], 'share enumeration is no execution channel');
  const end: LifecycleRecord = { kind: 'session-end', ts: at(1.5 * S), flow: flowKrb, session: krbSession, reason: 'logoff', durationNs: S, trees: 1, status: 'STATUS_SUCCESS' };
  t.same(sev([call('svcctl', 'RCreateServiceW'), end, tree200]), [21], 'forgotten when the session ends');
});
