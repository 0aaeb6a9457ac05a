/**
 * Link types the corpus lacks (SLL2, RAW, IPv4, BSD NULL in both byte orders, LOOP), made at
 * test time by re-framing the IP packets of a real Ethernet capture: the decode gives the same
 * TCP flows as the original, and tshark reading each file counts the same 445/139 packets.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCaptures } from '../src/capture/reader';
import { corpusFile, run } from './helpers/corpus';
import { flowSummary } from './helpers/flows';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-linktypes-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SRC = corpusFile('zeek/smb2.pcap');

function sll2(ethertype: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(ethertype, 0);
  h.writeUInt32BE(3, 4); // interface index
  h.writeUInt16BE(1, 8); // ARPHRD_ETHER
  h[10] = 0; // to us
  h[11] = 6;
  return h;
}
function nullHdr(fam: number, le: boolean): Buffer {
  const h = Buffer.alloc(4);
  le ? h.writeUInt32LE(fam) : h.writeUInt32BE(fam);
  return h;
}

const FRAMINGS: Record<string, { linktype: number; header: (ethertype: number) => Buffer }> = {
  sll2: { linktype: 276, header: sll2 },
  raw: { linktype: 101, header: () => Buffer.alloc(0) },
  ipv4: { linktype: 228, header: () => Buffer.alloc(0) },
  'null-le': { linktype: 0, header: () => nullHdr(2, true) },
  'null-be': { linktype: 0, header: () => nullHdr(2, false) },
  loop: { linktype: 108, header: () => nullHdr(2, false) },
};

async function reframe(kind: string): Promise<string> {
  const f = FRAMINGS[kind];
  const parts: Buffer[] = [];
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(f.linktype, 20);
  parts.push(hdr);
  await readCaptures([SRC], (p) => {
    const et = p.data.readUInt16BE(12);
    if (et !== 0x0800) return; // these framings carry IPv4 only
    const body = Buffer.concat([f.header(et), p.data.subarray(14)]);
    const r = Buffer.alloc(16);
    r.writeUInt32LE(p.tsSec, 0);
    r.writeUInt32LE(p.tsNsec / 1000, 4);
    r.writeUInt32LE(body.length, 8);
    r.writeUInt32LE(p.origLen - 14 + f.header(et).length, 12);
    parts.push(r, body);
  });
  const out = path.join(tmp, `${kind}.pcap`);
  fs.writeFileSync(out, Buffer.concat(parts));
  return out;
}

async function tsharkSmbCount(file: string): Promise<number> {
  const o = await run('tshark', ['-r', file, '-n', '--disable-protocol', 'nbss', '-Y', 'tcp.port==445 || tcp.port==139', '-T', 'fields', '-e', 'frame.number']);
  return o.split('\n').filter(Boolean).length;
}

t.test('re-framed copies decode to the same flows as Ethernet', async (t) => {
  const ref = await flowSummary(SRC);
  const refCount = await tsharkSmbCount(SRC);
  t.ok(refCount > 1000, `${refCount} SMB packets in the original`);
  for (const kind of Object.keys(FRAMINGS)) {
    const file = await reframe(kind);
    const got = await flowSummary(file);
    t.equal(got.summary.error, null, `${kind}: reads`);
    t.same(got.flows, ref.flows, `${kind}: same flows`);
    t.equal(got.counts.unknownLinktype + got.counts.notIp, 0, `${kind}: every frame understood`);
    t.equal(await tsharkSmbCount(file), refCount, `${kind}: tshark agrees on the packet count`);
  }
});
