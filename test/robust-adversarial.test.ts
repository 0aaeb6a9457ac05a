/**
 * Adversarial captures from tools/gen/adversarial.js, generated at test time, replayed in-process
 * with small memcaps: the state stays under the caps (gauges never pass them, heap growth bounded),
 * each cap's counter shows it bit, and every evicted tree/session still gets its end event
 * (end_reason idle_timeout). CI runs scaled-down counts; ROBUST_FULL=1 runs the sizes of issue 10
 * (1M SYN-only flows, 100k tree connects, 100k sessions that never end).
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { readCaptures } from '../src/capture/reader';
import { AnalysisPipeline } from '../src/cli/pipeline';
import { parseConfig } from '../src/shared/config';
import type { OutputRecord } from '../src/shared/records';
import { toEcs } from '../src/output/ecs';

const FULL = process.env.ROBUST_FULL === '1';
const GEN = path.resolve(__dirname, '..', 'tools', 'gen', 'adversarial.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-adversarial-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function generate(scenario: string, count: number, extra: string[] = []): string {
  const out = path.join(dir, `${scenario}-${count}.pcap`);
  execFileSync(process.execPath, [GEN, scenario, '--out', out, '--count', String(count), ...extra], { stdio: 'pipe' });
  return out;
}

const CAPS = {
  tracker: { max_flows: 1000, max_sessions: 500, max_trees: 1000, max_pending_per_connection: 64 },
  net: { max_ooo_bytes_per_flow: 65536, max_ooo_bytes_total: 1 << 20, max_message_bytes: 65536 },
};

interface Run {
  pipeline: AnalysisPipeline;
  /** events by action and by action/end_reason or action/outcome (tallied, not kept: the heap measures the pipeline) */
  tally: Record<string, number>;
  heapGrowth: number;
  peak: { flows: number; sessions: number; trees: number; ooo: number };
}

/** Replay with small memcaps, sampling the gauges every 1000 packets and the retained heap every 100k. */
async function replay(file: string): Promise<Run> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let heapMax = heap0;
  const tally: Record<string, number> = {};
  const bump = (k: string) => (tally[k] = (tally[k] ?? 0) + 1);
  const pipeline = new AnalysisPipeline(parseConfig(CAPS, 'test'), {
    write: (r: OutputRecord) => {
      const e = toEcs(r) as Record<string, any>;
      const a = e.event.action as string;
      bump(a);
      if (e.smb?.end_reason) bump(`${a}/${e.smb.end_reason}`);
      bump(`${a}/${e.event.outcome}`);
    },
  });
  const peak = { flows: 0, sessions: 0, trees: 0, ooo: 0 };
  let n = 0;
  const summary = await readCaptures([file], (p) => {
    pipeline.onPacket(p);
    if (++n % 1000 === 0) {
      const c = pipeline.net.counters;
      const tc = pipeline.tracker.counters;
      peak.flows = Math.max(peak.flows, c.flowsOpen);
      peak.sessions = Math.max(peak.sessions, tc.sessionsOpen);
      peak.trees = Math.max(peak.trees, tc.treesOpen);
      peak.ooo = Math.max(peak.ooo, c.oooBytesHeld);
      if (n % 100_000 === 0) {
        // retained memory, not garbage V8 has not collected yet
        gc();
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      }
    }
  });
  if (summary.error) throw summary.error;
  gc();
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  pipeline.finish();
  return { pipeline, tally, heapGrowth: heapMax - heap0, peak };
}

const MB = 1 << 20;
const count = (r: Run, k: string) => r.tally[k] ?? 0;
/** end reasons of an action's events */
const reasons = (r: Run, a: string) => {
  const m: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.tally)) {
    const [act, why] = k.split('/');
    if (act === a && why && /_/.test(why)) m[why] = v;
  }
  return m;
};

t.test('SYN-only flood: the flow table stays at max_flows, evictions counted', async (t) => {
  const n = FULL ? 1_000_000 : 100_000;
  const r = await replay(generate('syn-flood', n));
  const c = r.pipeline.net.counters;
  t.equal(c.flows, n, `${n} connections started`);
  t.ok(r.peak.flows <= 1000, `open flows peaked at ${r.peak.flows} (max_flows 1000)`);
  t.equal(c.connsEndedEvicted, n - 1000, 'every flow past the cap evicted the oldest (connsEndedEvicted)');
  t.equal(c.flowsOpen, 0, 'all ended at capture end');
  t.ok(r.heapGrowth < 32 * MB, `retained heap grew ${(r.heapGrowth / MB).toFixed(1)} MB`);
  t.end();
});

