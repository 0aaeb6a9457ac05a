/**
 * smb-inferred-tree and SW-0015 in every output format: the hand-written NDJSON writer stays
 * byte-identical to JSON.stringify(toEcs(rec)) (hostile strings and numbers included), ECS fields
 * are the contract's, pretty lines are single and escaped, Zeek rows have the header's columns.
 */
import t from 'tap';
import { toEcs, toNdjsonLine } from '../src/output/ecs';
import { formatPretty } from '../src/output/pretty';
import { zeekHeader, zeekRow } from '../src/output/zeek';
import type { AlertRecord, InferredTreeRecord } from '../src/shared/records';
import * as R from './helpers/output-records';

const inferred: InferredTreeRecord = {
  kind: 'inferred-tree',
  ts: R.ts1,
  startTs: R.ts0,
  endTs: { sec: R.ts1.sec, nsec: R.ts1.nsec - 1000 },
  flow: R.flow,
  session: { ...R.ntlmSession, version: '3.0' },
  reason: 'logoff',
  durationNs: 2_499_999_000,
  shareNameLength: 6,
  shareCandidates: ['ADMIN$'],
  shareClass: 'admin',
  confidence: 0.952,
  activity: { creates: 2, reads: 0, writes: 1, bytesRead: 0, bytesWritten: 4145, ioctls: 0 },
};
const alert: AlertRecord = {
  ...R.alert,
  ruleId: 'SW-0015',
  ruleName: 'short-lived-admin-share-inferred',
  severity: 73,
  message: 'inferred from encrypted SMB3 message sizes',
  about: inferred,
};

t.test('ECS shape', async (t) => {
  const e = toEcs(inferred) as any;
  t.equal(e.event.action, 'smb-inferred-tree');
  t.equal(e.event.outcome, 'unknown');
  t.equal(e.event.duration, 2_499_999_000);
  t.equal(e.event.start, '2026-11-23T01:02:03.123456Z');
  t.equal(e.event.end, '2026-11-23T01:02:05.623455Z');
  t.same(e.smb.share_candidates, ['ADMIN$']);
  t.same(e.smb, {
    version: '3.0',
    session_id: R.ntlmSession.sessionId,
    auth: 'ntlmssp',
    workstation: R.ntlmSession.workstation,
    inferred: true,
    share_name_length: 6,
    share_candidates: ['ADMIN$'],
    share_class: 'admin',
    end_reason: 'logoff',
    activity: { creates: 2, writes: 1, bytes_written: 4145 },
    inference: { confidence: 0.952 },
  });
  const a = toEcs(alert) as any;
  t.equal(a.rule.id, 'SW-0015');
  t.same(a.smb, e.smb, 'the alert carries the inferred tree fields');
});

t.test('hand-written NDJSON = JSON.stringify(toEcs), hostile values too', async (t) => {
  const recs = [inferred, alert, { ...inferred, shareCandidates: [], shareClass: 'unknown' as const }];
  for (const s of [R.hostile, '', '"\\', '\ud800 lone']) {
    for (const n of [0, -0, NaN, 1e21, 0.1 + 0.2]) {
      const session = { ...R.ntlmSession, user: s, sessionId: s, version: s };
      recs.push({ ...inferred, session, shareCandidates: [s, s + s], confidence: n, durationNs: n, shareNameLength: n });
      recs.push({ ...alert, message: s, about: { ...inferred, session, shareCandidates: [s] } });
    }
  }
  for (const r of recs) t.equal(toNdjsonLine(r), JSON.stringify(toEcs(r)) + '\n');
});

t.test('pretty and zeek', async (t) => {
  t.match(formatPretty(inferred), /smb-inferred-tree +unknown .* inferred share_length=6 candidates=ADMIN\$ class=admin confidence=0\.952 reason=logoff duration=2\.499999s creates=2 writes=1 bytes_written=4145/);
  t.match(formatPretty(alert), /ALERT high\(73\) short-lived-admin-share-inferred SW-0015 /);
  const evil = formatPretty({ ...inferred, shareCandidates: [R.hostile] });
  t.notOk(evil.includes('\x1b'), 'candidates are escaped');
  t.equal(evil.indexOf('\n'), evil.length - 1);
  const row = zeekRow(inferred)!;
  const fields = zeekHeader(R.ts0).split('\n').find((l) => l.startsWith('#fields'))!.split('\t').length - 1;
  t.equal(row.replace(/\n$/, '').split('\t').length, fields, 'as many columns as the header');
  t.match(row, /^1795395723\.123456\t/, 'ts is the tree start');
  t.match(row, /\tadmin\t-\tlogoff\t2\.499999\t2\t-\t1\t-\t4145\t-\t\(empty\)\n$/);
  t.equal(zeekRow(alert), null, 'alerts are not mapping rows');
});
