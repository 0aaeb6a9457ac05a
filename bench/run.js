#!/usr/bin/env node
'use strict';
/**
 * sharewatch benchmark (issue 9): for each input, sharewatch vs `tshark -r FILE -Y smb2` vs
 * `cat FILE`, in one run, plus the cost curve over input sizes and the state test.
 *
 *   bench/run [--quick] [--sizes 10M,100M,1G,5G] [--only lab,synth,state] [--lab FILE]
 *             [--runs N] [--tshark-prefix MB] [--no-tshark] [--profile|--no-profile] [--keep]
 *             [--workers 1,2]   (the first N gives the ratios; the others are extra rows)
 *
 * Inputs are cached in bench/cache/ (see bench/lib/inputs.js); results go to
 * bench/results/<full|quick>.json. Needs dist/ (npm run build).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { run, loadavg, hasGnuTime } = require('./lib/measure');
const { pcapPrefix } = require('./lib/pcap-prefix');
const { profileRun } = require('./lib/profile');
const { labInput, synthInput, stateInput, parseSize, CACHE, ROOT } = require('./lib/inputs');
const { inputTable, curveTable, targetLines } = require('./lib/report');

const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

function parseArgs(argv) {
  const o = { quick: false, sizes: null, only: null, lab: null, runs: null, prefixMB: null, tshark: true, profile: null, keep: false, workers: [1, 2] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--sizes': o.sizes = v().split(',').filter(Boolean); break;
      case '--only': o.only = v().split(','); break;
      case '--lab': o.lab = v(); break;
      case '--runs': o.runs = Number(v()); break;
      case '--tshark-prefix': o.prefixMB = Number(v()); break;
      case '--no-tshark': o.tshark = false; break;
      case '--profile': o.profile = true; break;
      case '--no-profile': o.profile = false; break;
      case '--keep': o.keep = true; break;
      case '--workers': o.workers = v().split(',').map(Number); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(3, 11).map((l) => l.replace(/^ \* ?/, '')).join('\n'));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see bench/run --help)`);
    }
  }
  o.sizes ??= o.quick ? ['10M', '100M'] : ['10M', '100M', '1G', '5G'];
  o.runs ??= o.quick ? 1 : 2;
  o.prefixMB ??= o.quick ? 30 : 200;
  o.profile ??= !o.quick;
  o.stateSessions = o.quick ? 10000 : 100000;
  return o;
}

/** Figures from sharewatch's --stats summary on stderr. */
function parseSummary(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const kv = (line) => {
    const m = new RegExp(`^\\s*${line}\\s+(.*)$`, 'm').exec(text);
    const o = {};
    if (m) for (const p of m[1].trim().split(/\s+/)) if (p.includes('=')) o[p.split('=')[0]] = Number(p.split('=')[1]);
    return o;
  };
  return { packets: num(/^\s*packets\s+(\d+)/m), events: kv('events'), alerts: kv('alerts'), openAtEnd: kv('open at end'), memcaps: kv('memcaps') };
}

const mb = (kb) => (kb == null ? null : +(kb / 1024).toFixed(1));

async function measureSharewatch(input, runs, workers) {
  let best = null;
  for (let i = 0; i < runs; i++) {
    const r = await run(process.execPath, [MAIN, '-r', input.file, '-q', '--no-progress', '--stats', '--workers', String(workers)], { countLines: true });
    if (r.status !== 0) throw new Error(`sharewatch failed on ${input.file}:\n${r.stderr.slice(-2000)}`);
    const s = parseSummary(r.stderr);
    const m = { wallSecs: r.wallSecs, cpuSecs: (r.userSecs ?? 0) + (r.sysSecs ?? 0) || null, maxRssMB: mb(r.maxRssKB), events: r.lines, packets: s.packets, summary: s, load: r.load };
    if (!best || m.wallSecs < best.wallSecs) best = { ...m, maxRssMB: Math.max(m.maxRssMB ?? 0, best?.maxRssMB ?? 0) };
    else best.maxRssMB = Math.max(best.maxRssMB, m.maxRssMB ?? 0);
  }
  return best;
}

