/**
 * The whole corpus and damaged copies of every file (seeded: payload bit flips, truncated
 * packets, inserted bytes, dropped and duplicated packets, written by test/fuzz/pcap-rewrite.ts)
 * run end to end in-process through the real file reader: no throw, every record safe in every
 * output format, nothing left open after the capture ends, RSS bounded.
 * ROBUST_MUTANTS (default 3) copies per file, seeds 1..N.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyze } from './helpers/analyze';
import { corpusFiles, corpusName } from './helpers/corpus';
import { rewriteCapture } from './fuzz/pcap-rewrite';
import { checkRecord } from './fuzz/records';
import { checkTrackerDone } from './fuzz/layers/tracker';
import { checkCounters } from './fuzz/checks';
import type { LifecycleRecord } from '../src/shared/records';

const MUTANTS = Number(process.env.ROBUST_MUTANTS ?? 3);
/** RSS may grow this much over the start of the test (the pipeline's state for one capture is small) */
const RSS_GROWTH_LIMIT = 300 << 20;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-robust-corpus-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const rss0 = process.memoryUsage().rss;
let rssMax = rss0;
const counts: Record<string, number> = {};

async function runOne(t: Test, file: string, label: string): Promise<void> {
  const a = await analyze([file]);
  for (const r of a.records) checkRecord(r, counts);
  checkCounters(a.pipeline.net.counters, 'net');
  checkTrackerDone(a.pipeline.tracker, a.records.filter((r): r is LifecycleRecord => r.kind !== 'alert'), counts);
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  t.pass(`${label}: ${a.pipeline.packets} packets, ${a.records.length} records${a.error ? ' (' + a.error.message + ')' : ''}`);
}

const files = corpusFiles();

t.test('corpus files as they are', async (t) => {
  for (const f of files) await runOne(t, f, corpusName(f));
});

t.test(`${MUTANTS} damaged copies of each corpus file`, async (t) => {
  for (const f of files) {
    let bytes = fs.readFileSync(f);
    if (f.endsWith('.gz')) bytes = gunzipSync(bytes);
    for (let seed = 1; seed <= MUTANTS; seed++) {
      const out = path.join(dir, `${path.basename(f)}.${seed}.pcap`);
      fs.writeFileSync(out, rewriteCapture(bytes, seed));
      await runOne(t, out, `${corpusName(f)} damaged (seed ${seed})`);
      fs.rmSync(out);
    }
  }
});

t.test('RSS stayed bounded', (t) => {
  t.ok(rssMax - rss0 < RSS_GROWTH_LIMIT, `RSS ${(rss0 / 1048576).toFixed(0)} MB → peak ${(rssMax / 1048576).toFixed(0)} MB`);
  t.ok((counts['rec.tree-connect'] ?? 0) > 100, `records checked: ${JSON.stringify(counts).slice(0, 300)}`);
  t.end();
});
