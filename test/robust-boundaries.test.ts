/**
 * One error boundary per room (gopacket's panicToError): every room's entry point is fed garbage —
 * random bytes where it takes bytes, and values of the wrong shape where it takes objects — and no
 * exception may escape it. Where garbage does make the room throw, the boundary must have turned it
 * into a counted fault of that room (RoomFaults), and the room must go on working afterwards.
 * The byte-level depth (real captures mutated layer by layer) is robust-fuzz.test.ts's job.
 */
import t from 'tap';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureParser } from '../src/capture/parser';
import { CaptureCounters } from '../src/capture/counters';
import { NetPipeline } from '../src/net/pipeline';
import { FramePacket } from '../src/shared/packet';
import { Tracker } from '../src/tracker/tracker';
import { Detector } from '../src/detect/detector';
import { createWriter } from '../src/output/writer';
import { AnalysisPipeline } from '../src/cli/pipeline';
import { summaryText } from '../src/cli/summary';
import { metricsSources } from '../src/cli/metrics-sources';
import { DetectBoundary, OutputBoundary, TrackerBoundary } from '../src/cli/room-boundaries';
import { RoomFaults } from '../src/shared/faults';
import { defaultConfig } from '../src/shared/config';
import type { Conn, SmbMessage, StreamSink } from '../src/shared/stream';
import type { LifecycleRecord, OutputRecord } from '../src/shared/records';
import { readCaptures } from '../src/capture/reader';
import { dissectAuth, dissectNbss, dissectSmb1, dissectSmb2 } from './fuzz/layers/dissectors';

const RUNS = 300;
const SEED = 14;
const LAB = path.join(__dirname, '..', 'captures');

/** garbage of any shape: what a confused caller or a corrupted record could hand over */
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.integer(), { maxLength: 4 }),
);

/** the real records of a lab capture (shapes to corrupt) */
async function labRecords(file: string): Promise<OutputRecord[]> {
  const recs: OutputRecord[] = [];
  const p = new AnalysisPipeline(defaultConfig(), { write: (r) => recs.push(structuredClone(r)) });
  const s = await readCaptures([path.join(LAB, file)], p.onPacket);
  if (s.error) throw s.error;
  p.finish();
  return recs;
}

/** a record with one field (at any depth) replaced by junk */
function corrupt(rec: OutputRecord, pick: number, value: unknown): OutputRecord {
  const copy = structuredClone(rec) as unknown as Record<string, unknown>;
  const slots: [Record<string, unknown>, string][] = [];
  const walk = (o: Record<string, unknown>): void => {
    for (const k of Object.keys(o)) {
      slots.push([o, k]);
      const v = o[k];
      if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) walk(v as Record<string, unknown>);
    }
  };
  walk(copy);
  const [o, k] = slots[pick % slots.length];
  o[k] = value;
  return copy as unknown as OutputRecord;
}

t.test('capture: CaptureParser.next never throws; a throw inside becomes damage at the record, counted', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), fc.constantFrom(0xa1b2c3d4, 0xd4c3b2a1, 0x0a0d0d0a, 0x4d3cb2a1, 0), (chunks, magic) => {
      const p = new CaptureParser('garbage');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(magic);
      for (const c of [head, ...chunks.map((a) => Buffer.from(a))]) {
        p.push(c);
        while (p.next()) void p.packet.data;
      }
      p.end();
      return p.counters.faults.total === 0;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // a chunk of the wrong kind (a Uint8Array, not a Buffer) holding a pcapng whose interface has
  // an if_tsoffset: reading the offset calls a Buffer method the chunk lacks
  const idbBody = Buffer.alloc(8 + 12 + 4);
  idbBody.writeUInt16LE(1, 0);
  idbBody.writeUInt16LE(14, 8); // if_tsoffset
  idbBody.writeUInt16LE(8, 10);
  const block = (type: number, body: Buffer): Buffer => {
    const b = Buffer.alloc(12 + body.length);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(b.length, 4);
    body.copy(b, 8);
    b.writeUInt32LE(b.length, b.length - 4);
    return b;
  };
  const shbBody = Buffer.alloc(16, 0xff);
  shbBody.writeUInt32LE(0x1a2b3c4d, 0);
  shbBody.writeUInt16LE(1, 4);
  shbBody.writeUInt16LE(0, 6);
  const bytes = Buffer.concat([block(0x0a0d0d0a, shbBody), block(1, idbBody)]);
  const counters = new CaptureCounters();
  const p = new CaptureParser('wrong-kind', 0, counters);
  p.push(new Uint8Array(bytes) as Buffer);
  t.doesNotThrow(() => t.equal(p.next(), false));
  t.equal(counters.faults.byRoom.get('capture'), 1, 'counted as a capture fault');
  t.match(p.error?.message ?? '', /^wrong-kind: cannot parse this record \(capture: TypeError: .*\) at byte offset 28$/, 'damage at the record');
  t.end();
});

