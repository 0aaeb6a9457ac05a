/**
 * src/net/decode against tshark, packet by packet, over the whole corpus: for every frame the
 * same timestamp; for every TCP frame the same addresses, ports, raw seq/ack, flags, window and
 * TCP payload length (IP-announced, so padding and snaplen cuts are accounted the same way); and
 * the same count of TCP packets to or from port 445/139. Justified differences would be listed in
 * decode-expectations.json (there are none today).
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCaptures } from '../src/capture/reader';
import { PacketDecoder, formatIp, newDecodedPacket } from '../src/net/decode';
import * as os from 'node:os';
import { corpusFiles, corpusName, parseEpoch, run } from './helpers/corpus';

const FIELDS = [
  'frame.time_epoch',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.flags',
  'tcp.window_size_value',
  'tcp.len',
];

/** Known, reviewed differences: { "<corpus path>": { "<frame number>": "why" } } */
const EXPECT_FILE = path.join(__dirname, 'decode-expectations.json');
const expectations: Record<string, Record<string, string>> = fs.existsSync(EXPECT_FILE)
  ? JSON.parse(fs.readFileSync(EXPECT_FILE, 'utf8'))
  : {};

/**
 * One tshark run over all files concatenated by mergecap (-a keeps every file's frames in order,
 * one after the other): a single start-up instead of one per file.
 */
