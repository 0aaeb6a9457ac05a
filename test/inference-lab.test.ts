/**
 * Issue 21 acceptance on real encrypted lab captures (captures/MANIFEST.md, "Inference twins"):
 * impacket (SMB 3.0, encrypted because Samba offers it) and smbclient --client-protection=encrypt
 * (SMB 3.1.1), each with its plaintext twin. Every test names the events it expects.
 */
import t from 'tap';
import { actions, analyze, own, type Analysis } from './helpers/analyze';

const inferred = (a: Analysis) => actions(a, 'smb-inferred-tree');
const sw15 = (a: Analysis) => a.events.filter((e) => e.rule?.id === 'SW-0015');

t.test('impacket ADMIN$ upload + LOGOFF, encrypted → one SW-0015 with candidates [ADMIN$]', async (t) => {
  for (const f of ['inf-imp-admin-upload-enc.pcap', 'inf-holdout/inf-imp-admin-upload-enc.pcap']) {
    const a = await analyze([own(f)]);
    t.same(actions(a, 'smb-tree-connect'), [], `${f}: no tree is visible in the clear`);
    const trees = inferred(a);
    t.equal(trees.length, 1, `${f}: one inferred tree`);
    const alerts = sw15(a);
    t.equal(alerts.length, 1, `${f}: one SW-0015`);
    const al = alerts[0];
    t.same(al.smb.share_candidates, ['ADMIN$']);
    t.equal(al.smb.share_name_length, 6);
    t.equal(al.smb.share_class, 'admin');
    t.equal(al.smb.inferred, true);
    t.ok(al.smb.inference.confidence >= 0.8, `confidence ${al.smb.inference.confidence}`);
    t.equal(al.smb.activity.bytes_written, 4145, 'the WRITE size gives the 4 145-byte MZ binary');
    t.equal(al.event.severity, 73, '≤5 s: SW-0001 high, one tier lower = medium, +1 for bytes written = high');
    t.same(al.threat.technique.id, ['T1070.005', 'T1021.002']);
    t.match(al.message, /inferred from encrypted SMB3 message sizes/);
    t.equal(al.user.name, 'swalice');
    t.equal(al.smb.version, '3.0');
    t.ok(Date.parse(al.event.end) >= Date.parse(al.event.start));
    t.equal(actions(a, 'short-lived-admin-share').length, 0, 'no SW-0001: nothing was seen in the clear');
  }
});

t.test('C$ listing, encrypted (impacket and smbclient) → SW-0015 with a drive-share candidate', async (t) => {
  for (const f of ['inf-imp-c-list-enc.pcap', 'inf-sc-c-list-enc.pcap', 'inf-holdout/inf-imp-c-list-enc.pcap', 'inf-holdout/inf-sc-c-list-enc.pcap']) {
    const a = await analyze([own(f)]);
    const alerts = sw15(a);
    t.equal(alerts.length, 1, `${f}: one SW-0015`);
    t.ok(alerts[0].smb.share_candidates.some((c: string) => /^[A-Z]\$$/.test(c)), `${f}: candidates ${alerts[0].smb.share_candidates}`);
    t.equal(alerts[0].smb.share_name_length, 2);
    t.equal(alerts[0].event.severity, 47, '≤5 s, nothing written: one tier under high');
  }
  // smbclient first opens IPC$: an inferred tree of 4 characters, not an alert
  const sc = await analyze([own('inf-sc-c-list-enc.pcap')]);
  t.same(inferred(sc).map((e) => e.smb.share_candidates), [['IPC$'], ['C$']]);
});

t.test('5-letter share with the same actions → an inferred tree of length 5 and no alert', async (t) => {
  for (const f of ['inf-imp-share5-upload-enc.pcap', 'inf-sc-share5-upload-enc.pcap', 'inf-holdout/inf-imp-share5-upload-enc.pcap', 'inf-holdout/inf-sc-share5-upload-enc.pcap']) {
    const a = await analyze([own(f)]);
    const five = inferred(a).filter((e) => e.smb.share_name_length === 5);
    t.equal(five.length, 1, `${f}: a tree of 5 characters`);
    t.same(five[0].smb.share_candidates, [], 'no admin share has 5 characters; none was seen in the clear');
    t.equal(five[0].smb.share_class, 'unknown');
    t.equal(five[0].smb.activity.bytes_written, 4145);
    t.same(a.events.filter((e) => e.event.kind === 'alert'), [], `${f}: no alert`);
  }
});

