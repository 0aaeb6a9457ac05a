/**
 * pcapng features the corpus lacks, built at test time from real packets and checked against
 * tshark reading the same file: two sections in opposite byte orders, several interfaces with
 * different link types, if_tsresol in both forms (2^-20 and 10^-9), if_tsoffset, EPB, SPB
 * (snaplen of interface 0), OPB, and blocks to skip (name resolution, statistics, custom).
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCaptures } from '../src/capture/reader';
import type { CapturedPacket } from '../src/shared/packet';
import { corpusFile, parseEpoch, run } from './helpers/corpus';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-pcapng-'));
t.teardown(() => process.env.KEEP ? undefined : fs.rmSync(tmp, { recursive: true, force: true }));

interface Pkt {
  sec: number;
  nsec: number;
  data: Buffer;
  orig: number;
}

async function packets(file: string, max: number): Promise<Pkt[]> {
  const out: Pkt[] = [];
  await readCaptures([file], (p: CapturedPacket) => {
    if (out.length < max) out.push({ sec: p.tsSec, nsec: p.tsNsec, data: Buffer.from(p.data), orig: p.origLen });
  });
  return out;
}

/** Minimal pcapng writer in a chosen byte order. */
class Writer {
  parts: Buffer[] = [];
  constructor(private le: boolean) {}
  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
    return b;
  }
  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0);
    return b;
  }
  pad(b: Buffer): Buffer {
    return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  }
  option(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), this.pad(value)]);
  }
  block(type: number, body: Buffer): void {
    const len = 12 + body.length;
    this.parts.push(Buffer.concat([this.u32(type), this.u32(len), body, this.u32(len)]));
  }
  shb(): void {
    const bom = this.u32(0x1a2b3c4d);
    this.block(0x0a0d0d0a, Buffer.concat([bom, this.u16(1), this.u16(0), Buffer.alloc(8, 0xff)]));
  }
  idb(linktype: number, snaplen: number, opts: Buffer[]): void {
    this.block(1, Buffer.concat([this.u16(linktype), this.u16(0), this.u32(snaplen), ...opts, this.u32(0)]));
  }
  /** units: 64-bit count as bigint */
  epb(iface: number, units: bigint, p: Pkt): void {
    const hi = Number(units >> 32n);
    const lo = Number(units & 0xffffffffn);
    this.block(6, Buffer.concat([this.u32(iface), this.u32(hi), this.u32(lo), this.u32(p.data.length), this.u32(p.orig), this.pad(p.data)]));
  }
  opb(iface: number, units: bigint, p: Pkt): void {
    const hi = Number(units >> 32n);
    const lo = Number(units & 0xffffffffn);
    this.block(2, Buffer.concat([this.u16(iface), this.u16(0), this.u32(hi), this.u32(lo), this.u32(p.data.length), this.u32(p.orig), this.pad(p.data)]));
  }
  spb(p: Pkt): void {
    this.block(3, Buffer.concat([this.u32(p.orig), this.pad(p.data)]));
  }
}

const ns = (p: Pkt): bigint => BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec);

