/**
 * Issue 16 acceptance on real captures (contract version 2, "Alerts" and "Details that tests rely
 * on"): lab recordings made for it (captures/MANIFEST.md: psexec-probe, admin-hold-exe,
 * denied-storm, fin-rst, nbss-root) and the public corpus. Each test names the alerts and fields
 * it expects; tshark confirms the wire facts the expectations rest on.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { actions, analyze, own, shared } from './helpers/analyze';
import { Detector } from '../src/detect/detector';
import { defaultConfig } from '../src/shared/config';
import type { AlertRecord, LifecycleRecord } from '../src/shared/records';

type J = Record<string, any>;
const alertsOf = (events: J[]): J[] => events.filter((e) => e.event.kind === 'alert');
const brief = (e: J): string => `${e.rule.id}/${e.event.severity}${e.event.count ? `×${e.event.count}` : ''}`;

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) throw new Error(`tshark failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

t.test('psexec-probe: the executable tree is not the first alert — it is emitted, not folded; the summary carries the union', async (t) => {
  const a = await analyze([own('psexec-probe.pcap')]);
  const al = alertsOf(a.events);
  t.same(al.map(brief), ['SW-0001/99', 'SW-0001/99', 'SW-0006/73', 'SW-0001/99×2'], 'probe, exe tree, exe, summary of rmdir + cleanup');
  const [probe, exeTree, exe, summary] = al;
  // 1. the first alert is the harmless mkdir probe (a random 8-letter directory)
  t.match(probe.smb.files, [/^[A-Za-z]{8}$/]);
  t.notOk(probe.message.includes('.exe'));
  // 2. the tree that wrote the 8-letter .exe (MZ) repeats the key but names a new file: emitted
  t.equal(exeTree.rule.name, 'short-lived-admin-share');
  t.equal(exeTree.smb.files.length, 1);
  const exeName: string = exeTree.smb.files[0];
  t.match(exeName, /^[A-Za-z]{8}\.exe$/);
  t.match(exeTree.message, new RegExp(`writing 1 file \\(${exeName}\\), including an executable$`));
  t.notOk('count' in exeTree.event, 'a first-class alert, not a summary');
  // 3. SW-0006 names the executable
  t.equal(exe.rule.name, 'executable-written-to-admin-share');
  t.same(exe.threat.technique.id, ['T1570', 'T1021.002']);
  t.same(exe.smb.files, [exeName]);
  t.equal(exe.smb.share_name, 'ADMIN$');
  t.match(exe.message, new RegExp(`wrote an executable \\(${exeName}\\) to \\\\\\\\10\\.99\\.0\\.1\\\\ADMIN\\$`));
  // 4. the rmdir tree and the cleanup tree (after svcctl) are folded: count, start/end, highest
  t.equal(summary.event.count, 2);
  t.same(summary.smb.files, [], 'the folded trees wrote no file');
  t.equal(summary.smb.files_omitted, 0);
  const adminEnds = actions(a, 'smb-tree-disconnect').filter((e) => e.smb.share_name === 'ADMIN$');
  t.equal(adminEnds.length, 4, 'mkdir, rmdir, upload, cleanup: four ADMIN$ trees');
  t.equal(summary.event.start, adminEnds[1]['@timestamp'], 'event.start = the rmdir tree end');
  t.equal(summary.event.end, adminEnds[3]['@timestamp'], 'event.end = the cleanup tree end');
  t.match(summary.message, /^2 more short-lived-admin-share alerts were folded .*in a session that used svcctl$/);
  t.equal(summary.event.severity, 99, 'cleanup: high + svcctl opened in the session = critical');
  // the IPC$ tree lists its named pipes; files stay files
  const ipc = actions(a, 'smb-tree-disconnect').find((e) => e.smb.share_name === 'IPC$')!;
  t.same(ipc.smb.pipes, ['srvsvc', 'svcctl']);
  t.same(ipc.smb.files, []);
  for (const e of adminEnds) t.same(e.smb.pipes, [], 'no pipes on a disk share');
});

t.test('admin-hold-exe: ADMIN$ held > 300 s while an executable is written → SW-0006, no SW-0001', async (t) => {
  const a = await analyze([own('admin-hold-exe.pcap')]);
  const ends = actions(a, 'smb-tree-disconnect').filter((e) => e.smb.share_name === 'ADMIN$');
  t.equal(ends.length, 1);
  const tree = ends[0];
  t.ok(tree.event.duration > 300e9, `held ${tree.event.duration / 1e9} s`);
  t.equal(tree.smb.end_reason, 'tree_disconnect');
  t.same(tree.smb.files, ['PSEXESVC.exe']);
  const al = alertsOf(a.events);
  t.same(al.map(brief), ['SW-0006/73'], 'no short-lived-admin-share (> 300 s), the executable alerts');
  const x = al[0];
  t.equal(x.rule.name, 'executable-written-to-admin-share');
  t.equal(x.event.duration, tree.event.duration);
  t.equal(x.smb.tree_id, tree.smb.tree_id);
  t.same(x.smb.files, ['PSEXESVC.exe']);
  t.match(x.message, /^swalice@SWLAB from 10\.99\.0\.2 wrote an executable \(PSEXESVC\.exe\) to \\\\10\.99\.0\.1\\ADMIN\$ on 10\.99\.0\.1 \(tree held 3\d\d\.\d s, ended by tree_disconnect\)$/);
  t.same(x.event.category, ['intrusion_detection', 'network']);
  // the executable really began with MZ (tshark: the first WRITE's data)
  const writes = tshark(own('admin-hold-exe.pcap'), 'smb2.cmd == 9 && smb2.flags.response == 0 && smb2.file_offset == 0 && tcp.reassembled.data contains "This program cannot be run in DOS mode"', ['smb2.write_length']);
  t.equal(writes.length, 1, 'MZ header at offset 0 of the one WRITE on the wire');
});

t.test('denied-storm: 14 retries in one session count once; 10 distinct attempts → SW-0002 with T1135, not T1110', async (t) => {
  const a = await analyze([own('denied-storm.pcap')]);
  const denied = actions(a, 'smb-tree-connect').filter((e) => e.smb.status === 'STATUS_ACCESS_DENIED');
  t.equal(denied.length, 24, '14 + 10 denied TREE_CONNECTs to D$');
  const storm = denied.slice(0, 14);
  t.equal(new Set(storm.map((e) => e.smb.session_id)).size, 1, 'the storm is one session');
  const spanMs = (Date.parse(storm[13]['@timestamp']) - Date.parse(storm[0]['@timestamp'])) / 1;
  t.ok(spanMs < 1000, `the storm lasts ${spanMs} ms`);
  const al = alertsOf(a.events);
  t.same(al.map(brief), ['SW-0002/47'], 'one alert; the storm did not make a burst of its own');
  const b = al[0];
  t.same(b.threat.technique.id, ['T1021.002', 'T1135']);
  t.same(b.threat.technique.name, ['SMB/Windows Admin Shares', 'Network Share Discovery']);
  // the 10th distinct attempt: the storm (1) + the 9th fresh session's attempt
  t.equal(b['@timestamp'], denied[14 + 8]['@timestamp']);
  t.equal(b.smb.session_id, denied[14 + 8].smb.session_id);
  t.match(b.message, /^10 failed tree connects to admin\/hidden shares \(distinct attempts\) from 10\.99\.0\.2 within \d+\.\d s; the last: swalice@SWLAB on \\\\10\.99\.0\.1\\D\$ at 10\.99\.0\.1: STATUS_ACCESS_DENIED$/);
  t.equal(a.pipeline.detector.counters.burstRepeatsIgnored, 13);
});

t.test('fin-rst: the server FIN then the client RST is a close, not a reset', async (t) => {
  const f = own('fin-rst.pcap');
  const flags = tshark(f, 'tcp.port == 445 && (tcp.flags.fin == 1 || tcp.flags.reset == 1)', ['ip.src', 'tcp.flags.fin', 'tcp.flags.reset']);
  t.same(flags.map((x) => [x[0], x[1] === '1' || x[1] === 'True' ? 'FIN' : 'RST']), [['10.99.0.1', 'FIN'], ['10.99.0.2', 'RST']], 'tshark: server FIN, client RST');
  const a = await analyze([f]);
  const tree = actions(a, 'smb-tree-disconnect');
  t.equal(tree.length, 1);
  t.equal(tree[0].smb.end_reason, 'connection_close');
  t.same(actions(a, 'smb-session-end').map((e) => e.smb.end_reason), ['connection_close']);
  const al = alertsOf(a.events);
  t.same(al.map(brief), ['SW-0001/99', 'SW-0006/73']);
  t.match(al[0].message, /and closed the connection after 0\.\d{3} s, writing 1 file \(svcupdate\.exe\), including an executable$/);
  t.equal(a.pipeline.net.counters.connsEndedFin, 1);
  t.equal(a.pipeline.net.counters.connsEndedRst, 0);
});

t.test('nbss-root: workstation without the NetBIOS suffix; the share root opened for write is no file', async (t) => {
  const f = own('nbss-root.pcap');
  // tshark: the calling name carries the <00> suffix; NTLMSSP names no workstation
  const calling = tshark(f, 'nbss.type == 0x81', ['nbns.name', 'nbss.calling_name']).flat().join(' ');
  t.match(calling, /LABCLIENT<00>/);
  const creates = tshark(f, 'smb2.cmd == 5 && smb2.flags.response == 0', ['frame.number', 'smb2.filename']);
  t.same(creates.map((c) => c[1]), [''], 'one CREATE, of the share root (empty name)');
  const a = await analyze([f]);
  for (const e of a.events) t.equal(e.smb.workstation, 'LABCLIENT', `${e.event.action}: LABCLIENT`);
  t.same(actions(a, 'smb-session-setup')[0].related.hosts, ['LABCLIENT']);
  const tree = actions(a, 'smb-tree-disconnect')[0];
  t.same(tree.smb.files, [], 'the empty name is not a file');
  const al = alertsOf(a.events);
  t.same(al.map(brief), ['SW-0001/73'], 'high, no escalation: nothing was written');
  t.match(al[0].message, /and disconnected it after 0\.\d{3} s$/, 'no "writing" in the message');
});

t.test('corpus: Sysinternals PsExec (PSEXESVC.exe on ADMIN$, ~11 s) is critical by stacked factors, with SW-0006', async (t) => {
  const a = await analyze([shared('suricata-verify/filestore-filecontainer-smb.pcap')]);
  const al = alertsOf(a.events).filter((e) => e.smb.share_name === 'ADMIN$');
  const sl = al.find((e) => e.rule.id === 'SW-0001')!;
  t.ok(sl, 'SW-0001 on ADMIN$');
  t.ok(sl.event.duration > 5e9 && sl.event.duration <= 30e9, 'medium tier by lifetime');
  t.equal(sl.event.severity, 99, 'medium + files + executable = critical (version 1 said high)');
  t.ok(sl.smb.files.some((f: string) => /psexesvc\.exe$/i.test(f)), `files ${sl.smb.files}`);
  const x = al.find((e) => e.rule.id === 'SW-0006')!;
  t.ok(x, 'SW-0006 on ADMIN$');
  t.equal(x.event.severity, 73);
  t.match(x.message, /PSEXESVC\.EXE/i);
});

t.test('corpus: impacket psexec with Kerberos (smb2-07): svcctl in smb.pipes of IPC$, escalates the ADMIN$ trees', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-07.pcap')]);
  const ipc = actions(a, 'smb-tree-disconnect').filter((e) => e.smb.share_name === 'IPC$');
  t.ok(ipc.some((e) => e.smb.pipes.includes('svcctl')), `IPC$ pipes: ${JSON.stringify(ipc.map((e) => e.smb.pipes))}`);
  for (const e of ipc) t.same(e.smb.files, [], 'pipes are not files');
  const tshPipes = new Set(tshark(shared('suricata-verify/smb2-07.pcap'), 'smb2.cmd == 5 && smb2.flags.response == 0', ['smb2.filename']).map((x) => x[0].toLowerCase()));
  for (const e of ipc) for (const p of e.smb.pipes) t.ok(tshPipes.has(p), `pipe ${p} is a CREATE name tshark saw`);
});

t.test('corpus: SMB1 TREE_CONNECTs answered after their MID was reused are still matched by command (smb-filename)', async (t) => {
  // Metasploit sends every request with MID 0: the NT_CREATE_ANDX sent while a TREE_CONNECT_ANDX
  // waits reuses its PID+MID; the transaction key's command keeps them apart (tshark's own
  // PID+MID pairing leaves the response's path empty there).
  const file = shared('suricata-verify/smb-filename.pcap');
  const a = await analyze([file]);
  const connects = actions(a, 'smb-tree-connect');
  t.equal(connects.filter((e) => e.smb.share_class === 'unknown').length, 0, 'no tree left unknown');
  // tshark: each TREE_CONNECT_ANDX response (by its time) and the last TREE_CONNECT_ANDX request before it on its connection
  const rows = tshark(file, 'smb.cmd == 0x75', ['frame.time_epoch', 'tcp.stream', 'smb.flags.response', 'smb.path']);
  const lastAsked = new Map<string, string>();
  const expected = new Map<string, string>();
  for (const [epoch, stream, response, paths] of rows) {
    // smb.path lists tshark's generated path of the header's TID first, then the request's own
    if (response === '0') lastAsked.set(stream, paths.split(',').pop() ?? '');
    else {
      const [sec, frac] = epoch.split('.');
      const iso = new Date(Number(sec) * 1000).toISOString().slice(0, 19) + '.' + frac.slice(0, 6) + 'Z';
      expected.set(iso, lastAsked.get(stream) ?? '?');
    }
  }
  const smb1 = connects.filter((e) => e.smb.version === '1' && e.event.outcome === 'success');
  t.equal(smb1.length, expected.size, 'one tree per TREE_CONNECT_ANDX response tshark shows');
  for (const e of smb1) t.equal(e.smb.share, expected.get(e['@timestamp']), `tree at ${e['@timestamp']}: the path its request asked for`);
  const reused = connects.filter((e) => e.smb.tree_id === '0x00000802');
  t.equal(reused.length, 2, 'the two trees whose MID was reused meanwhile');
  for (const e of reused) t.equal(e.smb.share_class, 'ipc');
});

t.test('live: suppression summaries at most every summary_interval on the denied-storm records', async (t) => {
  // the lab records through a Detector in live mode with a 2 s interval, ticking per record
  const a = await analyze([own('psexec-probe.pcap')]);
  const recs = a.records.filter((r): r is LifecycleRecord => r.kind !== 'alert');
  const run = (live: boolean): AlertRecord[] => {
    const out: AlertRecord[] = [];
    const cfg = { ...defaultConfig(), suppression: { window: 3600, maxKeys: 100, summaryInterval: 0.005 } };
    const d = new Detector(cfg, (x) => out.push(x), { live });
    for (const r of recs) {
      d.onTime(r.ts);
      d.process(r);
    }
    d.finish(recs[recs.length - 1].ts);
    return out;
  };
  const replay = run(false);
  t.same(replay.map((x) => `${x.ruleId}${x.count ? '×' + x.count : ''}`), ['SW-0001', 'SW-0001', 'SW-0006', 'SW-0001×2']);
  const live = run(true);
  // 5 ms interval: the rmdir tree's repeat is summarized on its own before the cleanup tree
  t.same(live.map((x) => `${x.ruleId}${x.count ? '×' + x.count : ''}`), ['SW-0001', 'SW-0001×1', 'SW-0001', 'SW-0006', 'SW-0001×1']);
  const sums = live.filter((x) => x.count !== null);
  t.ok(sums[0].summary!.start.sec * 1e9 + sums[0].summary!.start.nsec < sums[1].summary!.start.sec * 1e9 + sums[1].summary!.start.nsec);
});

t.test('a snaplen that cuts SMB messages: one stderr warning naming the file and the count, even with -q', async (t) => {
  const os = await import('node:os');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-snap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cut = path.join(dir, 'fin-rst-96.pcap');
  const e = spawnSync('editcap', ['-s', '96', own('fin-rst.pcap'), cut], { encoding: 'utf8' });
  t.equal(e.status, 0, 'editcap -s 96');
  const main = path.resolve(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
  const r = spawnSync(process.execPath, [main, '-q', '-r', cut, '-r', own('ipv6.pcap')], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.same(r.stderr.split('\n').filter((l) => l !== ''), [`sharewatch: ${cut}: warning: the snaplen cut 25 packets; 18 SMB messages could not be read`]);
  const whole = spawnSync(process.execPath, [main, '-q', '-r', own('fin-rst.pcap')], { encoding: 'utf8' });
  t.equal(whole.stderr, '', 'the uncut capture: nothing on stderr');
});