t.test('net: NetPipeline.handle never throws, on random frames or on packets of the wrong shape', (t) => {
  const events: string[] = [];
  const sink: StreamSink = {
    onConnStart: () => events.push('start'),
    keepBytes: (_h, n) => n,
    onSmbMessage: () => events.push('msg'),
    onNbssControl: () => undefined,
    onGap: () => undefined,
    onConnEnd: () => events.push('end'),
    onTime: () => undefined,
  };
  const faults = new RoomFaults();
  const net = new NetPipeline(sink, {}, faults);
  const pkt = new FramePacket(0);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 101, 113, 276, 228, 229, 12345), fc.nat(), (bytes, linktype, sec) => {
      pkt.tsSec = sec;
      pkt.tsNsec = 0;
      pkt.linktype = linktype;
      pkt.data = Buffer.from(bytes);
      pkt.origLen = bytes.length;
      net.handle(pkt);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.equal(faults.total, 0, 'random frames are values (counted drops), not faults');
  let thrown = 0;
  fc.assert(
    fc.property(junk, junk, junk, (data, linktype, ts) => {
      const bad = { data, linktype, tsSec: ts, tsNsec: 0, origLen: 0, sourceIndex: 0 } as never;
      net.handle(bad);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  thrown = faults.byRoom.get('net') ?? 0;
  t.ok(thrown > 0, `${thrown} packets of the wrong shape made net throw: caught and counted`);
  t.same([...faults.byRoom.keys()], ['net'], 'only as net faults');
  t.doesNotThrow(() => net.finish());
  t.end();
});

t.test('dissectors: pure parsers return typed errors on garbage, never throw', (t) => {
  const counts: Record<string, number> = {};
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(0xfe, 0xff, 0xfd, 0xfc, 0x00), (bytes, magic) => {
      const b = Buffer.from(bytes);
      if (b.length >= 4) b.write('SMB', 1, 'latin1');
      if (b.length > 0) b[0] = magic;
      dissectSmb2(b, counts);
      dissectSmb1(b, counts);
      dissectAuth(Buffer.from(bytes), counts);
      dissectNbss(Buffer.from(bytes), counts);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.ok(Object.keys(counts).length > 0, `error reasons met: ${Object.keys(counts).length}`);
  t.end();
});

t.test('tracker: behind TrackerBoundary, garbage messages and connections are counted faults', (t) => {
  const faults = new RoomFaults();
  const recs: LifecycleRecord[] = [];
  const tracker = new Tracker((r) => recs.push(r));
  const sink = new TrackerBoundary(tracker, faults);
  const conn: Conn = { id: 1, clientIp: '10.0.0.1', clientPort: 50000, serverIp: '10.0.0.2', serverPort: 445, startSec: 1, startNsec: 0, dcerpc: false, user: null };
  sink.onConnStart(conn);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0xfe, 0xff, 0xfd, 0xfc), fc.nat(1), (bytes, magic, dir) => {
      const data = Buffer.from(bytes);
      if (data.length >= 4) {
        data[0] = magic;
        data.write('SMB', 1, 'latin1');
      }
      const msg: SmbMessage = { conn, dir: dir as 0 | 1, tsSec: 2, tsNsec: 0, data, length: data.length, truncated: false, afterGap: false };
      sink.onSmbMessage(msg);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.equal(faults.total, 0, 'random SMB bytes are parse errors (values), not faults');
  fc.assert(
    fc.property(junk, junk, junk, (data, c, len) => {
      sink.onSmbMessage({ conn: c, dir: 0, tsSec: 3, tsNsec: 0, data, length: len, truncated: false, afterGap: false } as never);
      sink.onGap(c as never, 0, len as never, 3, 0);
      sink.onNbssControl(c as never, 1, 0x81, data as never, 3, 0);
      sink.keepBytes(data as never, len as never);
      sink.onConnEnd(c as never, 'fin', 3, 0);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const n = faults.byRoom.get('tracker') ?? 0;
  t.ok(n > 0, `${n} calls of the wrong shape made the tracker throw: caught and counted`);
  t.same([...faults.byRoom.keys()], ['tracker']);
  // and it still works: the real connection ends cleanly
  t.doesNotThrow(() => sink.onConnEnd(conn, 'fin', 4, 0));
  t.end();
});

t.test('detect and output: corrupted records are counted faults; no half line is ever written', async (t) => {
  const recs = [...(await labRecords('c-drop-delete.pcap')), ...(await labRecords('psexec-like.pcap')), ...(await labRecords('smb1.pcap'))];
  t.ok(recs.length > 10, `${recs.length} real records to corrupt`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-boundary-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const format of ['ndjson', 'pretty', 'zeek'] as const) {
    const faults = new RoomFaults();
    const file = path.join(dir, `out.${format}`);
    const writer = createWriter({ format, path: file });
    const out = new OutputBoundary(writer, faults);
    const detect = new DetectBoundary(new Detector(defaultConfig(), (a) => out.write(a)), faults);
    let written = 0;
    fc.assert(
      fc.property(fc.nat(recs.length - 1), fc.nat(), junk, (i, pick, value) => {
        const r = corrupt(recs[i], pick, value);
        out.write(r);
        if (r.kind !== 'alert') detect.process(r as LifecycleRecord);
        detect.onTimeAt(value as number, 0);
        // the real record right after: the rooms keep working
        out.write(recs[i]);
        written++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    detect.finish({ sec: 2e9, nsec: 0 });
    await writer.close();
    const text = fs.readFileSync(file, 'utf8');
    t.ok(text.endsWith('\n'), `${format}: ends with a whole line`);
    if (format === 'ndjson') {
      const lines = text.trimEnd().split('\n');
      for (const l of lines) JSON.parse(l);
      t.ok(lines.length >= written, `${format}: ${lines.length} lines, every one whole JSON`);
    }
    const o = faults.byRoom.get('output') ?? 0;
    const d = faults.byRoom.get('detect') ?? 0;
    t.ok(o > 0 && d > 0, `${format}: ${o} output faults, ${d} detect faults caught and counted`);
    t.same([...faults.byRoom.keys()].sort(), ['detect', 'output']);
  }
});

t.test('the pipeline reports faults in the summary counters and metrics, by room', async (t) => {
  // an event writer that fails on one kind of record: the run goes on, the fault is counted
  const recs: OutputRecord[] = [];
  const p = new AnalysisPipeline(defaultConfig(), {
    write: (r) => {
      if (r.kind === 'tree-connect') throw new RangeError('refused');
      recs.push(r);
    },
  });
  const s = await readCaptures([path.join(LAB, 'c-drop-delete.pcap')], p.onPacket, { counters: p.capture });
  t.equal(s.error, null);
  p.finish();
  t.equal(p.faults.byRoom.get('output'), 2, 'both tree connects refused by the writer, counted');
  t.ok(recs.some((r) => r.kind === 'tree-disconnect'), 'the rest was written');
  t.ok(recs.some((r) => r.kind === 'alert'), 'and detection still ran on them');
  t.ok(summaryText(p, { wallSeconds: 1, inputBytes: 0 }).includes('\n  faults       output=2\n'), 'summary line');
  t.same([...metricsSources(p, () => 0).faults()], [['output', 2]], 'metric source');
});
