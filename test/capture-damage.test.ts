/**
 * Damaged inputs made from real captures at test time: every packet before the damage is
 * delivered (byte-identical to the intact file), then one CaptureError names the file and the
 * byte offset of the damaged record. Also: stdin, merge order against mergecap, abort, and random
 * mutations that must never hang or throw.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readCaptures, type ReadSummary } from '../src/capture/reader';
import { corpusFile, run } from './helpers/corpus';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-damage-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PCAP = corpusFile('zeek/smb2.pcap'); // classic, little-endian µs, snaplen 65535
const PCAPNG = corpusFile('zeek/smb2-zero-byte-error-ioctl.pcapng');

interface Got {
  s: ReadSummary;
  frames: Buffer[];
}

async function read(file: string | string[], chunkSize?: number): Promise<Got> {
  const frames: Buffer[] = [];
  const s = await readCaptures(Array.isArray(file) ? file : [file], (p) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(p.tsSec >>> 0, 0);
    h.writeUInt32LE(p.tsNsec, 4);
    frames.push(Buffer.concat([h, p.data]));
  }, { chunkSize });
  return { s, frames };
}

function write(name: string, bytes: Buffer): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** Byte offsets of the classic pcap records (walked independently of the reader). */
function pcapRecords(b: Buffer): number[] {
  const offs: number[] = [];
  for (let o = 24; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8)) offs.push(o);
  return offs;
}

/** Offsets and types of the pcapng blocks (little-endian file). */
function pcapngBlocks(b: Buffer): { off: number; type: number }[] {
  const out: { off: number; type: number }[] = [];
  for (let o = 0; o + 12 <= b.length; o += b.readUInt32LE(o + 4)) out.push({ off: o, type: b.readUInt32LE(o) });
  return out;
}

const original = fs.readFileSync(PCAP);
const records = pcapRecords(original);
const ngOriginal = fs.readFileSync(PCAPNG);
const blocks = pcapngBlocks(ngOriginal);

t.test('intact inputs read cleanly', async (t) => {
  t.equal(records.length, 1178);
  const a = await read(PCAP);
  t.equal(a.s.error, null);
  t.equal(a.frames.length, 1178);
  t.equal(ngOriginal.readUInt32LE(8), 0x1a2b3c4d, 'the pcapng sample is little-endian');
});

async function expectDamage(
  t: Test,
  file: string,
  expect: { packets: number; offset: number; reason: RegExp; reference: Buffer[] },
): Promise<void> {
  for (const cs of [undefined, 13]) {
    const g = await read(file, cs);
    const label = `${path.basename(file)}${cs ? ` (${cs}-byte reads)` : ''}`;
    t.ok(g.s.error, `${label}: error reported`);
    t.equal(g.s.error?.offset, expect.offset, `${label}: at byte offset ${expect.offset}`);
    t.equal(g.s.error?.file, file, `${label}: names the file`);
    t.match(g.s.error?.message ?? '', expect.reason, `${label}: ${g.s.error?.message}`);
    t.match(g.s.error?.message ?? '', new RegExp(`byte offset ${expect.offset}$`), `${label}: message ends with the offset`);
    t.equal(g.frames.length, expect.packets, `${label}: ${expect.packets} packets before the damage`);
    t.ok(g.frames.every((f, i) => f.equals(expect.reference[i])), `${label}: delivered packets are the intact ones`);
  }
}

