/**
 * End-to-end on the public corpus: reader → net → tracker → detection → ECS events, checked
 * against what the captures are known to contain (tshark, Zeek's baselines, the corpus README).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { actions, analyze, shared, SHARED } from './helpers/analyze';

function corpus(): string[] {
  const out: string[] = [];
  for (const dir of ['zeek', 'suricata-verify']) {
    for (const f of readdirSync(path.join(SHARED, dir))) {
      if (/\.(pcap|pcapng|cap|gz)$/.test(f)) out.push(path.join(SHARED, dir, f));
    }
  }
  return out.sort();
}

t.test('every successful tree connect has exactly one tree disconnect, on every corpus file', async (t) => {
  for (const file of corpus()) {
    const a = await analyze([file]);
    const name = path.relative(SHARED, file);
    t.equal(a.error, null, `${name}: reads without error`);
    const open = new Map<string, number>();
    let connects = 0;
    let disconnects = 0;
    let problems = 0;
    for (const e of a.events) {
      if (e.event.kind !== 'event' || e.event.dataset !== 'sharewatch.smb') continue;
      const key = `${e.destination.ip}|${e.smb.session_id}|${e.smb.tree_id}`;
      if (e.event.action === 'smb-tree-connect' && e.event.outcome === 'success') {
        connects++;
        if (open.has(key)) problems++;
        open.set(key, 1);
      } else if (e.event.action === 'smb-tree-disconnect') {
        disconnects++;
        if (!open.delete(key)) problems++;
      }
    }
    t.equal(problems, 0, `${name}: connects and disconnects pair up`);
    t.equal(open.size, 0, `${name}: no tree left without a disconnect (${connects} connects)`);
    t.equal(disconnects, connects, `${name}: ${connects} connects, ${disconnects} disconnects`);
  }
});

t.test('smb2-07 (impacket psexec with Kerberos) raises short-lived-admin-share on ADMIN$', async (t) => {
  const a = await analyze([shared('suricata-verify/smb2-07.pcap')]);
  const alerts = actions(a, 'short-lived-admin-share');
  t.ok(alerts.length >= 1, `alerts: ${alerts.length}`);
  for (const al of alerts) {
    t.equal(al.event.kind, 'alert');
    t.equal(al.rule.id, 'SW-0001');
    t.match(al.smb.share_name, /^ADMIN\$$/i);
    t.equal(al.smb.share_class, 'admin');
    t.equal(al.user.domain, 'CONTOSO.LOCAL', 'realm from the Kerberos AP-REQ');
    t.equal(al.source.ip, '192.168.10.31');
    t.equal(al.destination.ip, '192.168.10.10');
    t.ok(al.event.duration > 9e9 && al.event.duration < 14e9, `duration ${al.event.duration}`);
    t.ok(['tree_disconnect', 'logoff'].includes(al.smb.end_reason));
    t.ok(al.event.severity >= 47, 'at least medium (≤30 s)');
    t.same(al.threat.technique.id, ['T1070.005', 'T1021.002']);
    t.equal(al.threat.framework, 'MITRE ATT&CK');
  }
  const setups = actions(a, 'smb-session-setup');
  t.ok(setups.some((e) => e.smb.auth === 'kerberos' && e.event.outcome === 'success'), 'a Kerberos session setup succeeded');
});

t.test('benign captures raise no alert', async (t) => {
  for (const f of ['suricata-verify/smb2-09-trunc-file-logging.pcap', 'zeek/smb2.pcap']) {
    const a = await analyze([shared(f)]);
    const alerts = a.events.filter((e) => e.event.kind === 'alert');
    t.same(alerts.map((e) => e.event.action), [], `${f}: no alert`);
    t.ok(actions(a, 'smb-tree-connect').length > 0, `${f}: tree connects seen`);
  }
});

function zeekMapping(file: string): { path: string; type: string }[] {
  return readFileSync(path.join(SHARED, 'zeek', 'baselines', file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .map((f) => ({ path: f[6].replace(/\\\\/g, '\\'), type: f[9] }));
}

t.test('tree connects match Zeek smb_mapping baselines (path, share type)', async (t) => {
  for (const [cap, base] of [
    ['zeek/smb2.pcap', 'smb2.smb_mapping.log'],
    ['zeek/smb3.pcap', 'smb3.smb_mapping.log'],
  ]) {
    const a = await analyze([shared(cap)]);
    const ours = actions(a, 'smb-tree-connect')
      .filter((e) => e.event.outcome === 'success')
      .map((e) => ({ path: e.smb.share, type: String(e.smb.share_type).toUpperCase() }));
    const theirs = zeekMapping(base);
    const key = (x: { path: string; type: string }) => `${x.path}|${x.type}`;
    t.same(ours.map(key).sort(), theirs.map(key).sort(), `${cap} vs ${base}`);
  }
});

t.test('zeek/smb3.pcap shows the tree connect to the encrypted share', async (t) => {
  const a = await analyze([shared('zeek/smb3.pcap')]);
  const enc = actions(a, 'smb-tree-connect').find((e) => e.smb.share === '\\\\WS2016\\encrypted');
  t.ok(enc, 'tree connect to \\\\WS2016\\encrypted');
  t.equal(enc?.smb.share_type, 'disk');
  t.equal(enc?.user.name, 'administrator');
  t.equal(enc?.user.domain, 'SUSE');
  t.equal(enc?.smb.version, '3.0');
});

function tsharkTransform(file: string): { messages: number; bytes: number } {
  const out = execFileSync(
    'tshark',
    ['-Q', '-n', '-r', file, '-o', 'tcp.desegment_tcp_streams:TRUE', '-Y', 'smb2.header.transform.msg_size', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'smb2.header.transform.msg_size'],
    { encoding: 'utf8' },
  );
  let messages = 0;
  let bytes = 0;
  for (const line of out.split('\n')) {
    for (const v of line.split(',')) {
      if (!v) continue;
      messages++;
      bytes += Number(v);
    }
  }
  return { messages, bytes };
}

t.test('zeek/smb311.pcap yields smb-encrypted-session with tshark-equal counts', async (t) => {
  const file = shared('zeek/smb311.pcap');
  const a = await analyze([file]);
  const enc = actions(a, 'smb-encrypted-session');
  t.equal(enc.length, 1, 'one encrypted session');
  const ref = tsharkTransform(file);
  t.equal(enc[0].smb.session_id, '0x0000281cac000069');
  t.equal(enc[0].smb.messages, ref.messages, 'transform messages = tshark');
  t.equal(enc[0].smb.bytes, ref.bytes, 'sum of OriginalMessageSize = tshark');
  t.equal(enc[0].user.name, 'administrator');
  t.equal(enc[0].smb.version, '3.1.1');
});
