#!/usr/bin/env node
'use strict';
/**
 * The workers dimension (issue 19): replay throughput with --workers 1 and 2, side by side in one
 * run, on the lab capture (bench/cache/lab.pcap or lab-mix.pcap, if built: bench/lib/lab-capture.sh
 * as root) and the synthetic small-packet input; then start-up: a tiny capture's wall time minus a
 * bare `node -e 0`'s (medians, interleaved runs). Prints the load average: on a shared machine
 * the figures are only comparable within one run.
 *
 *   node bench/workers.js [--size 32M] [--runs 3] [--workers 1,2]
 */
const fs = require('node:fs');
const path = require('node:path');
const { run, loadavg } = require('./lib/measure');
const { synthInput, CACHE, ROOT } = require('./lib/inputs');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const size = opt('--size', '32M');
const runs = Number(opt('--runs', '3'));
const counts = opt('--workers', '1,2').split(',').map(Number);
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput(name, file) {
  const rows = [];
  const walls = new Map(counts.map((n) => [n, []]));
  let packets = 0;
  let rss = new Map();
  for (let r = 0; r < runs; r++) {
    for (const n of counts) {
      const m = await run(process.execPath, [CLI, '-q', '--stats', '--no-progress', '--workers', String(n), '-r', file]);
      if (m.status !== 0) throw new Error(`${name} --workers ${n}: exit ${m.status}\n${m.stderr.slice(-500)}`);
      packets = Number(/packets\s+(\d+)/.exec(m.stderr)?.[1] ?? 0);
      walls.get(n).push(m.wallSecs);
      rss.set(n, Math.max(rss.get(n) ?? 0, m.maxRssKB ?? 0));
    }
  }
  const base = median(walls.get(counts[0]));
  for (const n of counts) {
    const w = median(walls.get(n));
    rows.push(
      `  ${name.padEnd(10)} --workers ${n}  ${w.toFixed(2)} s  ${(packets / w / 1e6).toFixed(2)} Mpps  ×${(base / w).toFixed(2)}  peak RSS ${((rss.get(n) ?? 0) / 1024).toFixed(0)} MB`,
    );
  }
  return rows;
}

async function startup() {
  const tiny = fs
    .readdirSync(path.join(ROOT, 'captures'))
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => path.join(ROOT, 'captures', f))
    .sort((a, b) => fs.statSync(a).size - fs.statSync(b).size)[0];
  const bare = [];
  const per = new Map(counts.map((n) => [n, []]));
  for (let r = 0; r < Math.max(5, runs); r++) {
    bare.push((await run(process.execPath, ['-e', '0'])).wallSecs);
    for (const n of counts) per.get(n).push((await run(process.execPath, [CLI, '-q', '--no-progress', '--workers', String(n), '-r', tiny])).wallSecs);
  }
  const b = median(bare);
  const rows = [`  node -e 0  ${(b * 1000).toFixed(0)} ms (tiny capture: ${path.basename(tiny)})`];
  for (const n of counts) rows.push(`  start-up --workers ${n}  ${((median(per.get(n)) - b) * 1000).toFixed(0)} ms over node -e 0`);
  return rows;
}

(async () => {
  const out = [`bench/workers: load average before ${loadavg().join(' ')} (${require('node:os').cpus().length} CPUs)`];
  const lab = ['lab.pcap', 'lab-mix.pcap'].map((f) => path.join(CACHE, f)).find((f) => fs.existsSync(f));
  if (lab) out.push(...(await throughput('lab', lab)));
  else out.push('  lab        (no bench/cache/lab.pcap: build it as root with bench/lib/lab-capture.sh)');
  const synth = synthInput(size);
  out.push(...(await throughput(`synth-${size}`, synth.file)));
  out.push(...(await startup()));
  out.push(`  load average after ${loadavg().join(' ')}`);
  process.stdout.write(out.join('\n') + '\n');
})().catch((e) => {
  process.stderr.write(`bench/workers: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
