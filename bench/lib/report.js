'use strict';
/** Text tables and the issue-9 target checks for bench/run. */

const f = (x, d = 0) => (x == null || !Number.isFinite(x) ? '-' : x.toFixed(d));
const ratio = (a, b) => (a == null || b == null ? '-' : `${(a / b).toFixed(a / b < 10 ? 2 : 1)}×`);

function grid(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')).join('\n');
}

function inputTable(r) {
  const sw = r.sharewatch;
  const ts = r.tshark;
  const rows = [
    ['tool', 'wall s', 'cpu s', 'MB/s', 'Mpkt/s', 'peak RSS MB', 'output lines', 'vs tshark', 'vs cat'],
    [`sharewatch${r.workers ? ` -w${r.workers}` : ''}`, f(sw.wallSecs, 2), f(sw.cpuSecs, 2), f(sw.MBps), f(sw.pps / 1e6, 2), f(sw.maxRssMB), `${sw.events} events`, ratio(sw.MBps, ts?.MBps), ratio(sw.MBps, r.cat.MBps)],
  ];
  for (const m of r.moreWorkers ?? []) {
    rows.push([`sharewatch -w${m.workers}`, f(m.wallSecs, 2), f(m.cpuSecs, 2), f(m.MBps), f(m.pps / 1e6, 2), f(m.maxRssMB), `${m.events} events`, ratio(m.MBps, ts?.MBps), ratio(m.MBps, r.cat.MBps)]);
  }
  if (ts) rows.push([ts.prefix ? 'tshark -Y smb2 *' : 'tshark -Y smb2', f(ts.wallSecs, 1), f(ts.cpuSecs, 1), f(ts.MBps, 1), f(ts.pps / 1e6, 3), f(ts.maxRssMB), `${ts.smb2Frames} smb2 frames${ts.prefix ? ' in prefix' : ''}`, '1×', ratio(ts.MBps, r.cat.MBps)]);
  rows.push(['cat', f(r.cat.wallSecs, 3), f(r.cat.cpuSecs, 2), f(r.cat.MBps), f(r.cat.pps / 1e6, 1), f(r.cat.maxRssMB), '-', ratio(r.cat.MBps, ts?.MBps), '1×']);
  const head = `${r.name} (${r.kind}): ${(r.bytes / 1e6).toFixed(0)} MB, ${r.packets} packets — ${r.what}`;
  const s = r.sharewatch.summary;
  const extra = [];
  if (ts?.prefix) extra.push(`* tshark timed on the ${ts.measuredOn} to the whole file; its RSS is for the prefix`);
  if (s?.openAtEnd && Object.keys(s.openAtEnd).length) extra.push(`open at end: ${JSON.stringify(s.openAtEnd)}  memcaps: ${JSON.stringify(s.memcaps)}`);
  return [head, grid(rows), ...extra].join('\n');
}

function curveTable(curve) {
  const rows = [['input', 'MB', 'packets', 'MB/s', 'Mpkt/s', 'Mpkt per cpu-s', 'peak RSS MB', 'events']];
  for (const c of curve) rows.push([`synth ${c.size}`, f(c.bytes / 1e6), c.packets, f(c.MBps), f(c.pps / 1e6, 2), f(c.ppsPerCpuSec / 1e6, 2), f(c.maxRssMB), c.events]);
  return 'cost curve (synthetic, small packets):\n' + grid(rows);
}

function targetLines(out) {
  const by = (k) => out.inputs.filter((r) => r.kind === k);
  const t = [];
  const lab = by('a')[0];
  if (lab) {
    const vt = lab.ratios.vsTshark;
    t.push({ target: '≥20× tshark throughput on (a)', met: vt == null ? null : vt >= 20, measured: vt == null ? 'no tshark run' : `${vt.toFixed(1)}×` });
    t.push({ target: '≥40% of cat throughput on (a)', met: lab.ratios.vsCat >= 0.4, measured: `${(100 * lab.ratios.vsCat).toFixed(1)}% (${lab.sharewatch.MBps.toFixed(0)} vs ${lab.cat.MBps.toFixed(0)} MB/s)` });
  }
  const b = by('b');
  if (b.length) {
    const best = Math.max(...b.map((r) => r.sharewatch.pps));
    const bestCpu = Math.max(...b.map((r) => r.sharewatch.ppsPerCpuSec ?? 0));
    t.push({ target: '≥2 M packets/s on (b), one core', met: best >= 2e6, measured: `${(best / 1e6).toFixed(2)} M/s wall, ${(bestCpu / 1e6).toFixed(2)} M per CPU-second (best size)` });
  }
  const ab = [...by('a'), ...b];
  if (ab.length) {
    const worst = Math.max(...ab.map((r) => r.sharewatch.maxRssMB));
    t.push({ target: 'RSS < 200 MB on (a) and (b) at any size', met: worst < 200, measured: ab.map((r) => `${r.name} ${r.sharewatch.maxRssMB.toFixed(0)} MB`).join(', ') });
  }
  // issue 19: N workers against the first --workers value (1), on the lab and synthetic inputs
  for (const r of ab) {
    for (const m of r.moreWorkers ?? []) {
      const x = r.sharewatch.wallSecs / m.wallSecs;
      t.push({ target: `${m.workers} workers ≥1.6× the throughput of ${r.workers} on ${r.name}`, met: x >= 1.6, measured: `${x.toFixed(2)}× (${m.wallSecs.toFixed(2)} s vs ${r.sharewatch.wallSecs.toFixed(2)} s wall; CPU ${m.cpuSecs?.toFixed(2)} vs ${r.sharewatch.cpuSecs?.toFixed(2)} s)` });
      t.push({ target: `RSS < 300 MB with ${m.workers} workers on ${r.name}`, met: m.maxRssMB < 300, measured: `${m.maxRssMB.toFixed(0)} MB` });
    }
  }
  const c = by('c')[0];
  if (c) {
    const ok = c.sharewatch.maxRssMB < 1024 && c.sessions >= 100000;
    t.push({ target: '100k sessions in < 1 GB', met: c.sessions >= 100000 ? ok : null, measured: `${c.sessions} sessions + ${c.trees} trees: peak RSS ${c.sharewatch.maxRssMB.toFixed(0)} MB, ${c.sharewatch.events} events, memcaps ${JSON.stringify(c.sharewatch.summary.memcaps)}` });
  }
  return t;
}

module.exports = { inputTable, curveTable, targetLines };
