#!/usr/bin/env node
'use strict';
/**
 * Report bench: a 1M-event NDJSON log → `sharewatch report` → HTML; prints the log size, the
 * time and peak RSS to build the report, the report's size, and the time to open it in Chromium
 * (navigation to the page's ready mark: JSON parsed, header, alerts, timeline drawn, tables
 * built) plus the time an alert link takes to focus the timeline.
 *
 * The log is made of real event lines: the built CLI replays lab captures (many-sessions for
 * routine traffic; psexec-like and c-drop-delete for alerts), and their sessions are copied with
 * fresh addresses, ports, session ids and times over a two-hour span (5,000 clients, 40 servers),
 * one attack session every 2,000 copies. Needs `npm run build` and /usr/bin/chromium.
 *
 *   node bench/report.js [--events N] [--keep DIR] [--runs N] [--log EVENTS.ndjson (reuse a log)]
 *
 * open_ms: wall clock from navigation to the page's ready mark, as a user waits for it (includes
 * reading the file and the DevTools round trips); page_ms: the page's own performance marks from
 * navigation start (script start, JSON parsed, timeline drawn, tables built, ready, next frame).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const CHROMIUM = process.env.SHAREWATCH_CHROMIUM || '/usr/bin/chromium';

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : process.argv[i + 1];
}
const EVENTS = Number(arg('--events', 1_000_000));
const RUNS = Number(arg('--runs', 3));
const keep = arg('--keep', null);
const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sw-bench-report-'));
fs.mkdirSync(dir, { recursive: true });

const SPAN_MS = 2 * 3600 * 1000;
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

function replay(capture) {
  const out = execFileSync(process.execPath, [CLI, '-q', '-r', path.join(ROOT, 'captures', capture)], { maxBuffer: 1 << 28 }).toString();
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** a capture's events grouped by session (client, server, session id), times relative to the session's first */
function sessions(events) {
  const by = new Map();
  for (const e of events) {
    const k = `${e.source.ip}|${e.destination.ip}|${e.smb?.session_id ?? e.source.port}`;
    if (!by.has(k)) by.set(k, []);
    by.get(k).push(e);
  }
  return [...by.values()].map((evs) => {
    const t0 = Date.parse(evs[0]['@timestamp']);
    return evs.map((e) => ({ e, dt: Date.parse(e['@timestamp']) - t0 + (Number(e['@timestamp'].slice(23, 26)) / 1000 || 0) }));
  });
}

function iso(ms) {
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1000);
  return new Date(whole).toISOString().slice(0, 23) + String(Math.min(us, 999)).padStart(3, '0') + 'Z';
}

