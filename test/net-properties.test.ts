/**
 * Property tests of reassembly + framing on real streams (fast-check):
 * - any re-segmentation, reordering, duplication and overlap of a real connection's bytes yields
 *   exactly the messages of the reference framing (first-seen-wins makes copies harmless);
 * - random drops yield an in-order subset of those messages, each byte-identical to its
 *   original: never a garbled or spliced message.
 */
import t from 'tap';
import fc from 'fast-check';
import { TcpEngine } from '../src/net/tcp-engine';
import { formatIp } from '../src/net/decode';
import type { Conn, Direction, SmbMessage, StreamSink } from '../src/shared/stream';
import type { DecodedPacket } from '../src/net/decoded-packet';
import { loadConn, packetFor, referenceMessages, type Piece, type RealConn } from './helpers/net-streams';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cut a stream into pieces: mostly MSS-like, sometimes tiny (1..8 bytes) to split headers. */
function cut(dir: 0 | 1, len: number, r: () => number): Piece[] {
  const out: Piece[] = [];
  let off = 0;
  while (off < len) {
    const x = r();
    const n = x < 0.2 ? 1 + Math.floor(r() * 8) : x < 0.6 ? 1 + Math.floor(r() * 300) : 1 + Math.floor(r() * 3000);
    const m = Math.min(n, len - off);
    out.push({ dir, off, len: m });
    off += m;
  }
  return out;
}

function shuffle<T>(xs: T[], r: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const tmp = xs[i];
    xs[i] = xs[j];
    xs[j] = tmp;
  }
}

class Collect implements StreamSink {
  msgs: [Buffer[], Buffer[]] = [[], []];
  gaps = 0;
  onConnStart(_c: Conn): void {}
  keepBytes(_h: Buffer, total: number): number { return total; }
  onSmbMessage(m: SmbMessage): void { this.msgs[m.dir].push(Buffer.from(m.data)); }
  onNbssControl(): void {}
  onGap(_c: Conn, _d: Direction, _n: number): void { this.gaps++; }
  onConnEnd(): void {}
  onTime(): void {}
}

function replay(c: RealConn, pieces: Piece[]): { sink: Collect; engine: TcpEngine } {
  const sink = new Collect();
  const engine = new TcpEngine(sink, { maxOooBytesPerFlow: 1 << 30, maxOooBytesTotal: 1 << 30 }, formatIp);
  const pkts: DecodedPacket[] = [packetFor(c, 0, 0, 0, 0x02), packetFor(c, 1, 0, 0, 0x12)];
  for (const p of pieces) pkts.push(packetFor(c, p.dir, p.off, p.len, 0x08));
  for (const d of pkts) {
    engine.advanceTime(1000, 0);
    engine.handleDecoded(d);
  }
  engine.finish();
  return { sink, engine };
}

function isSubsequence(got: Buffer[], ref: Buffer[]): boolean {
  let j = 0;
  for (const g of got) {
    while (j < ref.length && !ref[j].equals(g)) j++;
    if (j === ref.length) return false;
    j++;
  }
  return true;
}

const CONNS: [string, number][] = [
  ['zeek/smb2.pcap', 49208], // 1.5 MB of WRITE requests client→server
  ['suricata-verify/smb2-05.pcap', 1112], // 840 kB in one direction, many segments per message
];

t.test('real streams: reference framing sanity', async (t) => {
  for (const [file, port] of CONNS) {
    const c = await loadConn(file, port);
    const ref = [referenceMessages(c.streams[0]), referenceMessages(c.streams[1])];
    t.ok(ref[0].length > 10 && ref[1].length > 10, `${file}: ${ref[0].length}/${ref[1].length} messages`);
    // in-order, one piece per message boundary-agnostic cut: identical
    const { sink } = replay(c, cut(0, c.streams[0].length, rng(1)).concat(cut(1, c.streams[1].length, rng(2))));
    t.same(sink.msgs.map((m) => m.length), ref.map((m) => m.length), 'in-order replay: same message count');
  }
});

t.test('reorder / duplicate / overlap / re-segment: the same messages', async (t) => {
  for (const [file, port] of CONNS) {
    const c = await loadConn(file, port);
    const ref = [referenceMessages(c.streams[0]), referenceMessages(c.streams[1])];
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.boolean(), (seed, dupRate, fullShuffle) => {
        const r = rng(seed);
        const pieces = cut(0, c.streams[0].length, r).concat(cut(1, c.streams[1].length, r));
        const extra: Piece[] = [];
        for (const p of pieces) {
          if (r() < dupRate) extra.push({ ...p }); // exact duplicate
          if (r() < dupRate) {
            // an overlapping copy: same bytes, different boundaries
            const len = c.streams[p.dir].length;
            const off = Math.max(0, p.off - Math.floor(r() * 2000));
            extra.push({ dir: p.dir, off, len: Math.min(len - off, 1 + Math.floor(r() * 4000)) });
          }
        }
        const all = pieces.concat(extra);
        if (fullShuffle) shuffle(all, r);
        else {
          // local reordering, as on a real network: swap within a small window
          for (let i = 0; i + 1 < all.length; i++) if (r() < 0.3) { const j = Math.min(all.length - 1, i + 1 + Math.floor(r() * 8)); const tmp = all[i]; all[i] = all[j]; all[j] = tmp; }
        }
        const { sink } = replay(c, all);
        for (const d of [0, 1] as const) {
          if (sink.msgs[d].length !== ref[d].length) return false;
          for (let i = 0; i < ref[d].length; i++) if (!sink.msgs[d][i].equals(ref[d][i])) return false;
        }
        return sink.gaps === 0;
      }),
      { numRuns: 15 },
    );
    t.pass(`${file}: ${ref[0].length + ref[1].length} messages identical under every tried reordering`);
  }
});

t.test('random drops: an in-order subset, never a garbled message', async (t) => {
  for (const [file, port] of CONNS) {
    const c = await loadConn(file, port);
    const ref = [referenceMessages(c.streams[0]), referenceMessages(c.streams[1])];
    let delivered = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.005, max: 0.3, noNaN: true }), (seed, dropRate) => {
        const r = rng(seed);
        const pieces = cut(0, c.streams[0].length, r).concat(cut(1, c.streams[1].length, r));
        const kept = pieces.filter(() => r() >= dropRate);
        for (let i = 0; i + 1 < kept.length; i++) if (r() < 0.2) { const tmp = kept[i]; kept[i] = kept[i + 1]; kept[i + 1] = tmp; }
        const { sink } = replay(c, kept);
        for (const d of [0, 1] as const) {
          if (!isSubsequence(sink.msgs[d], ref[d])) return false;
          delivered += sink.msgs[d].length;
          total += ref[d].length;
        }
        return kept.length === pieces.length || sink.gaps > 0;
      }),
      { numRuns: 15 },
    );
    t.ok(delivered > 0, `${file}: ${delivered} of ${total} messages survived the drops, all byte-identical and in order`);
  }
});
