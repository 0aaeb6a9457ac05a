/**
 * tools/gen/pcap-writer.js: the frames it writes are what tshark expects, with correct IPv4 and
 * TCP checksums (IPv4 and IPv6), correct lengths, per-direction seq/ack and both timestamp
 * precisions.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const gen = require('../tools/gen/pcap-writer.js');

function tool(name: string, args: string[]): string {
  try {
    return execFileSync(name, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error(`${name} is required for this test (install Wireshark's ${name})`);
    throw e;
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-writer-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_123_456; // µs

/** Handshake, 5000 bytes client → server at MSS 1460, 33 bytes back, FIN close; or RST. */
function conversation(file: string, v6: boolean, nanos: boolean, rst: boolean): void {
  const w = new gen.PcapWriter(file, { nanos, bufferSize: 1 << 17 });
  const c = new gen.TcpConnection(w, {
    client: { mac: '02:00:00:00:00:01', ip: v6 ? 'fd00::1' : '10.0.0.1', port: 50000 },
    server: { mac: '02:00:00:00:00:02', ip: v6 ? 'fd00:0:0:1::2' : '10.0.0.2', port: 445 },
    isn: [0xfffff000, 7], // client seq wraps past 2^32 during the send
    ackEvery: 2,
  });
  let ts = c.handshake(T0, 200);
  const p = Buffer.alloc(5000);
  for (let i = 0; i < p.length; i++) p[i] = (i * 7 + 3) & 0xff;
  ts = c.send(ts + 10, 0, p);
  ts = c.send(ts + 10, 1, p, 0, 33);
  if (rst) c.closeRst(ts + 10, 1);
  else c.closeFin(ts + 10, 0, 200);
  w.close();
}

for (const [v6, nanos] of [
  [false, false],
  [true, true],
] as const) {
  t.test(`${v6 ? 'IPv6' : 'IPv4'} frames, ${nanos ? 'ns' : 'µs'} pcap: tshark validates checksums and sequence numbers`, async (t) => {
    const file = path.join(dir, `conv-${v6 ? 6 : 4}.pcap`);
    conversation(file, v6, nanos, false);
    const info = tool('capinfos', ['-t', '-E', '-c', '-i', file]);
    t.match(info, /Ethernet/, 'link type Ethernet');
    t.match(info, /Number of packets:\s+12\b/, 'SYN, SYN/ACK, ACK, 4 data + 1 ACK, 1 reply, 3 close');
    if (nanos) t.match(info, /nanosecond/, 'nanosecond pcap magic');
    else t.notMatch(info, /nanosecond/, 'microsecond pcap magic');
    const rows = tool('tshark', [
      '-r', file, '-n', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.relative_sequence_numbers:TRUE',
      '-T', 'fields', '-E', 'separator=|', '-e', 'frame.time_epoch', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status',
      '-e', 'tcp.len', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.flags.str', '-e', 'ip.len', '-e', 'ipv6.plen', '-e', '_ws.expert.severity',
    ]).trim().split('\n').map((l) => l.split('|'));
    t.equal(rows.length, 12);
    t.equal(rows[0][0], '1700000000.123456000', 'timestamp of the SYN');
    for (const [i, r] of rows.entries()) {
      if (!v6) t.equal(r[1], '1', `frame ${i + 1}: IPv4 checksum good`);
      t.equal(r[2], '1', `frame ${i + 1}: TCP checksum good`);
      const tcpLen = Number(r[3]);
      if (v6) t.ok(Number(r[8]) >= 20 + tcpLen, 'IPv6 payload length covers TCP');
      else t.ok(Number(r[7]) >= 40 + tcpLen, 'IPv4 total length covers TCP');
    }
    const data = rows.filter((r) => r[3] !== '0');
    t.same(data.map((r) => Number(r[3])), [1460, 1460, 1460, 620, 33], 'MSS segmentation');
    t.same(data.slice(0, 4).map((r) => Number(r[4])), [1, 1461, 2921, 4381], 'client seq advances by payload, across the 2^32 wrap');
    t.equal(Number(data[4][5]), 5001, 'server acknowledges the 5000 bytes');
    const fin = rows.find((r) => r[6].includes('F'))!;
    t.equal(Number(fin[4]), 5001, 'FIN sequence number after the data');
    const warnings = rows.filter((r) => r[9] !== '' && Number(r[9]) >= 6291456);
    t.same(warnings, [], 'no expert warnings or errors');
  });
}

t.test('RST close and a bad-checksum control: tshark notices when a checksum is wrong', async (t) => {
  const file = path.join(dir, 'rst.pcap');
  conversation(file, false, false, true);
  const raw = readFileSync(file);
  // flip one payload byte of the first data frame (record 4): checksums must now fail there
  let off = 24;
  for (let i = 0; i < 3; i++) off += 16 + raw.readUInt32LE(off + 8);
  raw[off + 16 + 54 + 10] ^= 0xff;
  const bad = path.join(dir, 'bad.pcap');
  writeFileSync(bad, raw);
  const status = (f: string) =>
    tool('tshark', ['-r', f, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'tcp.checksum.status', '-e', 'tcp.flags.reset']).trim().split('\n');
  const good = status(file);
  t.ok(good.every((l) => l.startsWith('1')), 'all checksums good');
  t.equal(good[good.length - 1].split('\t')[1], '1', 'last frame is the RST');
  const flipped = status(bad);
  t.equal(flipped[3].split('\t')[0], '0', 'the flipped frame fails the TCP checksum');
});

t.test('large output is written in buffered chunks and sizes add up', async (t) => {
  const file = path.join(dir, 'big.pcap');
  const w = new gen.PcapWriter(file, { bufferSize: 1 << 17 });
  const c = new gen.TcpConnection(w, { client: { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50001 }, server: { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 445 } });
  const p = Buffer.alloc(1 << 20, 0x41);
  c.send(T0, 0, p);
  w.close();
  const size = statSync(file).size;
  t.equal(size, w.bytes, 'bytes counter equals file size');
  t.equal(w.packets, Math.ceil(p.length / 1460));
  t.equal(size, 24 + w.packets * (16 + 54) + p.length, 'header + records + payload');
});