t.test('classic pcap damage', async (t) => {
  const ref = (await read(PCAP)).frames;
  const k = 500;
  // cut inside the record header and inside the packet bytes; capinfos agrees on the count
  for (const into of [10, 40]) {
    const f = write(`cut-${into}.pcap`, original.subarray(0, records[k] + into));
    await expectDamage(t, f, { packets: k, offset: records[k], reason: /input ends \d+ bytes into/, reference: ref });
    const ci = await run('capinfos', ['-T', '-r', '-c', '-M', f], { allowFail: true });
    t.equal(Number(ci.trim().split('\t')[1]), k, 'capinfos counts the same packets before the cut');
  }
  // a cut on a record boundary is a complete (shorter) file
  const clean = await read(write('cut-boundary.pcap', original.subarray(0, records[k])));
  t.equal(clean.s.error, null);
  t.equal(clean.frames.length, k);
  // inside the file header, and empty
  await expectDamage(t, write('cut-header.pcap', original.subarray(0, 10)), { packets: 0, offset: 0, reason: /file header/, reference: ref });
  await expectDamage(t, write('empty.pcap', Buffer.alloc(0)), { packets: 0, offset: 0, reason: /empty input/, reference: ref });
  // flipped magic
  const flipped = Buffer.from(original);
  flipped[0] ^= 0xff;
  await expectDamage(t, write('magic.pcap', flipped), { packets: 0, offset: 0, reason: /not a pcap or pcapng file/, reference: ref });
  // caplen lies: absurd, and just above the 256 KiB maximum (above the snaplen alone is not
  // damage: see 'caplen above the snaplen' below)
  for (const [name, caplen] of [['huge', 0x7fffffff], ['max', 262145]] as const) {
    const lie = Buffer.from(original);
    lie.writeUInt32LE(caplen, records[k] + 8);
    await expectDamage(t, write(`caplen-${name}.pcap`, lie), { packets: k, offset: records[k], reason: new RegExp(`claims ${caplen} captured bytes`), reference: ref });
  }
});

t.test('pcapng damage', async (t) => {
  const ref = (await read(PCAPNG)).frames;
  const epbs = blocks.filter((b) => b.type === 6);
  t.equal(epbs.length, ref.length, 'one EPB per packet');
  const k = 100;
  const at = epbs[k].off;
  const lie = (name: string, mutate: (b: Buffer) => void): string => {
    const b = Buffer.from(ngOriginal);
    mutate(b);
    return write(`${name}.pcapng`, b);
  };
  await expectDamage(t, lie('len-odd', (b) => b.writeUInt32LE(b.readUInt32LE(at + 4) + 2, at + 4)), {
    packets: k, offset: at, reason: /not a multiple of 4/, reference: ref,
  });
  await expectDamage(t, lie('len-small', (b) => b.writeUInt32LE(8, at + 4)), { packets: k, offset: at, reason: /invalid length 8/, reference: ref });
  await expectDamage(t, lie('trailer', (b) => b.writeUInt32LE(4, at + b.readUInt32LE(at + 4) - 4)), {
    packets: k, offset: at, reason: /trailing length 4 differs/, reference: ref,
  });
  // a longer length points the trailer check at other bytes
  await expectDamage(t, lie('len-longer', (b) => b.writeUInt32LE(b.readUInt32LE(at + 4) + 4, at + 4)), {
    packets: k, offset: at, reason: /trailing length/, reference: ref,
  });
  await expectDamage(t, lie('caplen', (b) => b.writeUInt32LE(0x00ffffff, at + 20)), { packets: k, offset: at, reason: /claims 16777215 captured bytes/, reference: ref });
  await expectDamage(t, write('cut.pcapng', ngOriginal.subarray(0, at + 50)), { packets: k, offset: at, reason: /input ends 50 bytes into/, reference: ref });
  await expectDamage(t, lie('bom', (b) => b.writeUInt32LE(0x12345678, 8)), { packets: 0, offset: 0, reason: /byte-order magic/, reference: ref });
});

