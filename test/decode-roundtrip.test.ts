/**
 * Every corpus capture, rewritten by the standard tools at test time, decodes to the same TCP
 * flows (5-tuples, packet counts, payload bytes announced by IP): editcap -F pcapng, editcap -F
 * nsecpcap, gzip, 802.1Q and QinQ (802.1ad) tags added by tcprewrite, and a snaplen-96 copy
 * (editcap -s 96), where the cut payload must show up as payloadMissing, not as other bytes; and a
 * copy without Ethernet padding (padding is never payload).
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { corpusFiles, corpusName, pool, run } from './helpers/corpus';
import { announced, flowSummary } from './helpers/flows';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-roundtrip-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Sets the outer tag's TPID of every frame to 0x88a8 (802.1ad service tag): QinQ as in the wild. */
function outerTo88a8(file: string): void {
  const b = fs.readFileSync(file);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  for (let o = 24; o + 16 <= b.length; ) {
    const caplen = le ? b.readUInt32LE(o + 8) : b.readUInt32BE(o + 8);
    if (caplen >= 14 && b.readUInt16BE(o + 16 + 12) === 0x8100) b.writeUInt16BE(0x88a8, o + 16 + 12);
    o += 16 + caplen;
  }
  fs.writeFileSync(file, b);
}

/**
 * Copy of a classic Ethernet pcap without Ethernet padding (frames end where IPv4 says). Needed
 * because tcprewrite, when it adds a tag, grows the IP length over the padding; and a useful
 * variant of its own: padding must never have been read as payload.
 */
function stripPadding(src: string, dst: string): void {
  const b = fs.readFileSync(src);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const rd = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const wr = (v: number, o: number): number => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const parts: Buffer[] = [b.subarray(0, 24)];
  for (let o = 24; o + 16 <= b.length; ) {
    const caplen = rd(o + 8);
    const d = o + 16;
    let keep = caplen;
    let l2 = 14;
    while (l2 + 4 <= caplen && b.readUInt16BE(d + l2 - 2) === 0x8100) l2 += 4; // some corpus files are tagged already
    if (caplen >= l2 + 20 && b.readUInt16BE(d + l2 - 2) === 0x0800) {
      const ipLen = b.readUInt16BE(d + l2 + 2);
      if (ipLen > 0 && l2 + ipLen < caplen) keep = l2 + ipLen;
    }
    if (keep !== caplen) {
      wr(keep, o + 8);
      wr(rd(o + 12) - (caplen - keep), o + 12);
    }
    parts.push(b.subarray(o, d + keep));
    o = d + caplen;
  }
  fs.writeFileSync(dst, Buffer.concat(parts));
}

async function variants(file: string, i: number): Promise<Record<string, string>> {
  const base = path.join(tmp, `f${i}`);
  const v: Record<string, string> = {};
  v.pcapng = `${base}.pcapng`;
  await run('editcap', ['-F', 'pcapng', file, v.pcapng]);
  v.nsecpcap = `${base}.ns.pcap`;
  await run('editcap', ['-F', 'nsecpcap', file, v.nsecpcap]);
  v.gzip = `${base}.pcap.gz`;
  const raw = fs.readFileSync(file);
  fs.writeFileSync(v.gzip, gzipSync(file.endsWith('.gz') ? gunzipSync(raw) : raw));
  v.snap96 = `${base}.s96.pcap`;
  await run('editcap', ['-s', '96', file, v.snap96]);
  const isEther = (await run('capinfos', ['-T', '-r', '-E', file])).trim().split('\t')[1] === 'ether';
  if (isEther) {
    // tcprewrite reads classic pcap only
    const plain = file.endsWith('.pcap') || file.endsWith('.cap') ? file : `${base}.plain.pcap`;
    if (plain !== file) await run('editcap', ['-F', 'pcap', file, plain]);
    v.unpadded = `${base}.unpadded.pcap`;
    stripPadding(plain, v.unpadded);
    v.vlan = `${base}.vlan.pcap`;
    await run('tcprewrite', ['--enet-vlan=add', '--enet-vlan-tag=42', '--enet-vlan-cfi=0', '--enet-vlan-pri=3', `--infile=${v.unpadded}`, `--outfile=${v.vlan}`]);
    v.qinq = `${base}.qinq.pcap`;
    await run('tcprewrite', ['--enet-vlan=add', '--enet-vlan-tag=7', '--enet-vlan-cfi=0', '--enet-vlan-pri=0', `--infile=${v.vlan}`, `--outfile=${v.qinq}`]);
    outerTo88a8(v.qinq);
  }
  return v;
}

t.test('rewritten copies decode to the same flows', async (t) => {
  const files = corpusFiles();
  const all = await pool(files, 2, (f) => variants(f, files.indexOf(f)));
  let vlanFiles = 0;
  for (let i = 0; i < files.length; i++) {
    const name = corpusName(files[i]);
    const ref = await flowSummary(files[i]);
    t.equal(ref.summary.error, null, `${name}: reads`);
    for (const [kind, file] of Object.entries(all[i])) {
      const got = await flowSummary(file);
      t.equal(got.summary.error, null, `${name} ${kind}: reads`);
      if (kind === 'snap96') {
        t.same(announced(got), announced(ref), `${name} ${kind}: same flows and announced payload`);
        const cutFrames = Object.values(got.flows).reduce((n, f) => n + f[2], 0);
        const refPayload = Object.values(ref.flows).reduce((n, f) => n + f[1], 0);
        if (refPayload > 0) t.ok(cutFrames > 0, `${name} ${kind}: ${cutFrames} payload bytes flagged missing`);
        t.equal(got.counts.truncatedHeader, ref.counts.truncatedHeader, `${name} ${kind}: no header lost to the cut`);
      } else {
        t.same(got.flows, ref.flows, `${name} ${kind}: same flows`);
      }
      if (kind === 'qinq') vlanFiles++;
    }
  }
  t.ok(vlanFiles > 50, `${vlanFiles} Ethernet files also tested with 802.1Q and QinQ tags`);
});
