/**
 * Issue 17 acceptance on real captures: the DCE/RPC rules (SW-0004 … SW-0014) and the
 * lateral-movement chain (SW-0012) — which alerts, which steps, which tool, and none of them on
 * benign traffic. Lab captures: captures/MANIFEST.md (lat-*).
 */
import t from 'tap';
import { actions, analyze, own, shared } from './helpers/analyze';

const NEW_RULES = [
  'remote-service-created',
  'remote-task-created',
  'remote-registry-write',
  'authentication-coercion',
  'dcsync',
  'zerologon-attempt',
  'remote-account-created',
  'lateral-movement',
  'remote-wmi-execution',
  'remote-printer-driver-install',
];

const newAlerts = (a: Awaited<ReturnType<typeof analyze>>) => a.events.filter((e) => e.event.kind === 'alert' && NEW_RULES.includes(e.event.action));

t.test('smb2-07 (PsExec with Kerberos): service created, chain W → S, tool psexec', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-07.pcap')]);
  const svc = actions(a, 'remote-service-created');
  t.equal(svc.length, 1);
  t.equal(svc[0].rule.id, 'SW-0004');
  t.equal(svc[0].dcerpc.operation, 'RCreateServiceWOW64W');
  t.equal(svc[0].dcerpc.args.service_name, 'PSEXESVC');
  // the binary path names PSEXESVC.exe, which the same source wrote to ADMIN$ 7.6 s before
  t.equal(svc[0].event.severity, 99);
  t.match(svc[0].message, /created service PSEXESVC on 192\.168\.10\.10 running `%SystemRoot%\\PSEXESVC\.exe` — it runs psexesvc\.exe, a file the same source wrote to an admin share/);
  t.same(svc[0].threat.technique.id, ['T1569.002', 'T1543.003', 'T1021.002']);
  const lm = actions(a, 'lateral-movement');
  t.equal(lm.length, 1, 'one chain');
  const c = lm[0];
  t.equal(c.rule.id, 'SW-0012');
  t.equal(c.event.severity, 99);
  // PSEXESVC on the wire is Sysinternals PsExec (impacket's psexec uses RemCom and a random name)
  t.equal(c.lateral_movement.tool, 'psexec');
  t.same(
    c.lateral_movement.steps.map((s: any) => [s['@timestamp'], s.step, s.summary]),
    [
      ['2017-10-09T16:44:52.699973Z', 'W', 'executable written to \\\\dc1\\ADMIN$ (PSEXESVC.exe)'],
      ['2017-10-09T16:45:00.302348Z', 'S', 'service PSEXESVC created running %SystemRoot%\\PSEXESVC.exe'],
    ],
  );
  t.same(c.threat.technique.id, ['T1021.002', 'T1570', 'T1569.002']);
  t.match(c.message, /^192\.168\.10\.31 \(an unknown user of CONTOSO\.LOCAL\) moved laterally to 192\.168\.10\.10: .* — psexec$/);
  // later steps of the chain carry its id: RStartServiceW, RDeleteService, the second ADMIN$ tree
  const id = c.lateral_movement.id;
  t.match(id, /^lm-[0-9a-f]{16}$/);
  const stamped = a.events.filter((e) => e.lateral_movement?.id === id && e.event.kind === 'event');
  t.same(
    stamped.map((e) => e.dcerpc?.operation ?? e.event.action),
    ['RCreateServiceWOW64W', 'RStartServiceW', 'RDeleteService', 'smb-tree-disconnect'],
  );
  t.equal(a.events.indexOf(c) > a.events.indexOf(svc[0]), true, 'the chain alert follows the call that established it');
  t.same(newAlerts(a).map((e) => e.rule.id), ['SW-0004', 'SW-0012'], 'nothing else');
});

t.test('smb2-04 (at.exe over atsvc): one task created, no chain', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-04.pcap')]);
  const al = newAlerts(a);
  t.same(al.map((e) => e.rule.id), ['SW-0005']);
  t.equal(al[0].dcerpc.operation, 'NetrJobAdd');
  t.equal(al[0].event.severity, 73);
  t.same(al[0].threat.technique.id, ['T1053.002', 'T1021.002']);
  t.equal(al[0].dcerpc.args.command, 'c:\\mimikatz.exe', 'NetrJobAdd over NDR64');
  t.equal(al[0].message, '192.168.10.31 (an unknown user) scheduled an at job on 192.168.10.30 running `c:\\mimikatz.exe`');
});

