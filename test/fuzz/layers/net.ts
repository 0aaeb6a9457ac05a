/**
 * src/net reassembly and NBSS framing, through NetPipeline with a contract-checking sink:
 * - arbitrary TCP segments (any seq, flags, payload, time jumps) on a few flows with small memcaps;
 * - real corpus packet sequences with packets dropped, duplicated, swapped and cut;
 * - NBSS: one clean connection carrying a token stream cut at random: valid messages only and no
 *   loss → exactly those messages, in order; with garbage, lying lengths and lost segments →
 *   every delivered message is bytes of the stream (never invented, never garbled).
 * After finish(): every connection ended once, no out-of-order bytes held, counters sane.
 */
import fc from 'fast-check';
import { NetPipeline } from '../../../src/net/pipeline';
import type { NetOptions } from '../../../src/net/pipeline';
import { bump, type FuzzProperty } from '../harness';
import { checkCounters, mutate, type Mutation } from '../checks';
import { CheckingSink } from '../checking-sink';
import { ACK, FIN, PSH, RST, SYN, tcpFrame, nbss, type Endpoint } from '../frames';
import { corpusSeeds, mutationArb } from '../seeds';

export const SMALL_CAPS: Partial<NetOptions> = {
  idleTimeoutSec: 5,
  maxFlows: 4,
  maxOooBytesPerFlow: 4096,
  maxOooBytesTotal: 12288,
  maxMessageBytes: 2048,
  gapTimeoutSec: 1,
};

/** Feed frames (Ethernet) to a fresh pipeline; check the sink contract and counters. */
export function runNet(
  frames: { tsSec: number; tsNsec: number; data: Buffer; linktype?: number }[],
  opts: Partial<NetOptions>,
  counts: Record<string, number>,
  keep?: (head: Buffer, total: number) => number,
): CheckingSink {
  // a message that is no view of the current frame is a joined copy (≤ max message bytes) or a
  // view of an out-of-order segment held (≤ the per-flow out-of-order memcap)
  const sink = new CheckingSink(Math.max(opts.maxMessageBytes ?? 4 << 20, opts.maxOooBytesPerFlow ?? 1 << 20), true, keep);
  const net = new NetPipeline(sink, opts);
  for (const f of frames) {
    sink.currentFrame = f.data;
    net.handle({ tsSec: f.tsSec, tsNsec: f.tsNsec, linktype: f.linktype ?? 1, data: f.data, origLen: f.data.length, sourceIndex: 0 });
  }
  sink.currentFrame = null;
  net.finish();
  sink.checkFinished();
  const c = net.counters;
  checkCounters(c, 'net.counters');
  if (c.oooBytesHeld !== 0) throw new Error(`${c.oooBytesHeld} out-of-order bytes still held after finish()`);
  if (c.flowsOpen !== 0) throw new Error(`flowsOpen ${c.flowsOpen} after finish()`);
  if (c.messagesDelivered !== sink.messages.length) throw new Error(`messagesDelivered ${c.messagesDelivered} != ${sink.messages.length}`);
  bump(counts, 'messages', sink.messages.length);
  bump(counts, 'conns', sink.ended.size);
  bump(counts, 'gaps', sink.gaps);
  bump(counts, 'oooMemcapHits', c.oooMemcapFlowHits + c.oooMemcapGlobalHits);
  bump(counts, 'messageMemcapHits', c.messageMemcapHits);
  bump(counts, 'resyncs', c.resyncs);
  bump(counts, 'evicted', c.connsEndedEvicted);
  return sink;
}

const CLIENTS: Endpoint[] = [
  { ip: [10, 0, 0, 1], port: 40000 },
  { ip: [10, 0, 0, 1], port: 40001 },
  { ip: [10, 0, 0, 3], port: 50000 },
  { ip: [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port: 40002 },
];
const SERVERS: Endpoint[] = [
  { ip: [10, 0, 0, 2], port: 445 },
  { ip: [10, 0, 0, 2], port: 139 },
  { ip: [10, 0, 0, 9], port: 445 },
  { ip: [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], port: 445 },
];

function smbHeader(magic: number, body: Uint8Array): Buffer {
  const hl = magic === 0xfe ? 64 : 32;
  const b = Buffer.alloc(hl + body.length);
  b[0] = magic;
  b.write('SMB', 1, 'latin1');
  if (magic === 0xfe) b[4] = 64;
  b.set(body, hl);
  return b;
}

const payloadArb = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 1, maxLength: 300 }),
  fc
    .record({ magic: fc.constantFrom(0xfe, 0xff), body: fc.uint8Array({ maxLength: 200 }), lie: fc.option(fc.constantFrom(0, 10, 100, 5000, 0xffffff), { nil: undefined }) })
    .map(({ magic, body, lie }) => new Uint8Array(nbss(smbHeader(magic, body), 0, lie))),
  fc.constantFrom(new Uint8Array([0x85, 0, 0, 0]), new Uint8Array([0x81, 0, 0, 4, 1, 2, 3, 4]), new Uint8Array([0x82, 0, 0, 0])),
);

