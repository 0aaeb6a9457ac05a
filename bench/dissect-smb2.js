#!/usr/bin/env node
/**
 * Micro-bench of the SMB2/3 dissectors over real messages from the corpus.
 * Build first (`npx tsc -p .`), then: node --expose-gc bench/dissect-smb2.js
 * Prints headers/s, parse rate per lifecycle command, and heap bytes allocated per message.
 * Messages are cut out of the captures by tshark (TCP reassembly + exported NBSS PDUs).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { PerformanceObserver } = require('node:perf_hooks');

const dist = path.resolve(__dirname, '..', 'dist', 'dissectors');
const S = require(path.join(dist, 'smb2.js'));
const { ntStatusName } = require(path.join(dist, 'ntstatus.js'));
const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');
const FILES = [
  'zeek/smb2.pcap',
  'zeek/smb2_100_small_files.pcap',
  'zeek/smb3_multichannel.pcap',
  'suricata-verify/smb2-05.pcap',
  'suricata-verify/smb2-07.pcap',
  'zeek/smb311.pcap',
];

/** SMB2/3 NBSS messages of a capture, via tshark -U 'OSI layer 4' (exported PDUs). */
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

function main() {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'pipe' });
  } catch {
    console.error('tshark is required to cut messages out of the corpus');
    process.exit(1);
  }
  const all = [];
  for (const f of FILES) all.push(...messages(path.join(CAPTURES, f)));
  const hdr = S.newSmb2Header();
  const fe = all.filter((m) => m[0] === 0xfe && !S.parseSmb2Header(m, 0, hdr));
  const fd = all.filter((m) => m[0] === 0xfd);
  console.log(`messages: ${all.length} (${fe.length} SMB2 headers, ${fd.length} transform) from ${FILES.length} captures`);
  if (!global.gc) console.log('(run with node --expose-gc for steadier allocation figures)');

  const rows = [];
  const row = (name, items, fn) => {
    if (items.length === 0) return;
    const { rate, perOp } = measure(items, fn);
    rows.push({ name, messages: items.length, 'ops/s': Math.round(rate).toLocaleString('en'), 'heap B/msg': Number.isNaN(perOp) ? '?' : perOp.toFixed(1) });
  };
  let sink = 0;
  row('parseSmb2Header', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += hdr.command;
  });
  const cb = (h) => (sink += h.command);
  row('header + forEachSmb2', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    S.forEachSmb2(m, hdr, cb);
  });
  row('header + ntStatusName', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += ntStatusName(hdr.status).length;
  });
  row('parseTransformHeader', fd, (m) => {
    const r = S.parseTransformHeader(m, 0);
    if (r.ok) sink += r.originalMessageSize;
  });
  const bodies = [
    ['NEGOTIATE resp', 0, true, S.parseNegotiateResponse],
    ['SESSION_SETUP req', 1, false, S.parseSessionSetupRequest],
    ['SESSION_SETUP resp', 1, true, S.parseSessionSetupResponse],
    ['TREE_CONNECT req', 3, false, S.parseTreeConnectRequest],
    ['TREE_CONNECT resp', 3, true, S.parseTreeConnectResponse],
    ['CREATE req', 5, false, S.parseCreateRequest],
    ['CREATE resp', 5, true, S.parseCreateResponse],
    ['CLOSE req', 6, false, S.parseCloseRequest],
    ['READ resp', 8, true, S.parseReadResponse],
    ['WRITE req', 9, false, S.parseWriteRequest],
    ['IOCTL req', 11, false, S.parseIoctlRequest],
  ];
  for (const [name, cmd, resp, parse] of bodies) {
    const items = fe.filter((m) => {
      S.parseSmb2Header(m, 0, hdr);
      return hdr.command === cmd && hdr.isResponse === resp && hdr.nextCommand === 0;
    });
    row(`header + ${name}`, items, (m) => {
      S.parseSmb2Header(m, 0, hdr);
      const r = parse(m, hdr, m.length);
      if (r.ok) sink++;
    });
  }
  // again, now that everything is warm: the header parse itself allocates nothing
  row('parseSmb2Header (again)', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += hdr.command;
  });
  console.table(rows);
  if (sink === -1) console.log(sink);
}

main();
