'use strict';
/**
 * Shared by the dissector micro-benches: real SMB messages cut out of corpus captures by tshark,
 * and a rate + allocation-per-op measurement.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { PerformanceObserver } = require('node:perf_hooks');

/** SMB NBSS messages (SMB1, SMB2/3, transform) of a capture, via tshark -U 'OSI layer 4' (exported PDUs). */
function messages(file) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-'));
  const out = path.join(dir, 'p.pcapng');
  try {
    execFileSync('tshark', ['-Q', '-n', '-r', file, '-o', 'tcp.desegment_tcp_streams:TRUE', '-U', 'OSI layer 4', '-w', out], { stdio: 'pipe' });
    const f = readFileSync(out);
    const msgs = [];
    for (let pos = 0; pos + 12 <= f.length; ) {
      const type = f.readUInt32LE(pos);
      const len = f.readUInt32LE(pos + 4);
      if (len < 12) break;
      if (type === 6) {
        const pkt = f.subarray(pos + 28, pos + 28 + f.readUInt32LE(pos + 20));
        let t = 0;
        while (t + 4 <= pkt.length) {
          const tag = pkt.readUInt16BE(t);
          const tl = pkt.readUInt16BE(t + 2);
          t += 4;
          if (tag === 0) break;
          t += tl;
        }
        for (let p = t; p + 4 <= pkt.length; ) {
          const n = ((pkt[p + 1] & 1) << 16) | pkt.readUInt16BE(p + 2);
          if (p + 4 + n > pkt.length) break;
          const m = pkt.subarray(p + 4, p + 4 + n);
          if (pkt[p] === 0 && m.length >= 4 && m[1] === 0x53 && m[2] === 0x4d && m[3] === 0x42) msgs.push(Buffer.from(m));
          p += 4 + n;
        }
      }
      pos += len;
    }
    return msgs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });

/** Run fn over items for ~ms milliseconds; returns ops/s. Then measure heap bytes per op. */
function measure(items, fn, ms = 300) {
  for (let i = 0; i < 2000; i++) fn(items[i % items.length]); // warm up
  let ops = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < ms * 1e6) {
    for (let i = 0; i < items.length; i++) fn(items[i]);
    ops += items.length;
    el = Number(process.hrtime.bigint() - t0);
  }
  const rate = ops / (el / 1e9);
  // allocation: heapUsed delta over N ops with no GC in between (retry if one happened)
  let perOp = NaN;
  const N = Math.min(20000, Math.max(2000, items.length * 10));
  for (let attempt = 0; attempt < 5 && Number.isNaN(perOp); attempt++) {
    if (global.gc) global.gc();
    const g0 = gcs;
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) fn(items[i % items.length]);
    const h1 = process.memoryUsage().heapUsed;
    if (gcs === g0) perOp = Math.max(0, (h1 - h0) / N);
  }
  return { rate, perOp };
}

module.exports = { messages, measure };
