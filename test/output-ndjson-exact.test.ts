/**
 * toNdjsonLine writes the NDJSON line by hand (for speed); it must stay byte-identical to
 * JSON.stringify(toEcs(rec)) + '\n' for every record: all records the analyzer emits on the corpus
 * and the lab captures, the hand-built shapes, and records whose strings and numbers are hostile
 * (quotes, backslashes, C0/C1 controls, paired and lone surrogates, NaN, -0, undefined fields).
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import { toEcs, toNdjsonLine } from '../src/output/ecs';
import { makeObserver } from '../src/output/observer';
import type { OutputRecord } from '../src/shared/records';
import { analyze, OWN } from './helpers/analyze';
import { corpusFiles, corpusName } from './helpers/corpus';
import * as R from './helpers/output-records';

function reference(rec: OutputRecord): string {
  return JSON.stringify(toEcs(rec)) + '\n';
}

function same(t: Test, recs: OutputRecord[], what: string): number {
  let bad = 0;
  for (const r of recs) {
    const got = toNdjsonLine(r);
    const want = reference(r);
    if (got !== want) {
      if (bad++ < 3) t.equal(got, want, `${what}: ${r.kind}`);
    }
  }
  if (bad === 0) t.pass(`${what}: ${recs.length} records identical`);
  return bad;
}

t.test('hand-built records', async (t) => {
  const dcerpcAlert: OutputRecord = { ...R.alert, ruleId: 'SW-0004', ruleName: 'remote-service-created', about: R.dcerpcCall };
  same(t, [...R.allRecordsV2, R.dcerpcCall, dcerpcAlert], 'output-records');
  // the live observer (interface, configured name) is written the same way
  const live = makeObserver({ name: 'sensor "7"', iface: 'eth0' });
  for (const r of R.allRecordsV2) {
    if (toNdjsonLine(r, live) !== JSON.stringify(toEcs(r, live)) + '\n') t.fail(`live observer: ${r.kind}`);
  }
});

t.test('hostile strings and numbers', async (t) => {
  const strings = [
    R.hostile,
    '',
    '"',
    '\\',
    '\u2028\u2029',
    '\x7f\x80\x9f\u00a0',
    '\ud83d\ude00 paired',
    'lone high \ud800 end',
    'lone low \udfff',
    '\udc00\ud800 reversed',
    'tab\there',
    '\u0000\u0001\u001f',
    'plain ASCII C$ \\\\srv\\share',
    'é ü 日本語',
  ];
  const numbers = [0, -0, 1.5, -1, 2 ** 53, 1e21, 1e-7, NaN, Infinity, -Infinity];
  const recs: OutputRecord[] = [];
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    const n = numbers[i % numbers.length];
    const session = { ...R.ntlmSession, user: s, domain: s, workstation: s, sessionId: s, version: s, kerberosRealm: s, kerberosService: s };
    const tree = { ...R.adminTree, share: s, shareName: s, status: s, treeId: s };
    const flow = { clientIp: s, clientPort: n, serverIp: s, serverPort: n };
    const td = { ...R.treeDisconnect, session, tree, flow, durationNs: n, files: [s, s + 'x'], pipes: [s], activity: { creates: n, reads: n, writes: n, bytesRead: n, bytesWritten: n, ioctls: n } };
    recs.push(td, { ...R.setupOk, session, flow, status: s }, { ...R.sessionEnd, session, flow, status: s, trees: n, durationNs: n });
    recs.push({ ...R.alert, message: s, ruleId: s, ruleName: s, severity: n, count: n, about: td, techniques: [{ id: s, name: s }] });
    recs.push({ ...R.treeSummaryAlert, about: td, summary: { start: R.ts1, end: R.ts1, names: [s, s], namesOmitted: n } });
    recs.push({ ...R.encrypted, session, flow, messages: n, bytes: n });
  }
  // fields that are undefined at run time are left out, as JSON.stringify does
  const u = undefined as unknown as string;
  const session = { ...R.ntlmSession, user: u, domain: u, sessionId: u, version: u, auth: u as never };
  recs.push({ ...R.treeDisconnect, session, tree: { ...R.adminTree, status: u, shareType: u as never }, files: [u, 'a'] });
  recs.push({ ...R.alert, message: u, count: u as never, techniques: [{ id: u, name: 'x' }] });
  recs.push({ ...R.treeDisconnect, files: Array.from({ length: 40 }, (_, i) => `f${i}`) });
  recs.push({ ...R.alert, techniques: [] });
  same(t, recs, 'hostile');
});

t.test('every record the analyzer emits on the corpus and the lab captures', async (t) => {
  const own = fs
    .readdirSync(OWN)
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => `${OWN}/${f}`);
  let total = 0;
  let bad = 0;
  for (const f of [...corpusFiles(), ...own]) {
    const a = await analyze([f]);
    total += a.records.length;
    for (const r of a.records) {
      if (toNdjsonLine(r) !== reference(r)) {
        if (bad++ < 3) t.equal(toNdjsonLine(r), reference(r), corpusName(f));
      }
    }
  }
  t.equal(bad, 0, `${total} records, all identical`);
  t.ok(total > 500, 'the corpus yields records');
});
