#!/usr/bin/env node
/**
 * Micro-bench of the DCE/RPC core over real PDUs from the corpus: PDU decode alone, and PDU +
 * NDR argument decode of the calls whose interface has decoders (svcctl, atsvc, winreg,
 * epmapper, ITaskSchedulerService). PDUs are cut out by tshark (`dcerpc_raw` after its TCP/SMB
 * reassembly); the interface of each call comes from its connection's bind.
 * Build first (`npm run build`), then: node --expose-gc bench/dcerpc.js
 * Prints calls/s and heap bytes allocated per call.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { measure } = require('./lib/micro');

const dist = path.resolve(__dirname, '..', 'dist', 'dissectors', 'dcerpc');
const D = require(path.join(dist, 'index.js'));
const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');
const FILES = [
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/dcerpc-smb-test-01.pcap',
  'suricata-verify/dcerpc_dcerpc-dce-iface-01.pcap',
  'suricata-verify/smb2-04.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-04.pcap',
  'dcerpc/sv_dcerpc_zerologon.pcap',
  'dcerpc/zeek_20-fids.pcap',
  'dcerpc/sv_dcerpc_dcerpc-ctxids.pcap',
];

/** [{ raw: Buffer, stream }] of a capture, in order. */
function pdus(file) {
  const out = execFileSync('tshark', ['-Q', '-n', '-r', file, '-Y', 'dcerpc.ver == 5', '-T', 'json', '-x', '--no-duplicate-keys', '-J', 'tcp dcerpc'], { maxBuffer: 1 << 30 });
  const res = [];
  for (const p of JSON.parse(out.toString())) {
    const L = p._source.layers;
    const raws = typeof L.dcerpc_raw[0] === 'string' ? [L.dcerpc_raw] : L.dcerpc_raw;
    for (const r of raws) res.push({ raw: Buffer.from(r[0], 'hex'), stream: Number(L.tcp?.['tcp.stream'] ?? -1) });
  }
  return res;
}

/** Calls as the tracker would hand them to the decoders: one-fragment requests/responses with their op. */
function calls(list) {
  const ctx = new Map();
  const ndr64 = new Set();
  const bound = new Map();
  const pending = new Map();
  const out = [];
  for (const { raw, stream } of list) {
    const d = D.decodePdu(raw);
    if (!d.ok) continue;
    if (d.type === 'bind' || d.type === 'alter_context') {
      for (const c of d.contexts) ctx.set(`${stream}/${c.ctxId}`, c.abstract.uuid);
      bound.set(stream, d.contexts.map((c) => c.ctxId));
    } else if (d.type === 'bind_ack' || d.type === 'alter_context_resp') {
      const ids = bound.get(stream) || [];
      d.results.forEach((r, i) => r.result === 0 && r.transfer.uuid === D.NDR64_SYNTAX && ndr64.add(`${stream}/${ids[i]}`));
    } else if (d.type === 'request' && d.firstFrag && d.lastFrag && !d.encrypted) {
      const key = `${stream}/${d.ctxId}`;
      const iface = D.lookupInterface(ctx.get(key) || '');
      const op = iface && iface.ops.get(d.opnum);
      pending.set(`${stream}/${d.callId}`, { op, n64: ndr64.has(key) });
      if (op && op.request) out.push({ raw, op, n64: ndr64.has(key), req: true });
    } else if (d.type === 'response' && d.firstFrag && d.lastFrag && !d.encrypted) {
      const q = pending.get(`${stream}/${d.callId}`);
      if (q && q.op) out.push({ raw, op: q.op, n64: q.n64, req: false });
    }
  }
  return out;
}

function main() {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'pipe' });
  } catch {
    console.error('tshark is required to cut PDUs out of the corpus');
    process.exit(1);
  }
  const all = [];
  for (const f of FILES) all.push(...pdus(path.join(CAPTURES, f)));
  const cs = calls(all);
  console.log(`PDUs: ${all.length} from ${FILES.length} captures; ${cs.length} calls with argument decoders`);
  if (!global.gc) console.log('(run with node --expose-gc for steadier allocation figures)');
  let sink = 0;
  const rows = [];
  const row = (name, items, fn) => {
    const { rate, perOp } = measure(items, fn);
    rows.push({ name, items: items.length, 'ops/s': Math.round(rate).toLocaleString('en'), 'heap B/op': Number.isNaN(perOp) ? '?' : perOp.toFixed(1) });
  };
  const raws = all.map((p) => p.raw);
  row('peekFragLength', raws, (b) => (sink += D.peekFragLength(b, 0)));
  row('decodePdu (all PDUs)', raws, (b) => (sink += D.decodePdu(b).ok ? 1 : 0));
  row('decodePdu + NDR args (calls)', cs, (c) => {
    const d = D.decodePdu(c.raw);
    const r = c.req ? D.decodeRequestStub(c.op, d.stub, d.bigEndian, c.n64) : D.decodeResponseStub(c.op, d.stub, d.bigEndian, c.n64);
    sink += r.ok ? 1 : 0;
  });
  console.table(rows);
  if (sink === -1) console.log(sink);
}

main();