t.test('sv_dcerpc_zerologon: one zerologon-attempt, then a summary carrying the password set — not 21', async (t) => {
  const a = await analyze([shared('dcerpc/sv_dcerpc_zerologon.pcap')]);
  const zero = actions(a, 'dcerpc-call').filter((e) => e.dcerpc.operation === 'NetrServerAuthenticate3' && e.dcerpc.args?.zero_credential === true);
  t.equal(zero.length, 21, '21 zero-credential authentications on the wire');
  const al = newAlerts(a);
  t.same(al.map((e) => [e.rule.id, e.event.count]), [['SW-0010', undefined], ['SW-0010', 1]]);
  t.equal(al[0].event.severity, 99);
  t.same(al[0].threat.technique.id, ['T1210']);
  t.equal(al[0].dcerpc.operation, 'NetrServerAuthenticate3', 'fires on the fifth attempt');
  t.match(al[0].message, /^172\.16\.0\.10 \(an unknown user\) tried 5 netlogon authentications with an all-zero client credential against 172\.16\.5\.58 in [0-9.]+ s as BAS-AD-01\$ — a Zerologon \(CVE-2020-1472\) attempt$/);
  t.equal(al[1].dcerpc.operation, 'NetrServerPasswordSet2');
  t.match(al[1].message, /set the machine password of BAS-AD-01\$ on 172\.16\.5\.58 with NetrServerPasswordSet2 after 21 netlogon authentications/);
});

t.test('smb-dce_iface: PrintNightmare RpcAddPrinterDriverEx with a UNC data file', async (t) => {
  const a = await analyze([shared('suricata-verify/smb-dce_iface.pcap')]);
  const al = newAlerts(a);
  t.same(al.map((e) => e.rule.id), ['SW-0014']);
  t.equal(al[0].event.severity, 99);
  t.same(al[0].threat.technique.id, ['T1210', 'T1547.012']);
  t.match(al[0].message, /installed a printer driver on 172\.31\.222\.155 with RpcAddPrinterDriverEx loading \\\\ws02\.cylera\.lab\\security\\mimilib\.dll from a remote share/);
});

t.test('smb2-06 (net user over samr): enumeration and lookups only — no new alert', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-06.pcap')]);
  t.ok(actions(a, 'dcerpc-call').some((e) => e.dcerpc.interface.name === 'samr'), 'its samr calls are seen');
  t.same(newAlerts(a), []);
});

t.test('sealed stubs: svcctl create + start with packet privacy alert without arguments and chain by connection', async (t) => {
  const a = await analyze([shared('dcerpc/sv_dcerpc_dcerpc-auth3-5133.pcap')]);
  const svc = actions(a, 'remote-service-created');
  t.ok(svc.length >= 1);
  t.equal(svc[0].dcerpc.encrypted, true);
  t.equal(svc[0].dcerpc.args, undefined, 'no arguments');
  t.match(svc[0].message, /created service \(name unknown\) on 172\.16\.66\.36, over an encrypted RPC stub \(arguments unknown\)/);
  const lm = actions(a, 'lateral-movement');
  t.equal(lm.length, 1);
  t.same(lm[0].lateral_movement.steps.map((s: any) => s.step), ['S', 'X']);
  t.equal(lm[0].lateral_movement.tool, undefined, 'no fingerprint: tool left out');
});

t.test('benign captures raise none of the new alerts', async (t) => {
  for (const f of [
    'suricata-verify/smb2-09-trunc-file-logging.pcap',
    'zeek/smb2.pcap',
    'dcerpc/zeek_cs_window7-join_stream092.pcap',
  ]) {
    const a = await analyze([shared(f)]);
    t.same(newAlerts(a), [], f);
  }
  for (const f of ['long-lived', 'anon-ipc', 'hidden-share', 'many-sessions', 'ipv6', 'smb1', 'c-drop-delete', 'admin-logoff', 'lat-samrdump', 'lat-lookupsid', 'lat-rpcdump', 'lat-atexec']) {
    const a = await analyze([own(`${f}.pcap`)]);
    t.same(newAlerts(a), [], `captures/${f}.pcap`);
  }
});

