/**
 * The ECS shape of every event of the corpus (contract version 2, "Events"), checked against the
 * ECS field reference shipped by @elastic/ecs (generated/ecs_flat: every field's type, array
 * normalization and allowed values): every leaf is either an ECS field of the right type or in
 * the contract's own `smb.*` / `dcerpc.*` / `lateral_movement.*` namespaces; event.kind,
 * category, type and outcome take ECS allowed values, and each event.type is one ECS expects for
 * the event's categories. And network.community_id: the spec's published vectors, and tshark's
 * own Community ID dissector on real IPv4 and IPv6 connections of the corpus, both directions.
 */
import t from 'tap';
import { isIP } from 'node:net';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, OWN, own, shared } from './helpers/analyze';
import { corpusFiles, corpusName } from './helpers/corpus';
import { toEcs } from '../src/output/ecs';
import { makeObserver } from '../src/output/observer';
import { communityId } from '../src/output/community-id';
import { ECS_VERSION } from '../src/output/categorize';
import * as R from './helpers/output-records';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EcsFlat } = require('@elastic/ecs/generated/ecs_flat') as { EcsFlat: Record<string, EcsField> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EcsVersion } = require('@elastic/ecs') as { EcsVersion: string };

interface EcsField {
  type: string;
  normalize?: string[];
  allowed_values?: { name: string; expected_event_types?: string[] }[];
}

const OWN_NAMESPACES = ['smb.', 'dcerpc.', 'lateral_movement.'];
/**
 * Contract fields outside ECS and outside our namespaces, each with its reason. `event.count`:
 * the contract names the number of folded repeats so (ECS has no such field); it is a long.
 */
const CONTRACT_EXTRAS: Record<string, string> = { 'event.count': 'long' };

type J = Record<string, unknown>;

/** leaves as dotted paths; arrays of scalars are one leaf */
function leaves(o: J, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(o)) {
    const p = prefix === '' ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) leaves(v as J, p, out);
    else out.push([p, v]);
  }
  return out;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'keyword':
    case 'constant_keyword':
    case 'wildcard':
    case 'text':
    case 'match_only_text':
      return typeof v === 'string';
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
    case 'unsigned_long':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
    case 'double':
    case 'scaled_float':
    case 'half_float':
      return typeof v === 'number';
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0;
    case 'date':
      return typeof v === 'string' && ISO.test(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return false;
  }
}

/** Everything about one event that is not ECS. */
export function ecsProblems(e: J): string[] {
  const out: string[] = [];
  for (const [p, v] of leaves(e)) {
    if (OWN_NAMESPACES.some((ns) => p.startsWith(ns))) continue;
    const values = Array.isArray(v) ? v : [v];
    const extra = CONTRACT_EXTRAS[p];
    if (extra !== undefined) {
      if (!values.every((x) => typeOk(extra, x))) out.push(`${p}: ${JSON.stringify(v)} is no ${extra}`);
      continue;
    }
    const f = EcsFlat[p];
    if (f === undefined) {
      out.push(`${p}: not an ECS field`);
      continue;
    }
    if (Array.isArray(v) && !(f.normalize ?? []).includes('array')) out.push(`${p}: an array, ECS expects one value`);
    if (!values.every((x) => typeOk(f.type, x))) out.push(`${p}: ${JSON.stringify(v)} is no ${f.type}`);
    if (f.allowed_values !== undefined) {
      const allowed = f.allowed_values.map((a) => a.name);
      for (const x of values) if (!allowed.includes(String(x))) out.push(`${p}: ${String(x)} is not an ECS allowed value`);
    }
  }
  // event.type must be one that ECS expects for each of the event's categories
  const ev = (e.event ?? {}) as J;
  const cats = (ev.category ?? []) as string[];
  const types = (ev.type ?? []) as string[];
  if (cats.length === 0 || types.length === 0) out.push('event.category / event.type missing');
  for (const c of cats) {
    const def = EcsFlat['event.category'].allowed_values!.find((a) => a.name === c);
    const expected = def?.expected_event_types ?? [];
    for (const ty of types) if (!expected.includes(ty)) out.push(`event.type ${ty} is not expected for category ${c}`);
  }
  return out;
}

t.test('ecs.version is the ECS release the reference comes from', async (t) => {
  t.equal(ECS_VERSION, EcsVersion);
});