interface Seg {
  pair: number;
  toServer: boolean;
  seqOff: number;
  ackOff: number;
  flags: number;
  payload: Uint8Array;
  dtUs: number;
}

export const netArbitrary: FuzzProperty<{ isn: number[]; segs: Seg[] }> = {
  layer: 'reassembly',
  name: 'arbitrary TCP segments on a few flows, small memcaps',
  arbitrary: () =>
    fc.record({
      isn: fc.array(fc.nat(0xffffffff), { minLength: 8, maxLength: 8 }),
      segs: fc.array(
        fc.record({
          pair: fc.nat(5),
          toServer: fc.boolean(),
          seqOff: fc.oneof(fc.integer({ min: -2000, max: 20000 }), fc.nat(0xffffffff)),
          ackOff: fc.integer({ min: -100, max: 20000 }),
          flags: fc.oneof(fc.constantFrom(SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK, RST, RST | ACK), fc.nat(255)),
          payload: payloadArb,
          dtUs: fc.oneof(fc.nat(1000), fc.constantFrom(2_000_000, 7_000_000, 700_000_000)),
        }),
        { maxLength: 40 },
      ),
    }),
  check({ isn, segs }, counts) {
    let ts = 1_700_000_000_000_000;
    const frames = segs.map((s) => {
      ts += s.dtUs;
      const c = CLIENTS[s.pair % 4];
      const sv = SERVERS[(s.pair >> 1) % 4];
      const [cl, sr] = c.ip.length === sv.ip.length ? [c, sv] : [CLIENTS[0], SERVERS[0]];
      const [src, dst] = s.toServer ? [cl, sr] : [sr, cl];
      const base = isn[s.pair * 2 + (s.toServer ? 0 : 1)] ?? 0;
      const peer = isn[s.pair * 2 + (s.toServer ? 1 : 0)] ?? 0;
      const data = tcpFrame(src, dst, (base + s.seqOff) >>> 0, (peer + s.ackOff) >>> 0, s.flags, s.payload);
      return { tsSec: Math.floor(ts / 1e6), tsNsec: (ts % 1e6) * 1000, data };
    });
    runNet(frames, SMALL_CAPS, counts);
  },
};

interface Edit {
  drops: number[];
  dups: number[];
  swaps: number[];
  m: Mutation | null;
  at: number;
}

export const netReal: FuzzProperty<{ file: number; e: Edit; small: boolean }> = {
  layer: 'reassembly',
  name: 'corpus packet sequences with drops, duplicates, swaps and a mutated packet',
  arbitrary: () =>
    fc.record({
      file: fc.nat(corpusSeeds().packets.length - 1),
      e: fc.record({
        drops: fc.array(fc.nat(), { maxLength: 6 }),
        dups: fc.array(fc.nat(), { maxLength: 6 }),
        swaps: fc.array(fc.nat(), { maxLength: 8 }),
        m: fc.option(mutationArb(4), { nil: null }),
        at: fc.nat(),
      }),
      small: fc.boolean(),
    }),
  check({ file, e, small }, counts) {
    const src = corpusSeeds().packets[file];
    if (src.length === 0) return;
    const pk = src.map((p) => ({ ...p }));
    for (const s of e.swaps) {
      const i = s % pk.length;
      if (i + 1 < pk.length) [pk[i], pk[i + 1]] = [pk[i + 1], pk[i]];
    }
    for (const d of e.dups) pk.splice(d % pk.length, 0, pk[d % pk.length]);
    const drop = new Set(e.drops.map((d) => d % pk.length));
    const kept = pk.filter((_, i) => !drop.has(i));
    if (e.m && kept.length) {
      const i = e.at % kept.length;
      kept[i] = { ...kept[i], data: mutate(kept[i].data, e.m, 40) };
    }
    // keep capture time monotonic, as the reader hands it out
    let last = 0;
    const frames = kept.map((p) => {
      let t = p.tsSec * 1e9 + p.tsNsec;
      if (t < last) t = last;
      last = t;
      return { tsSec: Math.floor(t / 1e9), tsNsec: t % 1e9, data: p.data, linktype: p.linktype };
    });
    runNet(frames, small ? SMALL_CAPS : {}, counts);
  },
};

