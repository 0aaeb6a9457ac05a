/**
 * src/tracker: the Tracker fed real SMB conversations of the corpus, interleaved over a few
 * connections, with messages mutated, dropped, duplicated, cut (truncated) and gaps between them,
 * under default or tiny memcaps. No throw; every record well-formed and safe in every output
 * format; once every connection has ended nothing is left open (each evicted or ended session and
 * tree got its end record); counters sane.
 */
import fc from 'fast-check';
import { Tracker } from '../../../src/tracker/tracker';
import type { Conn, ConnEndReason, SmbMessage } from '../../../src/shared/stream';
import type { LifecycleRecord } from '../../../src/shared/records';
import { bump, type FuzzProperty } from '../harness';
import { checkCounters, mutate, type Mutation } from '../checks';
import { checkRecord } from '../records';
import { corpusSeeds, mutationArb } from '../seeds';

interface Step {
  conv: number;
  op: number;
  m: Mutation;
  cut: number;
  dtUs: number;
}

const TINY = { maxSessions: 2, maxTrees: 3, maxPendingPerConnection: 4, maxOpenFilesPerConnection: 2 };
const ENDS: ConnEndReason[] = ['fin', 'rst', 'idle_timeout', 'capture_end', 'evicted'];

export function checkTrackerDone(tr: Tracker, recs: LifecycleRecord[], counts: Record<string, number>): void {
  checkCounters(tr.counters, 'tracker.counters');
  if (tr.counters.sessionsOpen !== 0 || tr.counters.treesOpen !== 0 || tr.openSessions !== 0) {
    throw new Error(`left open after every connection ended: ${tr.counters.sessionsOpen} sessions, ${tr.counters.treesOpen} trees`);
  }
  const connects = recs.filter((r) => r.kind === 'tree-connect' && r.tree.success).length;
  const disconnects = recs.filter((r) => r.kind === 'tree-disconnect').length;
  if (connects !== disconnects) throw new Error(`${connects} successful tree connects, ${disconnects} tree-disconnect records`);
  bump(counts, 'sessionsEvicted', tr.counters.sessionsEvicted);
  bump(counts, 'treesEvicted', tr.counters.treesEvicted);
  bump(counts, 'pendingEvicted', tr.counters.pendingEvicted);
  for (const [k, v] of tr.counters.parseErrors) bump(counts, 'parseError.' + k, v);
}

export const trackerConversations: FuzzProperty<{ convs: number[]; steps: Step[]; tiny: boolean; ends: number[] }> = {
  layer: 'tracker',
  name: 'real conversations interleaved, mutated, dropped, duplicated, cut, with gaps; default or tiny memcaps',
  weight: 2,
  arbitrary: () =>
    fc.record({
      convs: fc.array(fc.nat(corpusSeeds().conversations.length - 1), { minLength: 1, maxLength: 3 }),
      steps: fc.array(
        fc.record({
          conv: fc.nat(2),
          // 0-5 next message as is, 6 mutated, 7 dropped, 8 duplicated, 9 cut (truncated), 10 gap, 11 NBSS control
          op: fc.nat(11),
          m: mutationArb(4),
          cut: fc.nat(200),
          dtUs: fc.oneof(fc.nat(2000), fc.constantFrom(5_000_000, 900_000_000)),
        }),
        { minLength: 20, maxLength: 150 },
      ),
      tiny: fc.boolean(),
      ends: fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
    }),
  check({ convs, steps, tiny, ends }, counts) {
    const seeds = corpusSeeds().conversations;
    const recs: LifecycleRecord[] = [];
    const tr = new Tracker((r) => recs.push(r), tiny ? TINY : {});
    const conns: Conn[] = convs.map((_, i) => ({
      id: i + 1,
      clientIp: i === 2 ? 'fd00::1' : '10.0.0.' + (i + 1),
      clientPort: 40000 + i,
      // two of them talk to the same server: sessions may span connections
      serverIp: '10.0.0.100',
      serverPort: 445,
      startSec: 1_700_000_000,
      startNsec: 0,
      dcerpc: false,
      user: null,
    }));
    const pos = convs.map(() => 0);
    let us = 0;
    for (const c of conns) tr.onConnStart(c);
    const msg: SmbMessage = { conn: conns[0], dir: 0, tsSec: 0, tsNsec: 0, data: Buffer.alloc(0), length: 0, truncated: false, afterGap: false };
    for (const s of steps) {
      const k = s.conv % conns.length;
      const conv = seeds[convs[k]];
      us += s.dtUs;
      const sec = 1_700_000_000 + Math.floor(us / 1e6);
      const nsec = (us % 1e6) * 1000;
      tr.onTime(sec, nsec);
      if (s.op === 10) {
        tr.onGap(conns[k], (s.cut & 1) as 0 | 1, s.cut + 1, sec, nsec);
        continue;
      }
      if (s.op === 11) {
        tr.onNbssControl(conns[k], 0, 0x81, Buffer.from(mutate(Buffer.alloc(68, 0x41), s.m)), sec, nsec);
        continue;
      }
      if (pos[k] >= conv.length) continue;
      const src = conv[pos[k]];
      if (s.op !== 8) pos[k]++;
      if (s.op === 7) continue;
      let data = src.data;
      if (s.op === 6) data = mutate(data, s.m);
      let length = Math.max(src.length, data.length);
      if (s.op === 9) data = data.subarray(0, Math.min(data.length, 32 + s.cut));
      if (s.op === 6 && s.m.cut !== undefined) length = data.length;
      msg.conn = conns[k];
      msg.dir = src.dir;
      msg.tsSec = sec;
      msg.tsNsec = nsec;
      msg.data = data;
      msg.length = length;
      msg.truncated = data.length < length;
      msg.afterGap = s.op === 10;
      tr.onSmbMessage(msg);
      bump(counts, 'messages');
    }
    conns.forEach((c, i) => tr.onConnEnd(c, ENDS[ends[i] ?? 0], 1_700_000_000 + Math.floor(us / 1e6) + 1, 0));
    for (const r of recs) checkRecord(r, counts);
    checkTrackerDone(tr, recs, counts);
  },
};

export const trackerProperties = [trackerConversations];
