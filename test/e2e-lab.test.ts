/**
 * Issue 6 acceptance on the project's own lab captures (captures/MANIFEST.md: real Samba smbd,
 * smbclient and impacket in network namespaces). Each test names the events it expects.
 */
import t from 'tap';
import { actions, analyze, own } from './helpers/analyze';

const USER = 'swalice';
const DOMAIN = 'SWLAB';

t.test('c-drop-delete: C$ drop-and-delete, disconnected within seconds → one critical alert', async (t) => {
  const a = await analyze([own('c-drop-delete.pcap')]);
  const alerts = actions(a, 'short-lived-admin-share');
  t.equal(alerts.length, 1, 'exactly one alert');
  const al = alerts[0];
  t.equal(al.event.kind, 'alert');
  t.equal(al.rule.id, 'SW-0001');
  t.equal(al.user.name, USER);
  t.equal(al.user.domain, DOMAIN);
  t.equal(al.smb.share_name, 'C$');
  t.equal(al.smb.share_class, 'admin');
  t.equal(al.smb.end_reason, 'tree_disconnect');
  t.ok(al.event.duration > 0 && al.event.duration < 5e9, `duration ${al.event.duration} ns within the high tier`);
  // ≤5 s is high (73); writing an MZ .exe escalates one tier to critical (99)
  t.equal(al.event.severity, 99);
  t.same(al.smb.files, ['svcupdate.exe']);
  t.ok(al.smb.activity.writes >= 1 && al.smb.activity.bytes_written > 0, 'write activity counted');
  t.match(al.message, /swalice/);
  const disc = actions(a, 'smb-tree-disconnect').find((e) => e.smb.share_name === 'C$');
  t.equal(disc?.smb.tree_id, al.smb.tree_id, 'the alert is about the C$ tree');
  // the alert line follows the event it is about
  t.ok(a.events.indexOf(disc!) < a.events.indexOf(al));
  const end = actions(a, 'smb-session-end');
  t.equal(end.length, 1);
  t.equal(end[0].smb.end_reason, 'connection_close', 'smbclient closes TCP without LOGOFF');
});

t.test('admin-logoff: ADMIN$ ended by an explicit LOGOFF alerts with end_reason logoff', async (t) => {
  const a = await analyze([own('admin-logoff.pcap')]);
  const alerts = actions(a, 'short-lived-admin-share');
  t.equal(alerts.length, 1);
  t.equal(alerts[0].smb.share_name, 'ADMIN$');
  t.equal(alerts[0].smb.end_reason, 'logoff');
  t.equal(alerts[0].user.name, USER);
  t.equal(alerts[0].smb.version, '2.1');
  const end = actions(a, 'smb-session-end');
  t.equal(end.length, 1);
  t.equal(end[0].smb.end_reason, 'logoff');
  t.equal(end[0].smb.trees, 1);
  t.equal(end[0].event.outcome, 'success');
});

t.test('long-lived ordinary share → events, no alert', async (t) => {
  const a = await analyze([own('long-lived.pcap')]);
  t.same(a.events.filter((e) => e.event.kind === 'alert'), []);
  const pub = actions(a, 'smb-tree-disconnect').find((e) => e.smb.share_name === 'public');
  t.ok(pub, 'public tree ended');
  t.equal(pub?.smb.share_class, 'normal');
  t.ok(pub!.event.duration > 20e9, `long-lived: ${pub?.event.duration} ns`);
});

t.test('wrong password → smb-session-setup failure STATUS_LOGON_FAILURE', async (t) => {
  const a = await analyze([own('wrong-password.pcap')]);
  const s = actions(a, 'smb-session-setup');
  t.equal(s.length, 1);
  t.equal(s[0].event.outcome, 'failure');
  t.equal(s[0].smb.status, 'STATUS_LOGON_FAILURE');
  t.equal(s[0].user.name, USER);
  t.same(actions(a, 'smb-session-end'), [], 'a session that never started does not end');
});