function generate(file) {
  const routine = sessions(replay('many-sessions.pcap'));
  const attacks = [...sessions(replay('psexec-like.pcap')), ...sessions(replay('c-drop-delete.pcap'))].filter((s) => s.some((x) => x.e.event.kind === 'alert'));
  const perRoutine = routine.reduce((a, s) => a + s.length, 0) / routine.length;
  const copies = Math.ceil(EVENTS / perRoutine);
  const spacing = SPAN_MS / copies;
  const fd = fs.openSync(file, 'w');
  // events are written in time order: pending ones sit in per-second buckets until the copies have moved past them
  const buckets = new Map();
  let written = 0;
  let maxDt = 0;
  for (const s of [...routine, ...attacks]) for (const x of s) maxDt = Math.max(maxDt, x.dt);
  const flush = (before) => {
    const secs = [...buckets.keys()].filter((k) => k * 1000 < before).sort((a, b) => a - b);
    for (const k of secs) {
      const b = buckets.get(k);
      buckets.delete(k);
      b.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
      fs.writeSync(fd, b.map((x) => x[1]).join(''));
    }
  };
  let seq = 0;
  for (let k = 0; written < EVENTS; k++) {
    const attack = k % 2000 === 1999;
    const tpl = attack ? attacks[(k / 2000) % attacks.length | 0] : routine[k % routine.length];
    const client = `10.${20 + ((k % 5000) >> 8)}.${(k % 5000) & 255}.${1 + ((k >> 13) % 200)}`;
    const server = `10.1.0.${10 + (k % 40)}`;
    const port = 1024 + (k % 60000);
    const sid = '0x' + (0x100000000 + k).toString(16).padStart(16, '0');
    const base = T0 + k * spacing;
    for (const { e, dt } of tpl) {
      const c = JSON.parse(JSON.stringify(e));
      const t = base + dt;
      c['@timestamp'] = iso(t);
      c.source.ip = client;
      c.source.port = port;
      c.destination.ip = server;
      if (c.smb) {
        c.smb.session_id = sid;
        if (typeof c.smb.share === 'string') c.smb.share = c.smb.share.replace(/^\\\\[^\\]*/, `\\\\${server}`);
      }
      if (typeof c.message === 'string') c.message = c.message.split(e.source.ip).join(client).split(e.destination.ip).join(server);
      const sec = Math.floor(t / 1000);
      if (!buckets.has(sec)) buckets.set(sec, []);
      buckets.get(sec).push([t, JSON.stringify(c) + '\n', seq++]);
      written++;
    }
    if (k % 500 === 0) flush(base - maxDt - 1000);
  }
  flush(Infinity);
  fs.closeSync(fd);
  return written;
}

function countLines(file) {
  const b = fs.readFileSync(file);
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
  const reuse = arg('--log', null);
  const log = reuse ?? path.join(dir, 'events.ndjson');
  let t = Date.now();
  const n = reuse ? countLines(log) : generate(log);
  const genS = (Date.now() - t) / 1000;
  const html = path.join(dir, 'report.html');
  t = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %e %U', process.execPath, CLI, 'report', '-q', log, '-o', html], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
  const [rssKb, elapsed, user] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const page = fs.readFileSync(html, 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="sw-data">(.*?)<\/script>/s.exec(page)[1]);

  const puppeteer = require('puppeteer-core');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...(root ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'] });
  const opens = [];
  const pageMarks = [];
  let focusMs = null;
  let errors = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const p = await browser.newPage();
      await p.setViewport({ width: 1500, height: 1000 });
      p.on('pageerror', (e) => errors.push(e.message));
      p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const s = Date.now();
      await p.goto('file://' + html, { waitUntil: 'load', timeout: 120_000 });
      await p.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
      opens.push(Date.now() - s);
      const marks = await p.evaluate(
        () =>
          new Promise((resolve) =>
            requestAnimationFrame(() => {
              performance.mark('sw-frame');
              resolve(Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.replace(/^sw-/, ''), Math.round(m.startTime)])));
            }),
          ),
      );
      pageMarks.push(marks);
      if (i === 0) {
        const link = await p.$('#alert-list a.focus');
        if (link) {
          const f = Date.now();
          await link.click();
          focusMs = Date.now() - f;
        }
        await p.screenshot({ path: path.join(dir, 'report.png') });
      }
      await p.close();
    }
  } finally {
    await browser.close();
  }
  opens.sort((a, b) => a - b);
  const result = {
    events: n,
    log_mb: +(fs.statSync(log).size / 1e6).toFixed(1),
    generate_s: genS,
    report_build_s: elapsed,
    report_build_cpu_s: user,
    report_build_peak_rss_mb: Math.round(rssKb / 1024),
    report_mb: +(Buffer.byteLength(page) / 1e6).toFixed(2),
    shown_events: data.sampling.shownEvents,
    omitted_events: data.sampling.omittedEvents,
    alerts: data.alerts.length,
    lanes: data.lanes.length,
    open_ms: opens,
    open_ms_median: opens[Math.floor(opens.length / 2)],
    page_ms: pageMarks,
    alert_focus_ms: focusMs,
    page_errors: errors,
    load: os.loadavg().map((x) => +x.toFixed(1)),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(result, null, 2));
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