t.test('caplen above the snaplen (within 256 KiB) is read and counted, as tcpdump and tshark do', async (t) => {
  const ref = (await read(PCAP)).frames;
  // classic: the file header says 128, the records keep their full length (writers disagreeing)
  const small = Buffer.from(original);
  small.writeUInt32LE(128, 16);
  const over = records.filter((o) => original.readUInt32LE(o + 8) > 128).length;
  t.ok(over > 500, `${over} records above 128 bytes`);
  // pcapng: the interface's snaplen lowered the same way
  const idb = blocks.find((b) => b.type === 1)!;
  const ng = Buffer.from(ngOriginal);
  ng.writeUInt32LE(128, idb.off + 12);
  const ngRef = (await read(PCAPNG)).frames;
  const ngOver = ngRef.filter((f) => f.length - 8 > 128).length;
  t.ok(ngOver > 0, `${ngOver} pcapng packets above 128 bytes`);
  for (const [file, want, count] of [
    [write('snaplen-128.pcap', small), ref, over],
    [write('snaplen-128.pcapng', ng), ngRef, ngOver],
  ] as const) {
    for (const cs of [undefined, 13]) {
      const g = await read(file, cs);
      const label = `${path.basename(file)}${cs ? ` (${cs}-byte reads)` : ''}`;
      t.equal(g.s.error, null, `${label}: no error`);
      t.equal(g.frames.length, want.length, `${label}: every packet`);
      t.ok(g.frames.every((f, i) => f.equals(want[i])), `${label}: identical to the intact file`);
      t.equal(g.s.files[0].recordsOverSnaplen, count, `${label}: ${count} counted`);
    }
  }
  // tshark reads the classic one whole too
  const n = (await run('tshark', ['-r', path.join(tmp, 'snaplen-128.pcap'), '-T', 'fields', '-e', 'frame.number'])).trim().split('\n').length;
  t.equal(n, ref.length, 'tshark reads every record');
});

t.test('pcapng timestamps outside years 0000-9999 are damage at their block', async (t) => {
  const ref = (await read(PCAPNG)).frames;
  const epbs = blocks.filter((b) => b.type === 6);
  const k = 7;
  const at = epbs[k].off;
  // the file counts µs (no if_tsresol): a high word of 0x03a00000 is ~2.6e11 s (year ~10250, which
  // a Date still holds but ISO 8601's four digits do not), 0xffffffff is beyond any Date
  for (const [name, hi] of [['year-10250', 0x03a00000], ['beyond-date', 0xffffffff]] as const) {
    const b = Buffer.from(ngOriginal);
    b.writeUInt32LE(hi, at + 12);
    const f = write(`ts-${name}.pcapng`, b);
    for (const cs of [undefined, 13]) {
      const g = await read(f, cs);
      t.equal(g.s.error?.offset, at, `${name}: at the block's offset`);
      t.match(g.s.error?.message ?? '', /outside the years 0000-9999/, `${name}: ${g.s.error?.message}`);
      t.equal(g.frames.length, k, `${name}: ${k} packets before it`);
      t.ok(g.frames.every((fr, i) => fr.equals(ref[i])), `${name}: delivered packets are the intact ones`);
    }
  }
});

