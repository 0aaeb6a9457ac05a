/**
 * A small pcap rewriter for damaged copies of real captures: packets are read with the project's
 * reader, edited (bit flips, truncation and byte insertions in payloads; packets dropped and
 * duplicated) from a seed, and written back as classic pcap (ns precision) or, when the link
 * types are mixed, pcapng. Headers stay intact unless asked, so the damage reaches TCP/NBSS/SMB.
 */
import { readPackets, type SeedPacket } from './seeds';

/** mulberry32: small seeded PRNG */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RewriteOptions {
  /** probability per packet of each edit */
  flip: number;
  truncate: number;
  insert: number;
  drop: number;
  duplicate: number;
  /** bytes at the start of each frame left alone (link + IP + TCP headers ~54) */
  protect: number;
}

export const DEFAULT_REWRITE: RewriteOptions = { flip: 0.05, truncate: 0.02, insert: 0.02, drop: 0.02, duplicate: 0.02, protect: 54 };

export function editPackets(packets: SeedPacket[], seed: number, o: RewriteOptions = DEFAULT_REWRITE): SeedPacket[] {
  const r = prng(seed);
  const out: SeedPacket[] = [];
  const int = (n: number): number => Math.floor(r() * n);
  for (const p of packets) {
    if (r() < o.drop) continue;
    let d = Buffer.from(p.data);
    const span = d.length - o.protect;
    if (span > 0) {
      if (r() < o.flip) for (let i = 1 + int(4); i > 0; i--) d[o.protect + int(span)] ^= 1 << int(8);
      if (r() < o.insert) {
        const at = o.protect + int(span);
        const ins = Buffer.alloc(1 + int(16));
        for (let i = 0; i < ins.length; i++) ins[i] = int(256);
        d = Buffer.concat([d.subarray(0, at), ins, d.subarray(at)]);
      }
      if (r() < o.truncate) d = d.subarray(0, o.protect + int(span));
    }
    const q = { ...p, data: d, origLen: Math.max(p.origLen, d.length) };
    out.push(q);
    if (r() < o.duplicate) out.push(q);
  }
  return out;
}

export function writeCapture(packets: SeedPacket[]): Buffer {
  const lts = new Set(packets.map((p) => p.linktype));
  return lts.size <= 1 ? writePcapNs(packets, packets[0]?.linktype ?? 1) : writePcapng(packets, [...lts]);
}

function writePcapNs(packets: SeedPacket[], linktype: number): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b23c4d, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(linktype, 20);
  parts.push(h);
  for (const p of packets) {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(p.tsSec >>> 0, 0);
    r.writeUInt32LE(p.tsNsec >>> 0, 4);
    r.writeUInt32LE(p.data.length, 8);
    r.writeUInt32LE(Math.max(p.origLen, p.data.length), 12);
    parts.push(r, p.data);
  }
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

function writePcapng(packets: SeedPacket[], lts: number[]): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const parts = [block(0x0a0d0d0a, shb)];
  for (const lt of lts) {
    // if_tsresol = 9 (nanoseconds)
    const idb = Buffer.alloc(8 + 8 + 4);
    idb.writeUInt16LE(lt, 0);
    idb.writeUInt32LE(262144, 4);
    idb.writeUInt16LE(9, 8);
    idb.writeUInt16LE(1, 10);
    idb[12] = 9;
    parts.push(block(1, idb));
  }
  for (const p of packets) {
    const e = Buffer.alloc(20 + p.data.length);
    const ns = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
    e.writeUInt32LE(lts.indexOf(p.linktype), 0);
    e.writeUInt32LE(Number(ns >> 32n), 4);
    e.writeUInt32LE(Number(ns & 0xffffffffn), 8);
    e.writeUInt32LE(p.data.length, 12);
    e.writeUInt32LE(Math.max(p.origLen, p.data.length), 16);
    p.data.copy(e, 20);
    parts.push(block(6, e));
  }
  return Buffer.concat(parts);
}

/** A damaged copy of a capture file's bytes. */
export function rewriteCapture(bytes: Buffer, seed: number, o: RewriteOptions = DEFAULT_REWRITE): Buffer {
  return writeCapture(editPackets(readPackets(bytes).packets, seed, o));
}