t.test('multi-section, multi-interface pcapng agrees with tshark', async (t) => {
  const eth = await packets(corpusFile('zeek/smb2.pcap'), 40);
  const sll = await packets(corpusFile('suricata-verify/output-eve-smb-01.pcap'), 10);
  // section 1, big-endian: Ethernet at 2^-20 s, Linux SLL at µs with if_tsoffset +1000 s
  const be = new Writer(false);
  be.shb();
  be.idb(1, 0, [be.option(9, Buffer.from([0x80 | 20]))]);
  const off = Buffer.alloc(8);
  off.writeBigInt64BE(-1000n);
  be.idb(113, 262144, [be.option(9, Buffer.from([6])), be.option(14, off)]);
  be.block(4, Buffer.concat([be.u16(0), be.u16(0)])); // name resolution: end of records
  for (let i = 0; i < 20; i++) {
    be.epb(0, (ns(eth[i]) << 20n) / 1_000_000_000n, eth[i]);
    if (i < sll.length) be.epb(1, ns(sll[i]) / 1000n + 1_000_000_000n, sll[i]); // +1000 s, undone by if_tsoffset -1000
    if (i === 5) be.block(0x00000bad, Buffer.concat([be.u32(32473), Buffer.from('skip')])); // custom block
  }
  be.block(5, Buffer.concat([be.u32(0), be.u32(0), be.u32(0)])); // interface statistics
  // section 2, little-endian: Ethernet at ns (snaplen 128 for the SPB), packets via EPB, OPB, SPB
  const le = new Writer(true);
  le.shb();
  le.idb(1, 128, [le.option(9, Buffer.from([9]))]);
  for (let i = 20; i < 40; i++) {
    if (i % 3 === 0) le.opb(0, ns(eth[i]), { ...eth[i], data: eth[i].data.subarray(0, Math.min(128, eth[i].data.length)) });
    else if (i % 3 === 1) le.spb({ ...eth[i], data: eth[i].data.subarray(0, Math.min(128, eth[i].data.length)) });
    else le.epb(0, ns(eth[i]), { ...eth[i], data: eth[i].data.subarray(0, Math.min(128, eth[i].data.length)) });
  }
  const file = path.join(tmp, 'two-sections.pcapng');
  fs.writeFileSync(file, Buffer.concat([...be.parts, ...le.parts]));

  const ours: { ts: [number, number]; cap: number; len: number; lt: number; data: Buffer }[] = [];
  const s = await readCaptures([file], (p) => ours.push({ ts: [p.tsSec, p.tsNsec], cap: p.data.length, len: p.origLen, lt: p.linktype, data: Buffer.from(p.data) }));
  t.equal(s.error, null, 'reads without error');
  t.equal(s.files[0].format, 'pcapng');
  t.same(s.files[0].linktypes, [1, 113], 'both link types seen');
  const out = await run('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.encap_type', '-e', 'frame.interface_id']);
  // tshark also lists the custom block as a record (no interface, 4 bytes): not a packet
  const all = out.trim().split('\n');
  const rows = all.filter((r) => r.split('|')[4] !== '');
  t.equal(all.length - rows.length, 1, 'tshark shows the custom block as a non-packet record');
  t.equal(ours.length, rows.length, `${rows.length} packets`);
  let tsCompared = 0;
  for (let i = 0; i < rows.length; i++) {
    const [time, cap, len] = rows[i].split('|');
    t.equal(ours[i].cap, Number(cap), `packet ${i + 1} caplen`);
    t.equal(ours[i].len, Number(len), `packet ${i + 1} length`);
    // SPBs carry no time stamp (ours: 0); tshark shows none either
    if (time !== '') {
      t.same(ours[i].ts, parseEpoch(time), `packet ${i + 1} time ${time}`);
      tsCompared++;
    } else t.same(ours[i].ts, [0, 0], `packet ${i + 1}: SPB without time`);
  }
  t.ok(tsCompared >= 35, `${tsCompared} timestamps compared`);
  // 2^-20 resolution truncates; µs with offset and ns are exact
  const ethAt = ours.filter((o) => o.lt === 1);
  t.same(ethAt[0].ts[0], eth[0].sec, 'power-of-two resolution keeps the seconds');
  t.ok(Math.abs(ethAt[0].ts[1] - eth[0].nsec) < 1000, 'and the fraction within 2^-20 s');
  const sllAt = ours.filter((o) => o.lt === 113);
  t.same(sllAt.map((o) => o.ts), sll.map((p) => [p.sec, p.nsec]), 'if_tsoffset applied');
  const spb = ours.filter((o) => o.ts[0] === 0);
  t.ok(spb.length > 0 && spb.every((o) => o.cap <= 128), 'SPB captured length bounded by the snaplen of interface 0');
});

t.test('an if_tsoffset that puts packets before year 0000 is damage at the first such block', async (t) => {
  const eth = await packets(corpusFile('zeek/smb2.pcap'), 3);
  const w = new Writer(true);
  w.shb();
  // interface 0 as recorded; interface 1 shifted 70e9 s back (year ~ -248: no ISO 8601 date)
  w.idb(1, 0, [w.option(9, Buffer.from([9]))]);
  const back = Buffer.alloc(8);
  back.writeBigInt64LE(-70_000_000_000n);
  w.idb(1, 0, [w.option(9, Buffer.from([9])), w.option(14, back)]);
  w.epb(0, ns(eth[0]), eth[0]);
  w.epb(0, ns(eth[1]), eth[1]);
  const at = Buffer.concat(w.parts).length;
  w.epb(1, ns(eth[2]), eth[2]);
  const file = path.join(tmp, 'negative-year.pcapng');
  fs.writeFileSync(file, Buffer.concat(w.parts));
  const got: number[] = [];
  const s = await readCaptures([file], (p) => got.push(p.tsSec));
  t.same(got, [eth[0].sec, eth[1].sec], 'the packets before it');
  t.equal(s.error?.offset, at, 'at the block');
  t.match(s.error?.message ?? '', /packet timestamp -\d+ s is outside the years 0000-9999/);
});
