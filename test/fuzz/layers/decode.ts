/**
 * src/net decode: PacketDecoder on arbitrary frames of every handled link type (with plausible
 * link/IP/TCP prefixes so the fuzz reaches the TCP header) and on mutated corpus frames.
 * Decoded offsets stay inside the frame, fields are in range, and every packet is either TCP
 * or counted under exactly one drop reason.
 */
import fc from 'fast-check';
import { LINKTYPE, PacketDecoder, newDecodedPacket } from '../../../src/net/decode';
import type { CapturedPacket } from '../../../src/shared/packet';
import type { DecodedPacket } from '../../../src/net/decoded-packet';
import { bump, type FuzzProperty } from '../harness';
import { embed, mutate, type Mutation } from '../checks';
import { corpusSeeds, mutationArb } from '../seeds';

const LINKS = [...Object.values(LINKTYPE), 2, 9, 127, 0xffff];
const PREFIXES: Record<number, number[][]> = {
  1: [
    [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00],
    [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00],
    [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd],
    [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0, 5, 0x08, 0x00],
  ],
  0: [[2, 0, 0, 0], [0, 0, 0, 2], [24, 0, 0, 0]],
  108: [[0, 0, 0, 2], [0, 0, 0, 30]],
  113: [[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00]],
  276: [[0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]],
};
/** IPv4 (length patched to fit) + a 20-byte TCP header to port 445 */
const IP_TCP = [0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0x01, 0xbd, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
const IP6_TCP = [0x60, 0, 0, 0, 0, 0, 6, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2, ...IP_TCP.slice(20)];

function ipTcp(v6: boolean, bodyLen: number, lie: number | null): number[] {
  const h = v6 ? IP6_TCP.slice() : IP_TCP.slice();
  const len = lie ?? (v6 ? 20 + bodyLen : 40 + bodyLen);
  h[v6 ? 4 : 2] = (len >> 8) & 0xff;
  h[v6 ? 5 : 3] = len & 0xff;
  return h;
}

function prefixArb(): fc.Arbitrary<{ link: number; prefix: number[] }> {
  return fc.constantFrom(...LINKS).chain((link) =>
    fc.record({ link: fc.constant(link), prefix: fc.constantFrom<number[]>(...(PREFIXES[link] ?? [[]]), []) }),
  );
}

const DROP_KEYS = [
  'unknownLinktype',
  'notIp',
  'notTcp',
  'truncatedHeader',
  'badIpHeader',
  'badTcpHeader',
  'ipFragmentsDropped',
  'ipv6ExtHeaderLimit',
] as const;

export function checkDecoded(d: PacketDecoder, pkt: CapturedPacket, out: DecodedPacket, ok: boolean, counts: Record<string, number>): void {
  const c = d.counts;
  const drops = DROP_KEYS.reduce((s, k) => s + c[k], 0);
  if (c.tcp + drops !== c.packets) throw new Error(`tcp ${c.tcp} + drops ${drops} != packets ${c.packets}`);
  if (ok !== out.ok) throw new Error('decode() result differs from out.ok');
  if (!ok) {
    bump(counts, 'dropped');
    return;
  }
  bump(counts, 'tcp');
  const n = pkt.data.length;
  const al = out.ipVersion === 4 ? 4 : 16;
  if (out.buf !== pkt.data) throw new Error('out.buf is not the frame');
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < 0)) throw new Error(`${k} = ${v}`);
  }
  if (out.srcAddrOffset + al > n || out.dstAddrOffset + al > n) throw new Error('address outside the frame');
  if (out.payloadOffset + out.payloadLength > n) throw new Error('payload outside the frame');
  if (out.srcPort > 65535 || out.dstPort > 65535 || out.tcpFlags > 255 || out.window > 65535) throw new Error('field out of range');
  if (out.seq > 0xffffffff || out.ack > 0xffffffff) throw new Error('seq/ack beyond uint32');
  if (out.payloadMissing > 0) bump(counts, 'snaplenCut');
}

export const decodeArbitrary: FuzzProperty<{ link: number; prefix: number[]; ip: number; lie: number | null; body: Uint8Array }> = {
  layer: 'decode',
  name: 'arbitrary frames of every link type behind plausible headers',
  weight: 4,
  arbitrary: () =>
    fc
      .record({ lp: prefixArb(), ip: fc.nat(2), lie: fc.option(fc.nat(0xffff), { nil: null }), body: fc.uint8Array({ maxLength: 200 }) })
      .map(({ lp, ip, lie, body }) => ({ ...lp, ip, lie, body })),
  check({ link, prefix, ip, lie, body }, counts) {
    const d = new PacketDecoder();
    const out = newDecodedPacket();
    const data = embed(Buffer.concat([Buffer.from(prefix), Buffer.from(ip === 0 ? [] : ipTcp(ip === 2, body.length, lie)), Buffer.from(body)]));
    const pkt: CapturedPacket = { tsSec: 1, tsNsec: 0, linktype: link, data, origLen: data.length, sourceIndex: 0 };
    checkDecoded(d, pkt, out, d.decode(pkt, out), counts);
  },
};

export const decodeMutated: FuzzProperty<{ file: number; pkt: number; m: Mutation; origExtra: number }> = {
  layer: 'decode',
  name: 'mutated corpus frames (header lies, truncation, insertions)',
  weight: 4,
  arbitrary: () => {
    const n = corpusSeeds().packets.length;
    return fc.record({ file: fc.nat(n - 1), pkt: fc.nat(), m: mutationArb(6), origExtra: fc.constantFrom(0, 0, 1, 1000, 0xffffffff) });
  },
  check({ file, pkt, m, origExtra }, counts) {
    const list = corpusSeeds().packets[file];
    if (list.length === 0) return;
    const src = list[pkt % list.length];
    // mutations aimed at the first 80 bytes: the headers
    const mm: Mutation = { ...m, flips: m.flips.map(([p, b]) => [p % 80, b]), lies: m.lies.map(([p, v]) => [p % 80, v]) };
    const data = embed(mutate(src.data, mm));
    const origLen = Math.min(0xffffffff, data.length + origExtra);
    const d = new PacketDecoder();
    const out = newDecodedPacket();
    const p: CapturedPacket = { tsSec: src.tsSec, tsNsec: src.tsNsec, linktype: src.linktype, data, origLen, sourceIndex: 0 };
    checkDecoded(d, p, out, d.decode(p, out), counts);
  },
};

export const decodeProperties = [decodeArbitrary, decodeMutated];
