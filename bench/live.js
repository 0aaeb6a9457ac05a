#!/usr/bin/env node
'use strict';
/**
 * Live-capture benchmark (issue 8): a real capture is replayed with tcpreplay into one end of the
 * lab's veth pair (client namespace) while `sharewatch -i` listens on the other end (server
 * namespace), at top speed and at fixed packet rates. Per rate: what tcpreplay reached (pps,
 * Mbit/s), what the kernel handed over and dropped (libpcap's counters via tcpdump), events and
 * alerts against an offline replay of the same file, and the alert latency (capture time of the
 * deciding frame → the alert line on sharewatch's stdout).
 *
 *   bench/live.js [--input FILE] [--rates topspeed,300000,200000,100000] [--buffer-size MIB] [--json OUT]
 *                 [--workers N]   (sharewatch's --workers; its default otherwise)
 *
 * Root only (namespaces, capture). Default input: bench/cache/lab-mix.pcap if present (bench/run
 * records it), else captures/many-sessions.pcap looped.
 */
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { spawn, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RECORD_SH = path.join(ROOT, 'captures', 'record.sh');
const LAB_NAME = 'swlivebench';

function parseArgs(argv) {
  const o = { input: null, rates: ['topspeed', '300000', '200000', '100000'], bufferSize: null, json: null, loops: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--input') o.input = v();
    else if (a === '--rates') o.rates = v().split(',').filter(Boolean);
    else if (a === '--buffer-size') o.bufferSize = Number(v());
    else if (a === '--json') o.json = v();
    else if (a === '--loops') o.loops = Number(v());
    else if (a === '--snaplen') o.snaplen = Number(v());
    else if (a === '--workers') o.workers = Number(v());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 16).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function sh(argv, env = process.env) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function labUp() {
  const env = { ...process.env, SW_LAB_NAME: LAB_NAME };
  spawnSync(RECORD_SH, ['down'], { env, stdio: 'ignore' });
  const out = sh([RECORD_SH, 'up'], env);
  const v = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) v[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { v, down: () => spawnSync(RECORD_SH, ['down'], { env, stdio: 'ignore' }) };
}

/** realtime ns of an event's @timestamp */
function eventNs(e) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(e['@timestamp']);
  return BigInt(Date.parse(m[1] + 'Z') / 1000) * 1_000_000_000n + BigInt((m[2] || '').padEnd(9, '0').slice(0, 9));
}

const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Starts sharewatch -i in the server namespace; resolves once the capture is open. */
function startSharewatch(lab, o) {
  const args = ['ip', 'netns', 'exec', lab.NS_SRV, process.execPath, MAIN, '-i', lab.IF_SRV, '--no-progress'];
  if (o.bufferSize) args.push('--buffer-size', String(o.bufferSize));
  if (o.snaplen) args.push('--snaplen', String(o.snaplen));
  if (o.workers) args.push('--workers', String(o.workers));
  const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const st = { child, stderr: '', lines: 0, events: {}, alerts: 0, latenciesMs: [], partial: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const arrived = nowNs();
    const parts = (st.partial + chunk).split('\n');
    st.partial = parts.pop();
    for (const line of parts) {
      st.lines++;
      const e = JSON.parse(line);
      const act = e.event.action;
      st.events[act] = (st.events[act] || 0) + 1;
      if (e.event.kind === 'alert') {
        st.alerts++;
        // suppression summaries (event.count) come when the window closes or the capture ends,
        // not on a deciding frame: no latency to measure
        if (e.event.count === undefined) st.latenciesMs.push(Number(arrived - eventNs(e)) / 1e6);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s) => (st.stderr += s));
  st.exit = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  st.ready = new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (/listening on/.test(st.stderr)) {
        clearInterval(t);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`sharewatch ended: ${st.stderr}`));
      }
    }, 20);
  });
  return st;
}

function parseTcpreplay(out) {
  const actual = /Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds/.exec(out);
  const rated = /Rated: ([\d.]+) Bps, ([\d.]+) Mbps, ([\d.]+) pps/.exec(out);
  const failed = /Failed packets:\s+(\d+)/.exec(out);
  return {
    packets: actual ? Number(actual[1]) : null,
    bytes: actual ? Number(actual[2]) : null,
    seconds: actual ? Number(actual[3]) : null,
    mbps: rated ? Number(rated[2]) : null,
    pps: rated ? Number(rated[3]) : null,
    failed: failed ? Number(failed[1]) : 0,
  };
}