async function measureCat(file) {
  let best = null;
  for (let i = 0; i < 3; i++) {
    const r = await run('cat', [file]);
    if (!best || r.wallSecs < best.wallSecs) best = { wallSecs: r.wallSecs, cpuSecs: (r.userSecs ?? 0) + (r.sysSecs ?? 0) || null, maxRssMB: mb(r.maxRssKB) };
  }
  return best;
}

async function measureTshark(input, size, packets, prefixMB) {
  let file = input.file;
  let bytes = size;
  let pk = packets;
  let prefix = false;
  if (size > prefixMB * 1e6) {
    const p = pcapPrefix(input.file, path.join(CACHE, `prefix-${prefixMB}MB-${path.basename(input.file)}`), prefixMB * 1e6);
    ({ file, bytes } = p);
    pk = p.packets;
    prefix = true;
    await run('cat', [file]);
  }
  const r = await run('tshark', ['-n', '-r', file, '-Y', 'smb2'], { countLines: true });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}:\n${r.stderr.slice(-2000)}`);
  const rate = bytes / r.wallSecs;
  return {
    measuredOn: prefix ? `first ${(bytes / 1e6).toFixed(0)} MB (${pk} packets), extrapolated` : 'whole file',
    prefix,
    bytes,
    packets: pk,
    measuredWallSecs: r.wallSecs,
    wallSecs: prefix ? size / rate : r.wallSecs,
    // cpu extrapolated like wall time; measuredCpuSecs is the prefix's own
    measuredCpuSecs: (r.userSecs ?? 0) + (r.sysSecs ?? 0) || null,
    cpuSecs: ((r.userSecs ?? 0) + (r.sysSecs ?? 0)) * (size / bytes) || null,
    maxRssMB: mb(r.maxRssKB),
    smb2Frames: r.lines,
    MBps: rate / 1e6,
    pps: pk / r.wallSecs,
  };
}

async function benchInput(input, o) {
  const size = fs.statSync(input.file).size;
  process.stderr.write(`bench: ${input.name}: ${(size / 1e6).toFixed(0)} MB …\n`);
  await run('cat', [input.file]); // page cache warm (cat of a file larger than RAM stays cold)
  const cat = await measureCat(input.file);
  // the first --workers value is the row every ratio uses; the others are extra rows
  const sw = await measureSharewatch(input, size > 2e9 ? 1 : o.runs, o.workers[0]);
  const more = [];
  for (const n of o.workers.slice(1)) more.push({ workers: n, ...(await measureSharewatch(input, size > 2e9 ? 1 : o.runs, n)) });
  const ts = o.tshark ? await measureTshark(input, size, sw.packets, o.prefixMB) : null;
  const rate = (secs) => size / 1e6 / secs;
  const res = {
    name: input.name,
    kind: input.kind,
    what: input.what,
    ...(input.sessions ? { sessions: input.sessions, trees: input.trees } : {}),
    file: path.relative(ROOT, input.file),
    bytes: size,
    packets: sw.packets,
    sharewatch: {
      ...sw,
      MBps: rate(sw.wallSecs),
      pps: sw.packets / sw.wallSecs,
      ppsPerCpuSec: sw.cpuSecs ? sw.packets / sw.cpuSecs : null,
      MBpsPerCpuSec: sw.cpuSecs ? rate(sw.cpuSecs) : null,
    },
    workers: o.workers[0],
    moreWorkers: more.map((m) => ({ ...m, MBps: rate(m.wallSecs), pps: m.packets / m.wallSecs })),
    tshark: ts,
    cat: { ...cat, MBps: rate(cat.wallSecs), pps: sw.packets / cat.wallSecs },
  };
  res.ratios = {
    vsTshark: ts ? res.sharewatch.MBps / ts.MBps : null,
    vsCat: res.sharewatch.MBps / res.cat.MBps,
  };
  process.stderr.write(inputTable(res) + '\n');
  return res;
}

function versions() {
  const ts = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  let commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'dissectors'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  if (dirty) commit += ' (+ uncommitted src changes)';
  return {
    node: process.version,
    tshark: ts.stdout ? ts.stdout.split('\n')[0] : null,
    cpu: os.cpus()[0].model,
    cores: os.cpus().length,
    memGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    commit,
    gnuTime: hasGnuTime(),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(MAIN)) throw new Error('dist/ not built: run `npm run build` first');
  const want = (k) => !o.only || o.only.includes(k);
  const started = new Date();
  const out = { mode: o.quick ? 'quick' : 'full', started: started.toISOString(), env: versions(), loadBefore: loadavg(), options: { sizes: o.sizes, runs: o.runs, tsharkPrefixMB: o.prefixMB }, inputs: [], curve: [], profiles: {} };
  const profileTargets = [];

  if (want('lab')) {
    const r = await benchInput(labInput(o.lab), o);
    out.inputs.push(r);
    profileTargets.push(['lab', r]);
  }
  if (want('synth')) {
    const sizes = [...o.sizes].sort((a, b) => parseSize(a) - parseSize(b));
    let profiled = null;
    for (const s of sizes) {
      const input = synthInput(s);
      const r = await benchInput(input, o);
      out.inputs.push(r);
      out.curve.push({ size: s, bytes: r.bytes, packets: r.packets, MBps: r.sharewatch.MBps, pps: r.sharewatch.pps, ppsPerCpuSec: r.sharewatch.ppsPerCpuSec, maxRssMB: r.sharewatch.maxRssMB, events: r.sharewatch.events });
      if (parseSize(s) <= 1024 ** 3) profiled = r; // profiled later: the largest ≤ 1 GiB
      if (!o.keep && r.bytes > 2e9) {
        fs.rmSync(input.file);
        process.stderr.write(`bench: removed ${path.relative(ROOT, input.file)} (use --keep to keep it)\n`);
      }
    }
    if (profiled) profileTargets.push(['synth', profiled]);
    process.stderr.write(curveTable(out.curve) + '\n');
  }
  if (want('state')) out.inputs.push(await benchInput(stateInput(o.stateSessions), o));

  if (o.profile) {
    for (const [k, r] of profileTargets) {
      const file = path.join(ROOT, r.file);
      if (!fs.existsSync(file)) continue;
      process.stderr.write(`bench: profiling ${r.name} …\n`);
      out.profiles[r.name] = profileRun(ROOT, MAIN, file, 15);
      process.stderr.write(`top frames by self time, ${r.name}:\n` + out.profiles[r.name].map((f) => `  ${String(f.selfPct).padStart(5)}%  ${f.frame}`).join('\n') + '\n');
    }
  }
  out.loadAfter = loadavg();
  out.finished = new Date().toISOString();
  out.targets = targetLines(out);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const dest = path.join(ROOT, 'bench', 'results', `${out.mode}.json`);
  fs.writeFileSync(dest, JSON.stringify(out, null, 2) + '\n');

  console.log(`sharewatch bench (${out.mode}) ${out.started}  node ${out.env.node}, ${out.env.cores} × ${out.env.cpu}, load ${out.loadBefore.join(' ')} → ${out.loadAfter.join(' ')}`);
  for (const r of out.inputs) console.log('\n' + inputTable(r));
  if (out.curve.length) console.log('\n' + curveTable(out.curve));
  console.log('\ntargets:\n' + out.targets.map((t) => `  [${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.measured}`).join('\n'));
  console.log(`\nresults: ${path.relative(process.cwd(), dest)}`);
}

main().catch((e) => {
  console.error(`bench/run: ${e.message}`);
  process.exit(1);
});
