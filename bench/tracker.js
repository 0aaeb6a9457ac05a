#!/usr/bin/env node
'use strict';
/**
 * The tracker room alone: what src/net hands it for a capture (connections, SMB messages, NBSS
 * control messages, gaps, DCE/RPC PDUs, time) is recorded once, then replayed into fresh
 * Trackers, timed, so the tracker's own cost shows without reader, reassembly, detection and
 * output around it. --dist compares another build's tracker on the same recording (A/B of a
 * tracker change; the recording always comes from this checkout's dist/).
 *
 *   npm run build && node bench/tracker.js [FILE] [--passes 5] [--dist OTHER_DIST]...
 *
 * FILE defaults to bench/cache/synth-100M.pcap (bench/run builds it).
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const PASSES = Number(opt('--passes', '5'));
const dists = [path.join(ROOT, 'dist'), ...optAll('--dist').map((d) => path.resolve(d))];
const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ?? path.join(ROOT, 'bench', 'cache', 'synth-100M.pcap');

function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}
function optAll(name) {
  return args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
}

/** What src/net said, in order; message bodies copied (net hands out reused buffers). */
async function record() {
  const dist = dists[0];
  const { readCaptures } = require(path.join(dist, 'src', 'capture', 'reader.js'));
  const { NetPipeline } = require(path.join(dist, 'src', 'net', 'pipeline.js'));
  const { Tracker } = require(path.join(dist, 'src', 'tracker', 'tracker.js'));
  const live = new Tracker(() => {}); // decides what is kept of each message, as in a real run
  const calls = [];
  const conns = [];
  const sink = {
    onConnStart(conn) {
      conns.push(conn);
      calls.push([0, conn]);
      live.onConnStart(conn);
    },
    keepBytes: (head, total, conn) => live.keepBytes(head, total, conn),
    onSmbMessage(m) {
      const copy = { ...m, data: Buffer.from(m.data) };
      calls.push([1, copy]);
      live.onSmbMessage(m);
    },
    onNbssControl(conn, dir, type, body, sec, nsec) {
      calls.push([2, conn, dir, type, Buffer.from(body), sec, nsec]);
      live.onNbssControl(conn, dir, type, body, sec, nsec);
    },
    onGap(conn, dir, bytes, sec, nsec) {
      calls.push([3, conn, dir, bytes, sec, nsec]);
      live.onGap(conn, dir, bytes, sec, nsec);
    },
    onConnEnd(conn, reason, sec, nsec) {
      calls.push([4, conn, reason, sec, nsec]);
      live.onConnEnd(conn, reason, sec, nsec);
    },
    onTime(sec, nsec) {
      calls.push([5, sec, nsec]);
      live.onTime(sec, nsec);
    },
    onDcerpcPdu(conn, dir, pdu, afterGap, sec, nsec) {
      calls.push([6, conn, dir, Buffer.from(pdu), afterGap, sec, nsec]);
      live.onDcerpcPdu(conn, dir, pdu, afterGap, sec, nsec);
    },
  };
  const net = new NetPipeline(sink, {});
  live.onDcerpcEndpoint = (ip, port) => net.engine.addDcerpcEndpoint(ip, port);
  const s = await readCaptures([file], (p) => net.handle(p));
  net.finish();
  if (s.error) throw s.error;
  return { calls, conns, packets: s.packets };
}

function replay(dist, rec) {
  const { Tracker } = require(path.join(dist, 'src', 'tracker', 'tracker.js'));
  for (const c of rec.conns) c.user = undefined;
  let records = 0;
  const tr = new Tracker(() => records++);
  const t0 = process.hrtime.bigint();
  for (const c of rec.calls) {
    switch (c[0]) {
      case 0: tr.onConnStart(c[1]); break;
      case 1: tr.onSmbMessage(c[1]); break;
      case 2: tr.onNbssControl(c[1], c[2], c[3], c[4], c[5], c[6]); break;
      case 3: tr.onGap(c[1], c[2], c[3], c[4], c[5]); break;
      case 4: tr.onConnEnd(c[1], c[2], c[3], c[4]); break;
      case 5: tr.onTime(c[1], c[2]); break;
      case 6: tr.onDcerpcPdu(c[1], c[2], c[3], c[4], c[5], c[6]); break;
    }
  }
  return { secs: Number(process.hrtime.bigint() - t0) / 1e9, records };
}

(async () => {
  if (!fs.existsSync(file)) {
    console.error(`bench/tracker.js: ${file} not found (bench/run builds bench/cache/synth-100M.pcap)`);
    process.exit(2);
  }
  const rec = await record();
  const messages = rec.calls.filter((c) => c[0] === 1).length;
  console.log(`${path.basename(file)}: ${rec.packets} packets → ${messages} SMB messages, ${rec.conns.length} connections (${rec.calls.length} tracker calls)`);
  console.log('tracker (dist)              pass  seconds  M messages/s  records');
  // passes interleaved across builds, so load changes hit them alike
  const best = new Map();
  for (let pass = 1; pass <= PASSES; pass++) {
    for (const d of dists) {
      const r = replay(d, rec);
      const name = path.relative(ROOT, d) || d;
      console.log(`${name.padEnd(26)} ${String(pass).padStart(5)} ${r.secs.toFixed(3).padStart(8)} ${(messages / r.secs / 1e6).toFixed(2).padStart(13)} ${String(r.records).padStart(8)}`);
      best.set(name, Math.min(best.get(name) ?? Infinity, r.secs));
    }
  }
  for (const [name, secs] of best) console.log(`best ${name}: ${secs.toFixed(3)} s, ${(messages / secs / 1e6).toFixed(2)} M messages/s`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