interface Token {
  kind: number;
  magic: number;
  body: Uint8Array;
  lie: number;
}

const tokenArb = (clean: boolean): fc.Arbitrary<Token> =>
  fc.record({
    kind: clean ? fc.constantFrom(0, 0, 0, 1) : fc.nat(5),
    magic: fc.constantFrom(0xfe, 0xff),
    body: fc.uint8Array({ maxLength: 400 }),
    lie: fc.constantFrom(0, 3, 60, 65535, 0x1ffff, 0xffffff),
  });

function tokenBytes(t: Token): Buffer {
  switch (t.kind) {
    case 0:
      return nbss(smbHeader(t.magic, t.body));
    case 1:
      return Buffer.from([0x85, 0, 0, 0]);
    case 2:
      return Buffer.from(t.body.subarray(0, 40)); // garbage
    case 3:
      return nbss(smbHeader(t.magic, t.body), 0, t.lie); // lying length
    case 4:
      return nbss(t.body.subarray(0, 60), 0x81 + (t.lie & 7)); // control, maybe bad type
    default:
      return nbss(smbHeader(t.magic, t.body)).subarray(0, 4 + (t.lie % 70)); // cut short
  }
}

function nbssProperty(clean: boolean): FuzzProperty<{ tokens: Token[]; cuts: number[]; lost: number[]; port: number }> {
  return {
    layer: 'nbss',
    name: clean ? 'clean token stream at random segment boundaries: exactly the messages sent' : 'garbage, lying lengths, bad types and lost segments: only bytes of the stream',
    arbitrary: () =>
      fc.record({
        tokens: fc.array(tokenArb(clean), { maxLength: 20 }),
        cuts: fc.array(fc.nat(), { maxLength: 30 }),
        lost: clean ? fc.constant([]) : fc.array(fc.nat(), { maxLength: 3 }),
        port: fc.constantFrom(445, 139),
      }),
    check({ tokens, cuts, lost, port }, counts) {
      const stream = Buffer.concat(tokens.map(tokenBytes));
      const c: Endpoint = { ip: [10, 1, 0, 1], port: 41000 };
      const s: Endpoint = { ip: [10, 1, 0, 2], port };
      const isn = 1000;
      let us = 0;
      const frames: { tsSec: number; tsNsec: number; data: Buffer }[] = [];
      const push = (b: Buffer): void => {
        us += 10;
        frames.push({ tsSec: 1_700_000_000, tsNsec: us * 1000, data: b });
      };
      push(tcpFrame(c, s, isn, 0, SYN, new Uint8Array(0)));
      push(tcpFrame(s, c, 5000, isn + 1, SYN | ACK, new Uint8Array(0)));
      const points = [...new Set(cuts.map((x) => (stream.length ? x % stream.length : 0)))].filter((x) => x > 0).sort((a, b) => a - b);
      const bounds = [0, ...points, stream.length];
      const lose = new Set(lost.map((x) => x % Math.max(1, bounds.length - 1)));
      for (let i = 0; i + 1 < bounds.length; i++) {
        if (bounds[i + 1] <= bounds[i] || lose.has(i)) continue;
        push(tcpFrame(c, s, isn + 1 + bounds[i], 5001, ACK | PSH, stream.subarray(bounds[i], bounds[i + 1])));
      }
      push(tcpFrame(c, s, isn + 1 + stream.length, 5001, FIN | ACK, new Uint8Array(0)));
      const sink = runNet(frames, { maxMessageBytes: 1 << 20 }, counts, (_h, total) => total);
      if (clean) {
        const sent = tokens.filter((t) => t.kind === 0).map((t) => smbHeader(t.magic, t.body));
        if (sink.messages.length !== sent.length) throw new Error(`${sink.messages.length} messages delivered, ${sent.length} sent`);
        sink.messages.forEach((m, i) => {
          if (!m.data.equals(sent[i]) || m.truncated || m.afterGap) throw new Error(`message ${i} differs from the one sent`);
        });
        const keepAlives = tokens.filter((t) => t.kind === 1).length;
        if (sink.controls !== keepAlives) throw new Error(`${sink.controls} control messages, ${keepAlives} keep-alives sent`);
      } else {
        for (const m of sink.messages) {
          if (m.data.length && stream.indexOf(m.data) < 0) throw new Error('a delivered message is not bytes of the stream');
        }
      }
    },
  };
}

export const nbssClean = nbssProperty(true);
export const nbssHostile = nbssProperty(false);

export const reassemblyProperties = [netArbitrary, netReal];
export const nbssProperties = [nbssClean, nbssHostile];