t.test('every event of the corpus and of the lab captures is ECS (or smb.*/dcerpc.*/lateral_movement.*)', async (t) => {
  const labs = fs.readdirSync(OWN).filter((f) => f.endsWith('.pcap')).map((f) => path.join(OWN, f));
  let events = 0;
  const actions = new Map<string, number>();
  let bad = 0;
  const liveObserver = makeObserver({ name: 'sensor-7', iface: 'eth0' });
  for (const f of [...corpusFiles(), ...labs]) {
    const a = await analyze([f]);
    for (const [i, r] of a.records.entries()) {
      // the live observer (ingress interface) once per capture
      for (const e of (i === 0 ? [toEcs(r), toEcs(r, liveObserver)] : [toEcs(r)]) as J[]) {
        events++;
        const ev = e.event as J;
        actions.set(String(ev.action), (actions.get(String(ev.action)) ?? 0) + 1);
        const p = ecsProblems(e);
        if (p.length > 0 && bad++ < 5) t.same(p, [], `${corpusName(f)}: ${String(ev.action)}`);
      }
    }
  }
  t.equal(bad, 0, `${events} events, all ECS`);
  // the shapes that exist: every lifecycle action and the rules the corpus raises
  for (const a of ['smb-session-setup', 'smb-session-end', 'smb-tree-connect', 'smb-tree-disconnect', 'smb-encrypted-session',
    'short-lived-admin-share', 'admin-share-failure-burst', 'executable-written-to-admin-share']) {
    t.ok((actions.get(a) ?? 0) > 0, `${a} checked (${actions.get(a) ?? 0})`);
  }
  // the hand-built shapes the corpus may lack: a summary with files, a dcerpc-call record
  const dcAlert = { ...R.alert, ruleId: 'SW-0004', ruleName: 'remote-service-created', about: R.dcerpcCall };
  for (const r of [...R.allRecordsV2, R.dcerpcCall, dcAlert]) t.same(ecsProblems(toEcs(r) as J), [], `hand-built ${r.kind}`);
});

t.test('the checker itself catches what is not ECS', async (t) => {
  const good = toEcs(R.treeDisconnect) as J;
  t.same(ecsProblems(good), []);
  const bad = JSON.parse(JSON.stringify(good));
  bad.event.category = ['smb'];
  bad.event.type = ['start'];
  bad.source.port = '445';
  bad.network.bogus = 1;
  bad.event.kind = 'alarm';
  t.same(ecsProblems(bad).sort(), [
    'event.kind: alarm is not an ECS allowed value',
    'event.category: smb is not an ECS allowed value',
    'network.bogus: not an ECS field',
    'source.port: "445" is no long',
    'event.type start is not expected for category smb',
  ].sort());
  const wrongType = JSON.parse(JSON.stringify(good));
  wrongType.event.type = ['access'];
  wrongType.event.category = ['authentication'];
  t.same(ecsProblems(wrongType), ['event.type access is not expected for category authentication']);
});

t.test('community_id: the published vectors (TCP, UDP, ICMPv6, SCTP; IPv4 and IPv6; both directions)', async (t) => {
  const vectors = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'shared', 'spec', 'vectors', 'community-id-v1.json'), 'utf8')) as {
    proto: number;
    saddr: string;
    daddr: string;
    sport: number;
    dport: number;
    communityid: string;
  }[];
  t.ok(vectors.length >= 8);
  for (const v of vectors) t.equal(communityId(v.saddr, v.sport, v.daddr, v.dport, v.proto), v.communityid, `${v.proto} ${v.saddr}:${v.sport} → ${v.daddr}:${v.dport}`);
  t.equal(communityId('10.0.0.1', 1, 'not-an-ip', 2), null);
  t.equal(communityId('10.0.0.1', 1, '::1', 2), null, 'mixed families');
});

t.test('community_id equals tshark\'s Community ID of the same connections (IPv4 and IPv6, both directions)', async (t) => {
  const files = [
    own('ipv6.pcap'),
    own('psexec-probe.pcap'),
    own('many-sessions.pcap'),
    shared('suricata-verify/smb2-07.pcap'),
    shared('suricata-verify/smb-length-5770.pcap'),
    shared('zeek/smb3_multichannel.pcap'),
    shared('zeek/smb_v2_only_non_zero_reserved1.pcap'),
  ];
  let v6 = 0;
  let v4 = 0;
  for (const f of files) {
    const r = spawnSync('tshark', ['-n', '-r', f, '--enable-protocol', 'communityid', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|',
      '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'communityid'], { encoding: 'utf8' });
    t.equal(r.status, 0, `tshark on ${path.basename(f)}`);
    const byDir = new Map<string, string>();
    for (const l of r.stdout.split('\n')) {
      if (l === '') continue;
      const [s4, s6, sp, d4, d6, dp, cid] = l.split('|');
      byDir.set(`${s4 || s6}|${sp}|${d4 || d6}|${dp}`, cid);
    }
    const a = await analyze([f]);
    const seen = new Set<string>();
    for (const e of a.events) {
      const fwd = `${e.source.ip}|${e.source.port}|${e.destination.ip}|${e.destination.port}`;
      const rev = `${e.destination.ip}|${e.destination.port}|${e.source.ip}|${e.source.port}`;
      if (seen.has(fwd)) continue;
      seen.add(fwd);
      t.equal(byDir.get(fwd), e.network.community_id, `${path.basename(f)} ${fwd}: client → server`);
      t.equal(byDir.get(rev), e.network.community_id, `${path.basename(f)} ${rev}: server → client`);
      if (isIP(e.source.ip) === 6) v6++;
      else v4++;
    }
  }
  t.ok(v4 >= 20, `${v4} IPv4 connections`);
  t.ok(v6 >= 1, `${v6} IPv6 connections`);
});
