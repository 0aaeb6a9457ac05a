/**
 * Tracker memcaps on real traffic: when a cap bites, the oldest session/tree is evicted with an
 * end event (idle_timeout) — never silence — and the counter shows it; pending requests too.
 */
import t from 'tap';
import { actions, analyze, own, shared } from './helpers/analyze';

t.test('max_trees: oldest trees end with idle_timeout, counted', async (t) => {
  const a = await analyze([own('many-sessions.pcap')], { tracker: { max_trees: 2 } });
  const connects = actions(a, 'smb-tree-connect').filter((e) => e.event.outcome === 'success');
  const ends = actions(a, 'smb-tree-disconnect');
  t.equal(ends.length, connects.length, 'every tree still ends exactly once');
  const evicted = ends.filter((e) => e.smb.end_reason === 'idle_timeout');
  t.ok(evicted.length > 0, `evicted trees: ${evicted.length}`);
  t.equal(a.pipeline.tracker.counters.treesEvicted, evicted.length, 'counter = evictions');
  t.ok(a.pipeline.tracker.counters.treesOpen <= 2);
  t.same(a.events.filter((e) => e.event.kind === 'alert'), [], 'evictions never alert');
});

t.test('max_sessions: oldest sessions end with idle_timeout, with their trees', async (t) => {
  const a = await analyze([own('many-sessions.pcap')], { tracker: { max_sessions: 3 } });
  const sessEnds = actions(a, 'smb-session-end');
  // 20 concurrent sessions under a cap of 3 thrash: an evicted session that goes on talking is
  // picked up again (as after a mid-stream start) and ends again later
  t.ok(sessEnds.length >= 20, `session ends: ${sessEnds.length}`);
  const evicted = sessEnds.filter((e) => e.smb.end_reason === 'idle_timeout');
  t.equal(a.pipeline.tracker.counters.sessionsEvicted, evicted.length);
  t.ok(evicted.length > 0);
  t.equal(actions(a, 'smb-tree-disconnect').length, actions(a, 'smb-tree-connect').filter((e) => e.event.outcome === 'success').length);
});

t.test('max_pending_per_connection: oldest outstanding requests are dropped and counted', async (t) => {
  // zeek/smb2_100_small_files.pcap has compound requests: several outstanding at once
  const a = await analyze([shared('zeek/smb2_100_small_files.pcap')], { tracker: { max_pending_per_connection: 1 } });
  t.ok(a.pipeline.tracker.counters.pendingEvicted > 0, `pending evicted: ${a.pipeline.tracker.counters.pendingEvicted}`);
  t.equal(actions(a, 'smb-tree-disconnect').length, actions(a, 'smb-tree-connect').filter((e) => e.event.outcome === 'success').length);
});

t.test('idle timeout on capture time ends connections, trees and sessions with idle_timeout', async (t) => {
  // long-lived.pcap keeps a tree open ~26 s with pauses; a 2 s idle timeout ends it early
  const a = await analyze([own('long-lived.pcap')], { tracker: { idle_timeout: 2 } });
  const reasons = actions(a, 'smb-tree-disconnect').map((e) => e.smb.end_reason);
  t.ok(reasons.includes('idle_timeout'), `reasons: ${reasons.join(',')}`);
  t.same(a.events.filter((e) => e.event.kind === 'alert'), []);
});