async function tsharkAll(files: string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-decode-'));
  const all = path.join(dir, 'all.pcapng');
  try {
    await run('mergecap', ['-a', '-F', 'pcapng', '-w', all, ...files]);
    return (await tshark(all)).split('\n').filter((l) => l.length > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function tshark(file: string): Promise<string> {
  const args = ['-r', file, '-n', '--disable-protocol', 'nbss', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a'];
  for (const f of FIELDS) args.push('-e', f);
  return run('tshark', args);
}

interface Ours {
  ts: [number, number];
  tcp: string | null;
  smbPort: boolean;
  ipv6Src: string | null;
}

t.test('decode agrees with tshark on every corpus frame', async (t) => {
  const files = corpusFiles();
  const allLines = await tsharkAll(files);
  let cursor = 0;
  for (let fi = 0; fi < files.length; fi++) {
    const f = files[fi];
    const name = corpusName(f);
    const known = expectations[name] ?? {};
    const dec = new PacketDecoder();
    const out = newDecodedPacket();
    const ours: Ours[] = [];
    const s = await readCaptures([f], (p) => {
      let ipv6Src: string | null = null;
      // an IPv6 source address straight after an Ethernet header, for formatIp on real addresses
      if (p.linktype === 1 && p.data.length >= 54 && p.data.readUInt16BE(12) === 0x86dd) ipv6Src = formatIp(p.data, 22, 6);
      if (!dec.decode(p, out)) {
        ours.push({ ts: [p.tsSec, p.tsNsec], tcp: null, smbPort: false, ipv6Src });
        return;
      }
      const v = out.ipVersion;
      const tcp = [
        v === 4 ? formatIp(out.buf, out.srcAddrOffset, 4) : '',
        v === 4 ? formatIp(out.buf, out.dstAddrOffset, 4) : '',
        v === 6 ? formatIp(out.buf, out.srcAddrOffset, 6) : '',
        v === 6 ? formatIp(out.buf, out.dstAddrOffset, 6) : '',
        out.srcPort,
        out.dstPort,
        out.seq,
        out.ack,
        '0x' + out.tcpFlags.toString(16).padStart(4, '0'),
        out.window,
        out.payloadLength + out.payloadMissing,
      ].join('|');
      const smbPort = out.srcPort === 445 || out.dstPort === 445 || out.srcPort === 139 || out.dstPort === 139;
      ours.push({ ts: [p.tsSec, p.tsNsec], tcp, smbPort, ipv6Src });
    });
    t.equal(s.error, null, `${name}: read without error`);
    const lines = allLines.slice(cursor, cursor + ours.length);
    cursor += ours.length;
    t.equal(lines.length, ours.length, `${name}: tshark has our ${ours.length} frames`);
    let theirSmb = 0;
    let ourSmb = 0;
    let tcpCompared = 0;
    const diffs: string[] = [];
    for (let i = 0; i < lines.length && i < ours.length; i++) {
      const col = lines[i].split('|');
      const frame = String(i + 1);
      if (known[frame]) continue;
      const o = ours[i];
      if (o.ts[0] !== parseEpoch(col[0])[0] || o.ts[1] !== parseEpoch(col[0])[1]) diffs.push(`frame ${frame}: time ${o.ts} vs ${col[0]}`);
      const ports = [col[5], col[6]].join(',').split(',').filter(Boolean).map(Number);
      if (ports.some((p) => p === 445 || p === 139)) theirSmb++;
      if (o.smbPort) ourSmb++;
      if (o.ipv6Src !== null && col[3] !== '' && o.ipv6Src !== col[3].split(',')[0]) diffs.push(`frame ${frame}: ipv6.src ${o.ipv6Src} vs ${col[3]}`);
      const theirsTcp = col[5] !== '' && !col[5].includes(',');
      if (theirsTcp !== (o.tcp !== null)) {
        diffs.push(`frame ${frame}: tcp ${o.tcp !== null ? 'decoded by us only' : 'decoded by tshark only'}`);
        continue;
      }
      if (o.tcp === null) continue;
      tcpCompared++;
      const theirs = col.slice(1).join('|');
      if (theirs !== o.tcp) diffs.push(`frame ${frame}: ours ${o.tcp} tshark ${theirs}`);
    }
    t.same(diffs.slice(0, 10), [], `${name}: ${tcpCompared} TCP frames field by field`);
    t.equal(ourSmb, theirSmb, `${name}: ${theirSmb} TCP packets to/from 445/139`);
  }
  t.equal(cursor, allLines.length, 'every tshark frame compared');
});

t.test('formatIp matches glibc inet_ntop (what tshark prints) on edge-case IPv6 addresses', async (t) => {
  const cases: string[] = [
    '00000000000000000000000000000000',
    '00000000000000000000000000000001',
    '20010db8000000000000000000000001',
    '20010db8000000010000000100010001',
    '20010db8000000000001000000000001',
    '00000000000000000000ffffc0a80001',
    '000000000000000000000000c0a80001',
    '0000000000000000000100000000ffff',
    'fe800000000000000000000000000000',
    '20010db800000000ffff000000000000',
    '0001000000000000000000000000ffff',
    '00000000000000000000fffe00000001',
  ];
  // plus pseudo-random addresses with many zero words (a fixed seed keeps it reproducible)
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let k = 0; k < 300; k++) {
    let h = '';
    for (let w = 0; w < 8; w++) h += rnd() % 3 === 0 ? (rnd() % 65536).toString(16).padStart(4, '0') : rnd() % 5 === 0 ? '0001' : '0000';
    cases.push(h);
  }
  const py = 'import socket,sys\nfor l in sys.stdin.read().split():\n    print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l)))';
  const expected = await new Promise<string[]>((resolve, reject) => {
    const cp = require('node:child_process').spawn('/usr/bin/python3', ['-c', py]);
    let o = '';
    cp.stdout.on('data', (d: Buffer) => (o += d));
    cp.on('error', reject);
    cp.on('close', () => resolve(o.trim().split('\n')));
    cp.stdin.end(cases.join('\n'));
  });
  t.equal(expected.length, cases.length, 'python3 inet_ntop answered');
  const got = cases.map((h) => formatIp(Buffer.from(h, 'hex'), 0, 6));
  t.same(got, expected);
  t.equal(formatIp(Buffer.from([0, 10, 1, 2, 254, 0]), 1, 4), '10.1.2.254');
});