t.test('NBSS length of 16 MB with no data: nothing of that size is held', async (t) => {
  const r = await replay(generate('nbss-16mb', 3));
  const c = r.pipeline.net.counters;
  t.ok(c.messagesIncompleteAtEnd >= 3, `messages incomplete at end: ${c.messagesIncompleteAtEnd}`);
  t.equal(c.messagesDelivered, 0, 'nothing delivered from an announced-but-absent body');
  t.ok(r.heapGrowth < 8 * MB, `retained heap grew ${(r.heapGrowth / MB).toFixed(1)} MB for 9 flows announcing 16 MB each`);
  t.end();
});

t.test('tree connects without disconnects: max_trees holds, evicted trees end with idle_timeout', async (t) => {
  const n = FULL ? 100_000 : 20_000;
  const r = await replay(generate('tree-connects', n));
  const tc = r.pipeline.tracker.counters;
  t.ok(r.peak.trees <= 1000, `open trees peaked at ${r.peak.trees} (max_trees 1000)`);
  t.equal(tc.treesEvicted, n - 1000, 'treesEvicted = connects past the cap');
  t.equal(count(r, 'smb-tree-disconnect'), n, 'every tree has its tree-disconnect event');
  t.same(reasons(r, 'smb-tree-disconnect'), { idle_timeout: n - 1000, capture_end: 1000 }, 'evicted: idle_timeout; the rest: capture_end');
  t.equal(tc.treesOpen, 0);
  t.ok(r.heapGrowth < 32 * MB, `retained heap grew ${(r.heapGrowth / MB).toFixed(1)} MB`);
  t.end();
});

t.test('sessions that never end: max_sessions and max_flows hold, evicted sessions still end', async (t) => {
  const n = FULL ? 100_000 : 10_000;
  const r = await replay(generate('sessions-never-end', n));
  const tc = r.pipeline.tracker.counters;
  const c = r.pipeline.net.counters;
  t.ok(r.peak.sessions <= 500, `open sessions peaked at ${r.peak.sessions} (max_sessions 500)`);
  t.ok(r.peak.flows <= 1000, `open flows peaked at ${r.peak.flows} (max_flows 1000)`);
  t.ok(tc.sessionsEvicted > 0, `sessionsEvicted ${tc.sessionsEvicted}`);
  t.ok(c.connsEndedEvicted > 0, `connsEndedEvicted ${c.connsEndedEvicted}`);
  t.equal(count(r, 'smb-session-setup/success'), n, `${n} successful session setups`);
  t.equal(count(r, 'smb-session-end'), n, 'every session has its session-end event');
  const why = reasons(r, 'smb-session-end');
  t.ok((why.idle_timeout ?? 0) >= tc.sessionsEvicted, `end reasons ${JSON.stringify(why)}`);
  t.equal(count(r, 'smb-tree-disconnect'), n, 'every tree has its tree-disconnect event');
  t.equal(tc.sessionsOpen + tc.treesOpen, 0);
  t.ok(r.heapGrowth < 32 * MB, `retained heap grew ${(r.heapGrowth / MB).toFixed(1)} MB`);
  t.end();
});

t.test('SMB2 NextCommand cycles: typed errors, counted, no hang', async (t) => {
  const started = Date.now();
  const r = await replay(generate('next-command-cycle', FULL ? 1000 : 50));
  const pe = r.pipeline.tracker.counters.parseErrors;
  t.ok((pe.get('smb2:bad_next_command') ?? 0) > 0, `parse errors ${JSON.stringify([...pe])}`);
  t.ok(Date.now() - started < 20_000, 'bounded time');
  t.ok(count(r, 'smb-session-end') > 0, 'the session still ends');
  t.end();
});

t.test('SMB1 AndX cycles: typed errors, counted, no hang', async (t) => {
  const started = Date.now();
  const r = await replay(generate('andx-cycle', FULL ? 1000 : 50));
  const pe = r.pipeline.tracker.counters.parseErrors;
  const andx = [...pe].filter(([k]) => k.startsWith('smb1:smb1_andx')).reduce((s, [, v]) => s + v, 0);
  t.ok(andx > 0, `parse errors ${JSON.stringify([...pe])}`);
  t.ok(Date.now() - started < 20_000, 'bounded time');
  t.end();
});

t.test('out-of-order flood beyond a hole that never fills: OOO memcaps hold', async (t) => {
  const r = await replay(generate('ooo-flood', FULL ? 100_000 : 5_000));
  const c = r.pipeline.net.counters;
  t.ok(r.peak.ooo <= CAPS.net.max_ooo_bytes_total, `out-of-order bytes peaked at ${r.peak.ooo}`);
  t.ok(c.oooMemcapFlowHits + c.oooMemcapGlobalHits > 0, `memcap hits: flow ${c.oooMemcapFlowHits}, global ${c.oooMemcapGlobalHits}`);
  t.equal(c.oooBytesHeld, 0, 'released at the end');
  t.end();
});