t.test('gzip damage', async (t) => {
  const ref = (await read(PCAP)).frames;
  const gz = gzipSync(original);
  const whole = await read(write('whole.pcap.gz', gz));
  t.equal(whole.s.error, null);
  t.equal(whole.frames.length, 1178);
  t.ok(whole.s.files[0].gzip);
  t.equal(whole.s.files[0].decompressedBytes, original.length);
  t.equal(whole.s.bytes, gz.length, 'bytes counts the compressed input');
  // truncated: the packets whose bytes were fully inflated are delivered, the error points at the
  // first record the stream could not complete
  const cut = await read(write('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));
  const n = cut.frames.length;
  t.ok(n > 100 && n < 1178, `${n} packets before the cut`);
  t.match(cut.s.error?.message ?? '', /truncated gzip stream/);
  t.equal(cut.s.error?.offset, records[n], 'offset of the first incomplete record');
  t.ok(cut.frames.every((f, i) => f.equals(ref[i])));
  // corrupted deflate data
  const bad = Buffer.from(gz);
  for (let i = 0; i < 64; i++) bad[Math.floor(gz.length / 2) + i] ^= 0x5a;
  const c = await read(write('corrupt.pcap.gz', bad));
  t.ok(c.s.error, `corrupt gzip: ${c.s.error?.message}`);
  // deflate may emit some garbage before it notices; the start of the file is intact
  t.ok(c.frames.length < 1178, `${c.frames.length} packets delivered`);
  t.ok(c.frames.slice(0, 200).every((f, i) => f.equals(ref[i])), 'packets well before the corruption are intact');
});

t.test('stdin: plain and gzip, same packets as the file', async (t) => {
  const ref = (await read(PCAP)).frames;
  for (const [name, bytes] of [['plain', original], ['gzip', gzipSync(original)]] as const) {
    const p = write(`stdin-${name}`, bytes);
    const frames: Buffer[] = [];
    const s = await readCaptures(['-'], (pk) => {
      const h = Buffer.alloc(8);
      h.writeUInt32LE(pk.tsSec >>> 0, 0);
      h.writeUInt32LE(pk.tsNsec, 4);
      frames.push(Buffer.concat([h, pk.data]));
    }, { stdin: fs.createReadStream(p, { highWaterMark: 4000 }) });
    t.equal(s.error, null, name);
    t.equal(s.files[0].gzip, name === 'gzip');
    t.equal(frames.length, ref.length);
    t.ok(frames.every((f, i) => f.equals(ref[i])), `${name}: identical packets`);
  }
});

t.test('several files merge in timestamp order like mergecap, ties in input order', async (t) => {
  // these two share most timestamps (one is the other with a frame removed): ties everywhere
  const a = corpusFile('suricata-verify/smb2-01.pcap');
  const b = corpusFile('suricata-verify/smb2-frames-gap-payload-logging.pcap');
  const c = corpusFile('zeek/smb_many_open_files_500.pcap.gz');
  const d = corpusFile('zeek/smb2-zero-byte-error-ioctl.pcapng');
  const merged = path.join(tmp, 'merged.pcapng');
  await run('mergecap', ['-w', merged, a, b, c, d]);
  const ref = await read(merged);
  const ours = await read([a, b, c, d]);
  t.equal(ours.s.error, null);
  t.equal(ours.frames.length, ref.frames.length);
  t.ok(ours.frames.every((f, i) => f.equals(ref.frames[i])), 'same sequence as mergecap');
  const idx = new Set<number>();
  await readCaptures([a, b], (p) => void idx.add(p.sourceIndex));
  t.same([...idx].sort(), [0, 1], 'sourceIndex tells the inputs apart');
  // damage in the second input stops the merge at that point
  const cut = write('merge-cut.pcap', original.subarray(0, records[10] + 5));
  const m = await read([a, cut]);
  t.equal(m.s.error?.offset, records[10]);
  t.equal(m.s.error?.file, cut);
});

t.test('abort stops after the current packet; a missing file is an error value', async (t) => {
  const ac = new AbortController();
  let n = 0;
  const s = await readCaptures([PCAP], () => {
    if (++n === 10) ac.abort();
  }, { signal: ac.signal });
  t.equal(n, 10);
  t.ok(s.aborted);
  t.equal(s.error, null);
  const miss = await readCaptures([path.join(tmp, 'nope.pcap')], () => undefined);
  t.match(miss.error?.message ?? '', /no such file at byte offset 0/);
});

t.test('random damage never hangs or throws', async (t) => {
  const small = fs.readFileSync(corpusFile('zeek/smb1_transaction_request.pcap'));
  const ngSmall = ngOriginal.subarray(0, blocks[12].off);
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.integer({ min: 1, max: 5000 }),
      async (ng, flips, cutAt, chunk) => {
        const src = ng ? ngSmall : small;
        const b = Buffer.from(src);
        for (const [pos, v] of flips) b[pos % b.length] = v;
        const file = write('fuzz.bin', b.subarray(0, b.length - (cutAt % 3 === 0 ? cutAt % b.length : 0)));
        let n = 0;
        const s = await readCaptures([file], (p) => {
          n++;
          if (p.data.length > 262144 || p.tsNsec >= 1e9 || p.tsNsec < 0) throw new Error('bad packet');
        }, { chunkSize: chunk });
        return s.packets === n && (s.error === null || (s.error.offset >= 0 && s.error.offset <= b.length));
      },
    ),
    { numRuns: 300, seed: 42 },
  );
  t.pass('300 mutated captures read to an end');
});
