#!/usr/bin/env node
'use strict';
/**
 * The workers dimension (issue 19): replay throughput with --workers 1 and 2 (and a baseline
 * build, e.g. main's single-threaded dist, with --baseline DIR), interleaved, best of --runs by
 * CPU time and by wall time, on the lab capture and the synthetic small-packet input; then
 * start-up: a tiny capture's wall time minus a bare `node -e 0`'s (best of --runs, interleaved).
 * Prints the load average before and after: the machine is shared, figures compare only within
 * one run.
 *
 *   node bench/workers.js [--lab FILE] [--synth FILE] [--runs 5] [--workers 1,2] [--baseline DIST]
 */
const fs = require('node:fs');
const path = require('node:path');
const { run, loadavg } = require('./lib/measure');
const { CACHE, ROOT } = require('./lib/inputs');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const counts = opt('--workers', '1,2').split(',').map(Number);
const baseline = opt('--baseline', null);
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const lab = opt('--lab', path.join(CACHE, 'lab-mix.pcap'));
const synth = opt('--synth', path.join(CACHE, 'synth-100M.pcap'));

const variants = [
  ...(baseline ? [{ name: 'baseline -w1', cli: path.resolve(baseline, 'src', 'cli', 'main.js'), n: 1 }] : []),
  ...counts.map((n) => ({ name: `--workers ${n}`, cli: CLI, n })),
];

const best = (xs) => Math.min(...xs);

async function throughput(name, file) {
  const m = new Map(variants.map((v) => [v.name, { wall: [], cpu: [], rss: 0 }]));
  let packets = 0;
  for (let r = 0; r < runs; r++) {
    for (const v of variants) {
      const x = await run(process.execPath, [v.cli, '-q', '--stats', '--no-progress', '--workers', String(v.n), '-r', file]);
      if (x.status !== 0) throw new Error(`${name} ${v.name}: exit ${x.status}\n${x.stderr.slice(-500)}`);
      packets = Number(/packets\s+(\d+)/.exec(x.stderr)?.[1] ?? 0);
      const e = m.get(v.name);
      e.wall.push(x.wallSecs);
      e.cpu.push((x.userSecs ?? NaN) + (x.sysSecs ?? NaN));
      e.rss = Math.max(e.rss, x.maxRssKB ?? 0);
    }
  }
  const rows = [];
  const base = best(m.get(variants[0].name).wall);
  for (const v of variants) {
    const e = m.get(v.name);
    const w = best(e.wall);
    rows.push(
      `  ${name.padEnd(12)} ${v.name.padEnd(13)} wall ${w.toFixed(2)} s (${(packets / w / 1e6).toFixed(2)} Mpps, ×${(base / w).toFixed(2)})  CPU ${best(e.cpu).toFixed(2)} s  peak RSS ${(e.rss / 1024).toFixed(0)} MB`,
    );
  }
  rows.unshift(`  ${name}: ${path.basename(file)}, ${packets} packets, best of ${runs} interleaved`);
  return rows;
}

async function startup() {
  const tiny = fs
    .readdirSync(path.join(ROOT, 'captures'))
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => path.join(ROOT, 'captures', f))
    .filter((f) => fs.statSync(f).size > 1024)
    .sort((a, b) => fs.statSync(a).size - fs.statSync(b).size)[0];
  const bare = [];
  const per = new Map(variants.map((v) => [v.name, []]));
  const dflt = [];
  for (let r = 0; r < Math.max(10, runs); r++) {
    bare.push((await run(process.execPath, ['-e', '0'])).wallSecs);
    for (const v of variants) per.get(v.name).push((await run(process.execPath, [v.cli, '-q', '--no-progress', '--workers', String(v.n), '-r', tiny])).wallSecs);
    dflt.push((await run(process.execPath, [CLI, '-q', '--no-progress', '-r', tiny])).wallSecs);
  }
  const b = best(bare);
  const rows = [`  start-up: node -e 0 ${(b * 1000).toFixed(0)} ms; a tiny capture (${path.basename(tiny)}) over it, best of ${Math.max(10, runs)}:`];
  for (const v of variants) rows.push(`    ${v.name.padEnd(13)} ${((best(per.get(v.name)) - b) * 1000).toFixed(0)} ms`);
  rows.push(`    ${'default'.padEnd(13)} ${((best(dflt) - b) * 1000).toFixed(0)} ms (no --workers: one thread below 16 MiB)`);
  return rows;
}

(async () => {
  const out = [`bench/workers: load average before ${loadavg().join(' ')} (${require('node:os').cpus().length} CPUs)`];
  if (fs.existsSync(lab)) out.push(...(await throughput('lab', lab)));
  else out.push(`  lab: ${lab} missing (build it as root with bench/lib/lab-capture.sh)`);
  out.push(`  load average ${loadavg().join(' ')}`);
  out.push(...(await throughput('synth', synth)));
  out.push(`  load average ${loadavg().join(' ')}`);
  out.push(...(await startup()));
  out.push(`  load average after ${loadavg().join(' ')}`);
  process.stdout.write(out.join('\n') + '\n');
})().catch((e) => {
  process.stderr.write(`bench/workers: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