async function oneRate(lab, input, rate, o, offline) {
  const sw = startSharewatch(lab, o);
  await sw.ready;
  const rateArgs = rate === 'topspeed' ? ['--topspeed'] : [`--pps=${rate}`];
  const loops = o.loops ? [`--loop=${o.loops}`] : [];
  // asynchronously: this process must keep reading sharewatch's stdout meanwhile, or sharewatch
  // would block on a full pipe and the kernel would drop (a bench artefact, not a sensor's)
  const tr = await new Promise((resolve, reject) => {
    const c = spawn('ip', ['netns', 'exec', lab.NS_CLI, 'tcpreplay', '-q', '-i', lab.IF_CLI, ...rateArgs, ...loops, input], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    c.stdout.setEncoding('utf8').on('data', (s) => (text += s));
    c.stderr.setEncoding('utf8').on('data', (s) => (text += s));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`tcpreplay failed (${code}): ${text}`))));
  });
  const sent = parseTcpreplay(tr);
  // let sharewatch drain what is buffered: wait until its output stops growing
  let last = -1;
  for (let i = 0; i < 100 && sw.lines !== last; i++) {
    last = sw.lines;
    await sleep(300);
  }
  sw.child.kill('SIGTERM');
  const code = await sw.exit;
  const cap = /capture +received-by-filter=(\d+) captured=(\d+) kernel-drops=(\d+) interface-drops=(\d+)/.exec(sw.stderr);
  const lat = sw.latenciesMs.slice().sort((a, b) => a - b);
  return {
    rate,
    exit: code,
    sent,
    receivedByFilter: cap ? Number(cap[1]) : null,
    captured: cap ? Number(cap[2]) : null,
    kernelDrops: cap ? Number(cap[3]) : null,
    interfaceDrops: cap ? Number(cap[4]) : null,
    events: sw.lines,
    eventsOffline: offline.events,
    alerts: sw.alerts,
    alertsOffline: offline.alerts,
    alertLatencyMs: { median: quantile(lat, 0.5), p95: quantile(lat, 0.95), max: lat.length ? lat[lat.length - 1] : null },
  };
}

function offlineRun(input, loops) {
  // the same file replayed offline: what a lossless live run should report (one pass)
  const r = spawnSync(process.execPath, [MAIN, '-q', '-r', input], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const lines = r.stdout.split('\n').filter(Boolean);
  const alerts = lines.filter((l) => l.includes('"kind":"alert"')).length;
  return { events: lines.length * (loops || 1), alerts: alerts * (loops || 1) };
}

function table(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padStart(w[i])).join('  ')).join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid() !== 0) throw new Error('bench/live.js needs root (network namespaces, capture)');
  if (!fs.existsSync(MAIN)) throw new Error('dist/ missing: npm run build');
  for (const tool of ['tcpreplay', 'tcpdump', 'smbd']) {
    if (spawnSync('bash', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found`);
  }
  let input = o.input;
  if (!input) {
    const lab = path.join(ROOT, 'bench', 'cache', 'lab-mix.pcap');
    if (fs.existsSync(lab)) input = lab;
    else {
      input = path.join(ROOT, 'captures', 'many-sessions.pcap');
      if (!o.loops) o.loops = 50;
    }
  }
  const size = fs.statSync(input).size;
  const offline = offlineRun(input, o.loops);
  const lab = labUp();
  const results = [];
  try {
    for (const rate of o.rates) {
      process.stderr.write(`bench/live: ${rate === 'topspeed' ? 'top speed' : `${rate} pps`} …\n`);
      results.push(await oneRate(lab.v, input, rate, o, offline));
    }
  } finally {
    lab.down();
  }
  const f = (x, d = 0) => (x === null || x === undefined ? '-' : Number(x).toFixed(d));
  const rows = [['rate asked', 'sent pps', 'sent Mbit/s', 'captured', 'kernel drops', 'events (offline)', 'alerts (offline)', 'alert latency ms median/p95/max']];
  for (const r of results) {
    rows.push([
      r.rate,
      f(r.sent.pps),
      f(r.sent.mbps, 1),
      f(r.captured),
      f(r.kernelDrops),
      `${r.events} (${r.eventsOffline})`,
      `${r.alerts} (${r.alertsOffline})`,
      `${f(r.alertLatencyMs.median, 1)}/${f(r.alertLatencyMs.p95, 1)}/${f(r.alertLatencyMs.max, 1)}`,
    ]);
  }
  const head = `live: ${path.relative(ROOT, input)} (${(size / 1e6).toFixed(0)} MB${o.loops ? ` × ${o.loops} loops` : ''}) replayed by tcpreplay into a veth, sharewatch -i on the peer; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
  process.stdout.write(`${head}\n${table(rows)}\n`);
  const zeroDrop = results.filter((r) => r.kernelDrops === 0 && r.sent.pps !== null).sort((a, b) => b.sent.pps - a.sent.pps)[0];
  if (zeroDrop) {
    process.stdout.write(`highest rate with zero kernel drops: ${f(zeroDrop.sent.pps)} pps, ${f(zeroDrop.sent.mbps, 1)} Mbit/s (${zeroDrop.rate})\n`);
  } else process.stdout.write('no rate tried ran without kernel drops\n');
  const out = o.json || path.join(ROOT, 'bench', 'results', 'live.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ input: path.relative(ROOT, input), bytes: size, loops: o.loops, node: process.version, load: os.loadavg(), finished: new Date().toISOString(), results }, null, 1) + '\n');
  process.stdout.write(`results: ${path.relative(ROOT, out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench/live: ${e.message}\n`);
  process.exit(1);
});