t.test('missing share → smb-tree-connect failure STATUS_BAD_NETWORK_NAME', async (t) => {
  const a = await analyze([own('missing-share.pcap')]);
  const failed = actions(a, 'smb-tree-connect').filter((e) => e.event.outcome === 'failure');
  t.equal(failed.length, 1);
  t.equal(failed[0].smb.status, 'STATUS_BAD_NETWORK_NAME');
  t.equal(failed[0].smb.share_name, 'nosuchshare');
});

t.test('SMB3-encrypted session → smb-encrypted-session with message and byte counts', async (t) => {
  const a = await analyze([own('smb3-encrypted.pcap')]);
  const enc = actions(a, 'smb-encrypted-session');
  t.equal(enc.length, 1);
  t.equal(enc[0].smb.version, '3.1.1');
  t.equal(enc[0].user.name, USER);
  t.equal(enc[0].smb.messages, 43, 'transform headers (MANIFEST: 43)');
  t.ok(enc[0].smb.bytes > 0);
  t.same(actions(a, 'smb-tree-connect'), [], 'trees are inside the encryption');
});

t.test('share-level encryption: tree connect in clear, then encrypted traffic', async (t) => {
  const a = await analyze([own('smb3-share-encrypted.pcap')]);
  t.ok(actions(a, 'smb-tree-connect').some((e) => e.smb.share_name === 'secure'));
  t.equal(actions(a, 'smb-encrypted-session').length, 1);
});

t.test('SMB1, port 139, IPv6, anonymous IPC$, hidden share: each client behaviour is tracked', async (t) => {
  const smb1 = await analyze([own('smb1.pcap')]);
  const s1 = actions(smb1, 'smb-session-setup')[0];
  t.equal(s1.smb.version, '1');
  t.match(s1.smb.session_id, /^0x[0-9a-f]{4}$/);
  t.ok(actions(smb1, 'smb-tree-disconnect').some((e) => e.smb.share_name === 'PUBLIC' && e.smb.files.includes('report.txt')));

  const p139 = await analyze([own('port139.pcap')]);
  t.ok(actions(p139, 'smb-tree-connect').every((e) => e.destination.port === 139));
  t.ok(actions(p139, 'smb-tree-connect').some((e) => e.smb.share === '\\\\SWSRV\\public'));

  const v6 = await analyze([own('ipv6.pcap')]);
  const c6 = actions(v6, 'smb-tree-connect')[0];
  t.equal(c6.source.ip, 'fd99::2');
  t.equal(c6.destination.ip, 'fd99::1');

  const anon = await analyze([own('anon-ipc.pcap')]);
  const setups = actions(anon, 'smb-session-setup');
  t.ok(setups.some((e) => e.smb.auth === 'anonymous' && e.event.outcome === 'success'), 'anonymous logon');
  t.ok(actions(anon, 'smb-tree-connect').some((e) => e.smb.share_class === 'ipc'));

  const hidden = await analyze([own('hidden-share.pcap')]);
  const hd = actions(hidden, 'smb-tree-connect').find((e) => e.smb.share_name === 'backup$');
  t.equal(hd?.smb.share_class, 'hidden');
  t.same(hidden.events.filter((e) => e.event.kind === 'alert'), [], 'hidden (not admin) shares do not alert');
});

t.test('psexec-like over SMB 2.1: svcctl opened, ADMIN$ upload → alert, repeat folded into a summary', async (t) => {
  const a = await analyze([own('psexec-like.pcap')]);
  const alerts = actions(a, 'short-lived-admin-share');
  t.equal(alerts.length, 2, 'first alert + one summary');
  t.equal(alerts[0].event.count, undefined);
  t.equal(alerts[1].event.count, 1, 'summary counts the suppressed repeat');
  t.equal(alerts[0].event.severity, 99);
  t.same(alerts[0].smb.files, ['svcupdate.exe']);
});

t.test('many concurrent sessions: every session and tree accounted for', async (t) => {
  const a = await analyze([own('many-sessions.pcap')]);
  t.equal(actions(a, 'smb-session-setup').length, 20);
  t.equal(actions(a, 'smb-session-end').length, 20);
  t.equal(actions(a, 'smb-tree-connect').length, actions(a, 'smb-tree-disconnect').length);
});
