#!/usr/bin/env node
'use strict';
/**
 * Reader + link/IP/TCP decode throughput on >= 200 MB of real SMB traffic, side by side with
 * `tshark -r` and `cat` on the same file, in one run, from the page cache.
 *
 *   npx tsc -p . && node bench/reader.js [--mb 200] [--runs 3] [--no-tshark]
 *
 * The capture is built once into bench/cache/ (gitignored) by concatenating the Ethernet records
 * of the corpus (../shared/captures) round after round, timestamps shifted so time moves on.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'captures');
const CACHE = path.join(__dirname, 'cache');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function load() {
  const reader = path.join(DIST, 'src', 'capture', 'reader.js');
  if (!fs.existsSync(reader)) {
    console.error('bench/reader.js: dist/ not built; run `npx tsc -p .` first');
    process.exit(2);
  }
  return { ...require(reader), ...require(path.join(DIST, 'src', 'net', 'decode.js')) };
}

/** Worker mode: read + decode one file, print one JSON line with the figures. */
async function worker(file) {
  const { readCaptures, PacketDecoder, newDecodedPacket } = load();
  const dec = new PacketDecoder();
  const out = newDecodedPacket();
  let payload = 0;
  const t0 = process.hrtime.bigint();
  const s = await readCaptures([file], (p) => {
    if (dec.decode(p, out)) payload += out.payloadLength;
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (s.error) throw s.error;
  process.stdout.write(
    JSON.stringify({
      secs,
      bytes: s.bytes,
      packets: s.packets,
      tcp: dec.counts.tcp,
      payload,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
}

function corpusFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'baselines' && e.name !== 'tools') walk(p);
      } else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(e.name)) out.push(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

/** Builds bench/cache/smb-<MB>mb.pcap (classic, little-endian µs, Ethernet) unless present. */
async function build(mb) {
  const target = mb * 1e6;
  const file = path.join(CACHE, `smb-${mb}mb.pcap`);
  if (fs.existsSync(file) && fs.statSync(file).size >= target) return file;
  const { readCaptures } = load();
  fs.mkdirSync(CACHE, { recursive: true });
  // one round: every Ethernet record of the corpus, normalised to little-endian µs records
  const recs = [];
  let first = Infinity;
  let last = 0;
  for (const f of corpusFiles()) {
    await readCaptures([f], (p) => {
      if (p.linktype !== 1) return;
      const h = Buffer.alloc(16);
      h.writeUInt32LE(p.tsSec >>> 0, 0);
      h.writeUInt32LE(Math.floor(p.tsNsec / 1000), 4);
      h.writeUInt32LE(p.data.length, 8);
      h.writeUInt32LE(p.origLen, 12);
      recs.push(Buffer.concat([h, p.data]));
      first = Math.min(first, p.tsSec);
      last = Math.max(last, p.tsSec);
    });
  }
  const round = Buffer.concat(recs);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(1, 20);
  const tmp = file + '.tmp';
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, hdr);
  let size = 24;
  for (let r = 0; size < target; r++) {
    // shift each round's timestamps so the capture moves forward in time
    const copy = Buffer.from(round);
    for (let o = 0; o < copy.length; o += 16 + copy.readUInt32LE(o + 8)) copy.writeUInt32LE((copy.readUInt32LE(o) + r * 86400) >>> 0, o);
    fs.writeSync(fd, copy);
    size += copy.length;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return file;
}

function timeCmd(cmd, args, outFile) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `${cmd} ${args.map((a) => `'${a}'`).join(' ')} > ${outFile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return secs;
}

async function main() {
  if (process.argv[2] === '--worker') return worker(process.argv[3]);
  const mb = Number(arg('--mb', '200'));
  const runs = Number(arg('--runs', '3'));
  const file = await build(mb);
  const size = fs.statSync(file).size;
  timeCmd('cat', [file], '/dev/null'); // warm the page cache
  let best = null;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [__filename, '--worker', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const m = JSON.parse(r.stdout);
    if (!best || m.secs < best.secs) best = { ...m, maxRssMB: Math.max(m.maxRssMB, best ? best.maxRssMB : 0) };
    else best.maxRssMB = Math.max(best.maxRssMB, m.maxRssMB);
  }
  const catSecs = Math.min(...Array.from({ length: runs }, () => timeCmd('cat', [file], '/dev/null')));
  let tsharkSecs = null;
  if (!process.argv.includes('--no-tshark')) tsharkSecs = timeCmd('tshark', ['-r', file, '-n', '-T', 'fields', '-e', 'frame.number'], '/dev/null');
  const MBs = (s) => (size / 1e6 / s).toFixed(0);
  const rows = [
    ['tool', 'seconds', 'MB/s', 'packets/s', 'peak RSS MB'],
    [
      'sharewatch reader+decode',
      best.secs.toFixed(3),
      MBs(best.secs),
      (best.packets / best.secs / 1e6).toFixed(2) + ' M',
      best.maxRssMB.toFixed(0),
    ],
    ['cat > /dev/null', catSecs.toFixed(3), MBs(catSecs), '', ''],
  ];
  if (tsharkSecs !== null) rows.push(['tshark -r -T fields -e frame.number', tsharkSecs.toFixed(3), MBs(tsharkSecs), (best.packets / tsharkSecs / 1e6).toFixed(3) + ' M', '']);
  console.log(`file ${path.relative(ROOT, file)}: ${(size / 1e6).toFixed(1)} MB, ${best.packets} packets (${best.tcp} TCP), best of ${runs} runs, page cache warm`);
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const r of rows) console.log(r.map((v, c) => String(v).padEnd(w[c])).join('  '));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
