#!/usr/bin/env node
'use strict';
/**
 * The sharded run's stages measured one at a time, in this process (dist/ modules), in packets/s
 * of the whole input, each the best of --runs (CPU time of this thread, so other load on the
 * shared machine counts less; wall time beside it):
 *   read      capture reading alone (the reader thread's floor)
 *   reader    read + link/IP/TCP decode + pair hash + copy into the rings, consumed by threads
 *             that only release entries (everything the reader thread does per packet)
 *   worker    net + dissectors + tracker on every packet (records made, then dropped): one
 *             worker's rate; N workers each get ~1/N of the packets
 *   clone     the records' structured clone (v8.serialize + deserialize, what postMessage does)
 *   output    detection + the NDJSON writer (to /dev/null) on the records, in order
 * From these: the reader thread (reader + clone's deserialize half + output) saturates at
 * 1 / (1/reader + 1/output + 1/clone·½); N workers at N × worker (minus the clone's serialize half).
 *
 *   node bench/workers-stages.js FILE [--runs 3] [--rings 2]
 */
const path = require('node:path');
const v8 = require('node:v8');

const ROOT = path.resolve(__dirname, '..');
const req = (m) => require(path.join(ROOT, 'dist', 'src', m));
const { readCaptures } = req('capture/reader');
const { PacketDecoder, newDecodedPacket } = req('net/decode');
const { NetPipeline, netOptionsFromConfig } = req('net/pipeline');
const { Tracker } = req('tracker/tracker');
const { Detector } = req('detect/detector');
const { createWriter } = req('output/writer');
const { defaultConfig } = req('shared/config');
const { FramePacket } = req('shared/packet');
const { trackerOptionsFromConfig } = req('cli/pipeline');
const { pairHash } = req('cli/workers/parallel-pipeline');
const { RingWriter, ringBuffer, ENTRY_PACKET, HEADER_BYTES } = req('cli/workers/ring');

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '3'));
const rings = Number(opt('--rings', '2'));
if (!file) throw new Error('usage: node bench/workers-stages.js FILE [--runs 3] [--rings 2]');

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function timed(fn) {
  let best = null;
  for (let r = 0; r < runs; r++) {
    const c0 = cpuNow();
    const w0 = process.hrtime.bigint();
    const extra = await fn();
    const m = { cpu: cpuNow() - c0, wall: Number(process.hrtime.bigint() - w0) / 1e9, ...extra };
    if (best === null || m.cpu < best.cpu) best = m;
  }
  return best;
}

let packets = 0;

async function readOnly() {
  let n = 0;
  await readCaptures([file], () => {
    n++;
  });
  packets = n;
  return {};
}

/**
 * The reader thread's work per packet: decode, pair hash, header + bytes into the ring, commit.
 * The ring is emptied at once from this thread (a consumer that is never behind): the CPU time is
 * then this thread's alone (process.cpuUsage counts every thread; Node 20 has no per-thread one).
 */
async function reader() {
  const writers = Array.from({ length: rings }, () => new RingWriter(ringBuffer(4 << 20)));
  const decoder = new PacketDecoder();
  const d = newDecodedPacket();
  let n = 0;
  const noop = () => {};
  await readCaptures([file], (p) => {
    n++;
    if (!decoder.decode(p, d)) return;
    const w = pairHash(d.buf, d.srcAddrOffset, d.dstAddrOffset, d.ipVersion === 4 ? 4 : 16) % rings;
    const ring = writers[w];
    const buf = p instanceof FramePacket ? p.chunk : p.data;
    const off = p instanceof FramePacket ? p.dataOffset : 0;
    const cap = p instanceof FramePacket ? p.capLen : buf.length;
    const pos = ring.reserve(cap, noop);
    ring.header(pos, ENTRY_PACKET, cap, n, p.tsSec, p.tsNsec, p.linktype, p.tsSec, p.tsNsec, p.origLen);
    buf.copy(ring.bytes, pos + HEADER_BYTES, off, off + cap);
    ring.commit(cap);
    Atomics.store(ring.ctrl, 1, Atomics.load(ring.ctrl, 0));
  });
  return {};
}

let records = [];
let times = [];

async function worker(keep) {
  const config = defaultConfig();
  const recs = [];
  const tracker = new Tracker((rec) => {
    if (keep) recs.push(rec);
  }, trackerOptionsFromConfig(config), (sec, nsec) => {
    if (keep) recs.push({ __time: true, sec, nsec });
  });
  const net = new NetPipeline(tracker, netOptionsFromConfig(config));
  tracker.onDcerpcEndpoint = (ip, port) => net.engine.addDcerpcEndpoint(ip, port);
  await readCaptures([file], (p) => net.handle(p));
  net.finish();
  if (keep) records = recs;
  return {};
}

async function clone() {
  const recs = records.filter((r) => !r.__time);
  const batch = 256;
  let ser = 0;
  let de = 0;
  for (let i = 0; i < recs.length; i += batch) {
    const t0 = process.hrtime.bigint();
    const b = v8.serialize(recs.slice(i, i + batch));
    const t1 = process.hrtime.bigint();
    v8.deserialize(b);
    ser += Number(t1 - t0);
    de += Number(process.hrtime.bigint() - t1);
  }
  return { ser: ser / 1e9, de: de / 1e9 };
}

async function output() {
  const config = defaultConfig();
  const writer = createWriter({ format: 'ndjson', path: '/dev/null' });
  const detector = new Detector(config, (a) => writer.write(a), { live: false });
  let last = { sec: 0, nsec: 0 };
  for (const r of records) {
    if (r.__time) {
      detector.onTimeAt(r.sec, r.nsec);
      last = r;
      continue;
    }
    const rec = detector.stamp(r);
    writer.write(rec);
    detector.process(rec);
  }
  detector.finish(last);
  await writer.close();
  return {};
}

(async () => {
  const load = require('node:os').loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows = [];
  const rate = (secs) => (packets / secs / 1e6).toFixed(2);
  const r0 = await timed(readOnly);
  rows.push(['read', r0.cpu, r0.wall]);
  const r1 = await timed(reader);
  rows.push([`reader (${rings} rings)`, r1.cpu, r1.wall]);
  const r2 = await timed(() => worker(false));
  rows.push(['worker (all packets)', r2.cpu, r2.wall]);
  await worker(true);
  const nrec = records.filter((r) => !r.__time).length;
  const r3 = await timed(clone);
  rows.push([`clone: serialize (${nrec} records)`, r3.ser, r3.ser]);
  rows.push(['clone: deserialize', r3.de, r3.de]);
  const r4 = await timed(output);
  rows.push(['detect + output', r4.cpu, r4.wall]);
  const out = [`bench/workers-stages: ${path.basename(file)}: ${packets} packets, ${nrec} records; load ${load}; best of ${runs} (CPU s of this thread)`];
  for (const [name, cpu, wall] of rows) out.push(`  ${name.padEnd(34)} ${cpu.toFixed(3)} s CPU  ${wall.toFixed(3)} s wall  ${rate(cpu)} Mpps`);
  const readerThread = r1.cpu + r3.de + r4.cpu;
  out.push(`  reader thread total (reader + deserialize + detect/output): ${readerThread.toFixed(3)} s → ceiling ${rate(readerThread)} Mpps`);
  out.push(`  per worker (worker + serialize): ${(r2.cpu + r3.ser).toFixed(3)} s for all packets → N workers ${rate((r2.cpu + r3.ser))}·N Mpps`);
  process.stdout.write(out.join('\n') + '\n');
})().catch((e) => {
  process.stderr.write(`bench/workers-stages: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
