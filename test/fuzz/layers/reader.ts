/**
 * src/capture: CaptureParser on arbitrary bytes behind real magics and on mutated corpus files,
 * fed in random chunkings. No throw, ends, packets sane (caplen bounded, ns < 1e9), damage is a
 * CaptureError with an offset inside the input, and the chunking never changes the result.
 */
import fc from 'fast-check';
import { CaptureParser, MAX_CAPLEN } from '../../../src/capture/parser';
import { CaptureError } from '../../../src/capture/errors';
import { bump, type FuzzProperty } from '../harness';
import { mutate, type Mutation } from '../checks';
import { corpusSeeds, mutationArb } from '../seeds';
import { writeCapture } from '../pcap-rewrite';

interface Parsed {
  sig: string[];
  error: string | null;
  errorOffset: number;
}

const MAGICS = [
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
  [0x0a, 0x0d, 0x0d, 0x0a],
];

/** Parse `bytes` in chunks cut at `cuts` (fractions), checking every packet as it comes. */
export function parseChunked(bytes: Buffer, cuts: number[], counts: Record<string, number>): Parsed {
  const p = new CaptureParser('fuzz');
  const sig: string[] = [];
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  let from = 0;
  const drain = (): void => {
    // each packet needs at least a 16-byte record (pcapng: 12-byte block), so this bounds the loop
    for (let guard = 0; p.next(); guard++) {
      if (guard > bytes.length) throw new Error('next() returned true more often than the input has records');
      const k = p.packet;
      if (!Buffer.isBuffer(k.data) || k.data.length > MAX_CAPLEN) throw new Error('caplen ' + k.data.length);
      if (!Number.isInteger(k.tsSec) || !Number.isInteger(k.tsNsec) || k.tsNsec < 0 || k.tsNsec >= 1e9) {
        throw new Error(`timestamp ${k.tsSec}.${k.tsNsec}`);
      }
      if (!Number.isInteger(k.linktype) || k.linktype < 0 || !Number.isFinite(k.origLen)) throw new Error('linktype/origLen');
      sig.push(`${k.tsSec}.${k.tsNsec}/${k.linktype}/${k.origLen}/${k.data.toString('latin1')}`);
    }
  };
  for (const at of [...points, bytes.length]) {
    if (at <= from) continue;
    p.push(bytes.subarray(from, at));
    from = at;
    drain();
  }
  p.end();
  drain();
  if (p.packets !== sig.length) throw new Error(`packets counter ${p.packets} != delivered ${sig.length}`);
  const e = p.error;
  if (e !== null) {
    if (!(e instanceof CaptureError)) throw new Error('error is not a CaptureError');
    if (!Number.isFinite(e.offset) || e.offset < 0 || e.offset > bytes.length) throw new Error('error offset ' + e.offset);
    bump(counts, 'captureErrors');
  }
  bump(counts, 'packets', sig.length);
  return { sig, error: e ? e.message : null, errorOffset: e ? e.offset : -1 };
}

function sameResult(a: Parsed, b: Parsed): void {
  if (a.sig.length !== b.sig.length) throw new Error(`chunking changed the packet count: ${a.sig.length} vs ${b.sig.length}`);
  for (let i = 0; i < a.sig.length; i++) if (a.sig[i] !== b.sig[i]) throw new Error('chunking changed packet ' + i);
  // the same damage at the same offset (the wording may name the record as seen so far)
  if ((a.error === null) !== (b.error === null) || a.errorOffset !== b.errorOffset) {
    throw new Error(`chunking changed the error: ${a.error} vs ${b.error}`);
  }
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

/** A structurally valid capture of random frames (classic or pcapng), to be damaged. */
const builtArb = fc
  .record({
    frames: fc.array(fc.record({ ts: fc.nat(), ns: fc.nat(999_999_999), data: fc.uint8Array({ maxLength: 80 }), extra: fc.nat(3) }), { maxLength: 8 }),
    links: fc.array(fc.constantFrom(1, 101, 113, 276, 0), { minLength: 1, maxLength: 3 }),
    m: mutationArb(4),
  })
  .map(({ frames, links, m }) => {
    const pk = frames.map((f, i) => ({ tsSec: f.ts, tsNsec: f.ns, linktype: links[i % links.length], data: Buffer.from(f.data), origLen: f.data.length + f.extra }));
    return mutate(writeCapture(pk), m);
  });

export const readerBuilt: FuzzProperty<{ bytes: Buffer; cuts: number[] }> = {
  layer: 'reader',
  name: 'built pcap/pcapng files of random frames with lying lengths and flips, any chunking',
  weight: 2,
  arbitrary: () => fc.record({ bytes: builtArb, cuts: cutsArb }),
  check({ bytes, cuts }, counts) {
    sameResult(parseChunked(bytes, cuts, counts), parseChunked(bytes, [], counts));
  },
};

export const readerArbitrary: FuzzProperty<{ head: number[]; tail: Uint8Array; cuts: number[] }> = {
  layer: 'reader',
  name: 'arbitrary bytes behind pcap/pcapng magics, any chunking',
  weight: 2,
  arbitrary: () =>
    fc.record({
      head: fc.oneof(fc.constantFrom(...MAGICS), fc.array(fc.nat(255), { maxLength: 4 })),
      tail: fc.uint8Array({ maxLength: 600 }),
      cuts: cutsArb,
    }),
  check({ head, tail, cuts }, counts) {
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from(tail)]);
    sameResult(parseChunked(bytes, cuts, counts), parseChunked(bytes, [], counts));
  },
};

export const readerMutated: FuzzProperty<{ file: number; m: Mutation; cuts: number[] }> = {
  layer: 'reader',
  name: 'mutated corpus files (bit flips, length lies, insertions, truncation), any chunking',
  arbitrary: () => {
    const n = corpusSeeds().files.length;
    return fc.record({ file: fc.nat(n - 1), m: mutationArb(10), cuts: cutsArb });
  },
  check({ file, m, cuts }, counts) {
    const src = corpusSeeds().files[file].bytes;
    // keep mutated files small: the first 64 KB of a seed exercise every record kind it has
    const bytes = mutate(src.subarray(0, 65536), m);
    sameResult(parseChunked(bytes, cuts, counts), parseChunked(bytes, [], counts));
  },
};

export const readerProperties = [readerArbitrary, readerBuilt, readerMutated];