t.test('lab: impacket psexec.py → service created, chain W → S, tool impacket-psexec', async (t) => {
  const a = await analyze([own('lat-psexec.pcap')]);
  const svc = actions(a, 'remote-service-created');
  t.equal(svc.length, 1);
  t.equal(svc[0].event.outcome, 'failure', 'Samba does not implement RCreateServiceW');
  t.equal(svc[0].dcerpc.fault, 'nca_s_op_rng_error');
  t.match(svc[0].dcerpc.args.binary_path, /^\\\\SWSRV\\C\$\\[A-Za-z]{8}\.exe$/);
  t.equal(svc[0].event.severity, 99, 'the binary was written to C$ by the same source');
  const lm = actions(a, 'lateral-movement');
  t.equal(lm.length, 1);
  t.equal(lm[0].lateral_movement.tool, 'impacket-psexec');
  t.same(lm[0].lateral_movement.steps.map((s: any) => s.step), ['W', 'S']);
  t.match(lm[0].lateral_movement.steps[1].summary, /\(refused: nca_s_op_rng_error\)$/);
  t.equal(lm[0].user.name, 'swalice');
});

t.test('lab: smbexec.py → critical service creation (shell, output to C$), no chain', async (t) => {
  const a = await analyze([own('lat-smbexec.pcap')]);
  const al = newAlerts(a);
  t.same(al.map((e) => e.rule.id), ['SW-0004']);
  t.equal(al[0].dcerpc.args.service_name, 'BTOBTO');
  t.equal(al[0].event.severity, 99);
  t.match(al[0].message, /created service BTOBTO on 10\.99\.0\.1 running `%COMSPEC% \/Q \/c echo cd {2}\^> \\\\127\.0\.0\.1\\C\$\\__output .* — it runs %COMSPEC% and redirects output to a share/);
});

t.test('lab: services.py create/start/delete → one critical SW-0004', async (t) => {
  const a = await analyze([own('lat-services.pcap')]);
  const al = newAlerts(a);
  t.same(al.map((e) => e.rule.id), ['SW-0004']);
  t.equal(al[0].dcerpc.args.service_name, 'SWUPDATE');
  t.equal(al[0].event.severity, 99);
});

t.test('lab: reg.py add under Run → remote-registry-write', async (t) => {
  const a = await analyze([own('lat-reg-run.pcap')]);
  const al = actions(a, 'remote-registry-write');
  t.equal(al.length, 2, 'the CreateKey, then the SetValue');
  t.equal(al[0].dcerpc.operation, 'BaseRegCreateKey');
  t.equal(al[0].dcerpc.args.key, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run');
  t.same(al[0].threat.technique.id, ['T1112', 'T1547.001']);
  t.equal(al[1].event.count, undefined, 'the value is a name not seen in the window: emitted, not folded');
  t.equal(al[1].dcerpc.operation, 'BaseRegSetValue');
  t.equal(al[1].dcerpc.args.value_data, 'C:\\Windows\\Temp\\svcupdate.exe');
});

t.test('config: allowlisted service names and disabled rules stay silent', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-07.pcap')], {
    rules: { 'remote-service-created': { allowlist: { services: ['psexe*'] } }, 'lateral-movement': { enabled: false } },
  });
  t.same(newAlerts(a), []);
  t.equal(a.pipeline.detector.counters.allowlisted.get('remote-service-created'), 1);
});

t.test('chain state is bounded and counted: max_steps 1 keeps one pending step per pair', async (t) => {
  const full = await analyze([shared('suricata-verify/smb-filename.pcap')]);
  t.same(actions(full, 'lateral-movement')[0].lateral_movement.steps.map((s: any) => s.step), ['W', 'W', 'S']);
  t.equal(full.pipeline.detector.counters.chainsEstablished, 1);
  t.equal(full.pipeline.detector.counters.chainStepsDropped, 0);
  const cut = await analyze([shared('suricata-verify/smb-filename.pcap')], { rules: { 'lateral-movement': { max_steps: 1 } } });
  t.equal(actions(cut, 'lateral-movement').length, 0, 'the written files were dropped before the service came');
  const dropped = cut.pipeline.detector.counters.chainStepsDropped;
  t.ok(dropped >= 2, `both W steps (and any later unlinked step) dropped and counted: ${dropped}`);
  t.equal(actions(cut, 'remote-service-created').length, 1, 'the rule itself still fires');
});