t.test('a long session (ADMIN$ held 310 s) → inferred, no alert; its plaintext twin has none either', async (t) => {
  const a = await analyze([own('inf-long.pcap')]);
  const trees = inferred(a);
  t.equal(trees.length, 1);
  t.same(trees[0].smb.share_candidates, ['ADMIN$']);
  t.ok(trees[0].event.duration > 300e9, `inferred ${trees[0].event.duration} ns`);
  const twin = actions(a, 'smb-tree-disconnect').find((e) => e.smb.share_name === 'ADMIN$');
  t.ok(twin && Math.abs(twin.event.duration - trees[0].event.duration) < 0.1e9, 'within 0.1 s of the clear twin');
  // (the executable written on the clear twin's ADMIN$ raises SW-0006, whatever the lifetime)
  t.same(
    a.events.filter((e) => e.event.kind === 'alert' && (e.rule.id === 'SW-0001' || e.rule.id === 'SW-0015')),
    [],
    'beyond 300 s: neither SW-0001 nor SW-0015',
  );
});

t.test('interactive smbclient idling 24 s on ADMIN$ → one tree of ~24 s (low), not cut short', async (t) => {
  const a = await analyze([own('inf-sc-idle-enc.pcap')]);
  const admin = inferred(a).filter((e) => e.smb.share_name_length === 6);
  t.equal(admin.length, 1);
  t.ok(admin[0].event.duration > 20e9 && admin[0].event.duration < 30e9, `${admin[0].event.duration} ns`);
  const al = sw15(a);
  t.equal(al.length, 1);
  t.equal(al[0].event.severity, 21, '≤30 s: SW-0001 medium, one tier lower = low');
});

t.test('same-length ordinary shares: public (6) and hr (2) look like ADMIN$ and C$ unless known', async (t) => {
  const six = await analyze([own('inf-imp-share6-upload-enc.pcap')]);
  t.equal(sw15(six).length, 1, 'public alone is indistinguishable from ADMIN$ by size (README: limits)');
  const known = await analyze([own('inf-imp-share6-upload-enc.pcap')], { inference: { known_shares: ['public', 'hr'] } });
  const tree = inferred(known)[0];
  t.same(tree.smb.share_candidates, ['ADMIN$', 'public']);
  t.equal(tree.smb.share_class, 'unknown');
  t.ok(tree.smb.inference.confidence < 0.8, `a known same-length name lowers the confidence (${tree.smb.inference.confidence})`);
  t.same(sw15(known), []);
  const two = await analyze([own('inf-imp-share2-upload-enc.pcap')], { inference: { known_shares: ['hr'] } });
  t.same(inferred(two)[0].smb.share_candidates, ['C$', 'hr']);
  t.same(sw15(two), []);
  // a plaintext tree to the same server earlier (long-lived.pcap: \\10.99.0.1\public) names the share too
  const both = await analyze([own('long-lived.pcap'), own('inf-imp-share6-upload-enc.pcap')]);
  t.same(inferred(both)[0].smb.share_candidates, ['ADMIN$', 'public']);
  t.same(sw15(both), []);
});

t.test('min_confidence and the rule switch are honoured', async (t) => {
  const strict = await analyze([own('inf-imp-admin-upload-enc.pcap')], { inference: { min_confidence: 0.99 } });
  t.same(sw15(strict), [], 'confidence 0.952 < 0.99');
  t.equal(inferred(strict).length, 1, 'the event is still written');
  const off = await analyze([own('inf-imp-admin-upload-enc.pcap')], { rules: { 'short-lived-admin-share-inferred': { enabled: false } } });
  t.same(sw15(off), []);
});

t.test('existing encrypted captures keep their smb-encrypted-session and gain inferred trees', async (t) => {
  const a = await analyze([own('impacket-smbclient.pcap')]);
  t.equal(actions(a, 'smb-encrypted-session').length, 1);
  t.same(inferred(a).map((e) => e.smb.share_candidates), [['ADMIN$']], 'impacket smbclient.py: use ADMIN$, put, rm, logoff');
  t.equal(sw15(a).length, 1);
  const sc = await analyze([own('smb3-encrypted.pcap')]);
  t.equal(actions(sc, 'smb-encrypted-session')[0].smb.messages, 43);
  // `secure` has ADMIN$'s length: the same-length limit, on a capture recorded before inference existed
  t.same(inferred(sc).map((e) => e.smb.share_name_length), [4, 6]);
});
