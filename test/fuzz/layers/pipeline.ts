/**
 * The whole pipeline in-process (reader → net → tracker → detection): damaged copies of small
 * corpus captures, written by the pcap rewriter (payload bit flips, truncation, insertions,
 * dropped and duplicated packets) and sometimes also byte-mutated as files, under default or small
 * memcaps. No throw; records safe in every output; after finish() nothing is left open.
 */
import fc from 'fast-check';
import { CaptureParser } from '../../../src/capture/parser';
import { AnalysisPipeline } from '../../../src/cli/pipeline';
import { defaultConfig, parseConfig, type Config } from '../../../src/shared/config';
import type { LifecycleRecord, OutputRecord } from '../../../src/shared/records';
import { bump, type FuzzProperty } from '../harness';
import { checkCounters, mutate, type Mutation } from '../checks';
import { checkRecord } from '../records';
import { checkTrackerDone } from './tracker';
import { corpusSeeds, mutationArb } from '../seeds';
import { rewriteCapture } from '../pcap-rewrite';

export const SMALL_CONFIG: Config = parseConfig(
  {
    tracker: { max_sessions: 3, max_trees: 4, max_pending_per_connection: 8, max_open_files_per_connection: 4, max_flows: 3, idle_timeout: 30 },
    net: { max_ooo_bytes_per_flow: 8192, max_ooo_bytes_total: 16384, max_message_bytes: 4096, gap_timeout: 1 },
    suppression: { max_keys: 4 },
  },
  'fuzz',
);

/** Run bytes of a capture through the whole pipeline in memory; check records and final state. */
export function runWhole(bytes: Buffer, config: Config, counts: Record<string, number>): OutputRecord[] {
  const recs: OutputRecord[] = [];
  const pl = new AnalysisPipeline(config, { write: (r) => recs.push(r) });
  const p = new CaptureParser('fuzz');
  p.push(bytes);
  while (p.next()) pl.onPacket(p.packet);
  p.end();
  pl.finish();
  if (p.error) bump(counts, 'captureErrors');
  for (const r of recs) checkRecord(r, counts);
  checkCounters(pl.net.counters, 'net');
  checkCounters(pl.net.decoder.counts, 'decode');
  checkTrackerDone(pl.tracker, recs.filter((r): r is LifecycleRecord => r.kind !== 'alert'), counts);
  bump(counts, 'packets', pl.packets);
  return recs;
}

const SMALL_FILE = 256 * 1024;

export const pipelineMutated: FuzzProperty<{ file: number; seed: number; m: Mutation | null; small: boolean }> = {
  layer: 'pipeline',
  name: 'damaged copies of corpus captures end to end, default or small memcaps',
  weight: 0.1,
  arbitrary: () => {
    const n = corpusSeeds().files.filter((f) => f.bytes.length <= SMALL_FILE).length;
    return fc.record({ file: fc.nat(n - 1), seed: fc.nat(), m: fc.option(mutationArb(6), { nil: null }), small: fc.boolean() });
  },
  check({ file, seed, m, small }, counts) {
    const f = corpusSeeds().files.filter((x) => x.bytes.length <= SMALL_FILE)[file];
    let bytes = rewriteCapture(f.bytes, seed);
    if (m) bytes = mutate(bytes, m, 24);
    runWhole(bytes, small ? SMALL_CONFIG : defaultConfig(), counts);
  },
};

export const pipelineProperties = [pipelineMutated];
