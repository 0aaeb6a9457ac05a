/**
 * src/net on damaged streams (real captures, and real captures cut with editcap): TCP gaps,
 * mid-stream pickup, snaplen cuts, overlaps with different bytes (first seen wins), keepBytes
 * truncation, and every memcap / connection end reason.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CAPTURES, requireTshark, runNet, type Rec } from './helpers/net-harness';
import { loadConn, packetFor, referenceMessages } from './helpers/net-streams';
import { TcpEngine } from '../src/net/tcp-engine';
import { formatIp } from '../src/net/decode';
import { bytesToKeep } from '../dissectors/skip-policy';
import type { SmbMessage, StreamSink } from '../src/shared/stream';

requireTshark();
const tmp = mkdtempSync(path.join(tmpdir(), 'sw-net-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

function editcap(args: string[], src: string, name: string): string {
  const out = path.join(tmp, name);
  try {
    execFileSync('editcap', [...args, path.resolve(CAPTURES, src), out], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`editcap is required for this test (apt-get install wireshark-common): ${(e as Error).message}`);
  }
  return out;
}

/** each of `got` (per direction, in order) is byte-identical to one of `full` */
function subsequenceByKey(got: Rec[], full: Rec[]): string[] {
  const bad: string[] = [];
  const byKey = new Map<string, Rec[]>();
  for (const m of full) (byKey.get(m.key) ?? byKey.set(m.key, []).get(m.key)!).push(m);
  const pos = new Map<string, number>();
  for (const g of got) {
    const ref = byKey.get(g.key) ?? [];
    let j = pos.get(g.key) ?? 0;
    while (j < ref.length && !ref[j].data.equals(g.data)) j++;
    if (j === ref.length) bad.push(`frame ${g.frame} ${g.key} len ${g.length}`);
    else pos.set(g.key, j + 1);
  }
  return bad;
}

t.test('TCP gap in an SMB2 stream: one gap, the message it hit dropped, framing kept', async (t) => {
  // gap frame: where the client's ACK of the missing bytes gives the hole up; message frame: as tshark
  for (const [file, bytes, gapFrame, frame] of [
    ['suricata-verify/smb2-frames-gap-payload-logging.pcap', 2896, 193, 196],
    ['suricata-verify/smb2-frames-gap-payload-logging-02.pcap', 3044, 195, 195],
  ] as const) {
    const r = await runNet(file);
    const key = '10.3.1.1:445>10.3.1.2:56746';
    t.same(r.gaps, [{ frame: gapFrame, key, bytes }], `${file}: one gap of ${bytes} bytes, told in frame ${gapFrame}`);
    t.equal(r.counters.messagesLostInGap, 1, 'the READ response the gap hit is not delivered');
    t.equal(r.counters.resyncsStarted, 0, 'the NBSS length was known: no resync needed');
    const after = r.messages.filter((m) => m.afterGap);
    t.same(after.map((m) => [m.frame, m.key]), [[frame, key]], 'afterGap on the first message after the gap only');
    t.equal(after[0].data.readUInt16LE(12), 6, 'which is the CLOSE response, as tshark shows it');
  }
});

t.test('mid-stream pickup: both directions resync on the first header, nothing skipped', async (t) => {
  for (const file of ['suricata-verify/smb1-03-midstream.pcap', 'suricata-verify/smb3-02-midstream.pcap', 'suricata-verify/smb3-03-midstream.pcap']) {
    const r = await runNet(file);
    t.equal(r.counters.resyncs, 2, `${file}: resync in each direction`);
    t.equal(r.counters.resyncSkippedBytes, 0, 'the first segments start with a header');
    const firsts = new Map<string, Rec>();
    for (const m of r.messages) if (!firsts.has(m.key)) firsts.set(m.key, m);
    t.same([...firsts.values()].map((m) => m.afterGap), [true, true], 'first message of each direction is afterGap');
    t.equal(r.messages.filter((m) => m.afterGap).length, 2);
  }
});

t.test('capture started mid-transfer (first 300 packets cut): resync, then the same messages', async (t) => {
  const full = await runNet('zeek/smb2.pcap');
  const f = editcapSelect('zeek/smb2.pcap', '300-1178', 'smb2-tail.pcap');
  const r = await runNet(f);
  t.ok(r.counters.resyncs >= 1, `resynced (${r.counters.resyncs}), skipped ${r.counters.resyncSkippedBytes} bytes`);
  t.ok(r.messages.length > 20, `${r.messages.length} messages after the pickup`);
  t.same(subsequenceByKey(r.messages, full.messages), [], 'every message is one of the full capture, in order');
});

function editcapSelect(src: string, range: string, name: string): string {
  const out = path.join(tmp, name);
  execFileSync('editcap', ['-r', path.resolve(CAPTURES, src), out, range], { stdio: 'pipe' });
  return out;
}

t.test('snaplen cut (editcap -s): gaps counted, never a garbled message', async (t) => {
  for (const [file, snap] of [['zeek/smb2.pcap', 200], ['suricata-verify/smb2-05.pcap', 1000], ['zeek/smb3_multichannel.pcap', 300]] as const) {
    const full = await runNet(file);
    const f = editcap(['-s', String(snap)], file, `snap-${snap}-${path.basename(file)}`);
    const r = await runNet(f);
    t.ok(r.counters.snaplenCutBytes > 0 && r.counters.gaps > 0, `${file} -s ${snap}: ${r.counters.snaplenCutBytes} bytes cut, ${r.counters.gaps} gaps`);
    t.ok(r.messages.length > 0, `${r.messages.length} of ${full.messages.length} messages still whole`);
    t.same(subsequenceByKey(r.messages, full.messages), [], 'each delivered message is byte-identical to the original');
  }
});

t.test('keepBytes: WRITE payloads skipped by length, head kept, truncated flagged', async (t) => {
  const full = await runNet('zeek/smb2.pcap');
  const r = await runNet('zeek/smb2.pcap', {}, bytesToKeep);
  t.equal(r.messages.length, full.messages.length, 'same messages');
  t.ok(r.counters.messagesTruncated > 0, `${r.counters.messagesTruncated} truncated`);
  t.ok(r.counters.messageBytesSkipped > 1_000_000, `${r.counters.messageBytesSkipped} bytes skipped, not buffered`);
  let ok = true;
  for (let i = 0; i < r.messages.length; i++) {
    const a = r.messages[i];
    const b = full.messages[i];
    if (a.length !== b.length || !b.data.subarray(0, a.data.length).equals(a.data) || a.truncated !== a.data.length < a.length) ok = false;
  }
  t.ok(ok, 'each message is a prefix of the full one; truncated exactly when shorter');
  const write = r.messages.find((m) => m.truncated)!;
  t.equal(write.data.readUInt16LE(12), 9, 'a WRITE request');
  t.equal(write.data.length, 112 + 64, `kept header + WRITE body + 64 data bytes of ${write.length}`);
});

class Collect implements StreamSink {
  msgs: Buffer[][] = [[], []];
  onConnStart(): void {}
  keepBytes(_h: Buffer, total: number): number { return total; }
  onSmbMessage(m: SmbMessage): void { this.msgs[m.dir].push(Buffer.from(m.data)); }
  onNbssControl(): void {}
  onGap(): void {}
  onConnEnd(): void {}
  onTime(): void {}
}

t.test('overlap with different bytes: first seen wins, in order and out of order', async (t) => {
  const c = await loadConn('zeek/smb2.pcap', 49208);
  const ref = referenceMessages(c.streams[0]);
  const len = c.streams[0].length;
  const forged = Buffer.from(c.streams[0]);
  // garble a later copy of the bytes 100..400 (inside the NEGOTIATE / SESSION_SETUP requests)
  for (let i = 100; i < 400; i++) forged[i] ^= 0x5a;
  const forgedConn = { ...c, streams: [forged, c.streams[1]] as [Buffer, Buffer] };
  for (const order of ['in-order', 'out-of-order'] as const) {
    const sink = new Collect();
    const e = new TcpEngine(sink, {}, formatIp);
    const send = (d: ReturnType<typeof packetFor>) => { e.advanceTime(1000, 0); e.handleDecoded(d); };
    send(packetFor(c, 0, 0, 0, 0x02));
    send(packetFor(c, 1, 0, 0, 0x12));
    if (order === 'in-order') {
      send(packetFor(c, 0, 0, 500, 0x08)); // the true bytes first
      send(packetFor(forgedConn, 0, 50, 400, 0x08)); // a forged retransmission overlapping them
    } else {
      send(packetFor(c, 0, 80, 420, 0x08)); // true bytes, held out of order
      send(packetFor(forgedConn, 0, 50, 400, 0x08)); // forged copy overlapping the held bytes
      send(packetFor(c, 0, 0, 80, 0x08)); // hole filled
    }
    send(packetFor(c, 0, 500, len - 500, 0x08));
    e.finish();
    t.same(sink.msgs[0].length, ref.length, `${order}: all messages`);
    t.ok(sink.msgs[0].every((m, i) => m.equals(ref[i])), `${order}: the first-seen (true) bytes won`);
    t.ok(e.counters.segmentsOverlapping + e.counters.segmentsRetransmitted > 0, `${order}: overlap counted`);
  }
});

t.test('out-of-order memcap: counted, hole given up, still never garbled', async (t) => {
  const c = await loadConn('zeek/smb2.pcap', 49208);
  const ref = referenceMessages(c.streams[0]);
  const sink = new Collect();
  const e = new TcpEngine(sink, { maxOooBytesPerFlow: 20_000 }, formatIp);
  const send = (d: ReturnType<typeof packetFor>) => { e.advanceTime(1000, 0); e.handleDecoded(d); };
  send(packetFor(c, 0, 0, 0, 0x02));
  send(packetFor(c, 1, 0, 0, 0x12));
  // the client's 1.5 MB stream (WRITE requests) in 1000-byte pieces, each run of 40 sent in reverse
  const n = c.streams[0].length;
  const pieces: [number, number][] = [];
  for (let o = 0; o < n; o += 1000) pieces.push([o, Math.min(1000, n - o)]);
  for (let i = 0; i < pieces.length; i += 40) for (const [o, l] of pieces.slice(i, i + 40).reverse()) send(packetFor(c, 0, o, l, 0x08));
  e.finish();
  t.ok(e.counters.oooMemcapFlowHits > 0 && e.counters.gapsMemcap > 0, `flow memcap hit ${e.counters.oooMemcapFlowHits} times`);
  t.equal(e.counters.oooBytesHeld, 0, 'nothing held after the end');
  let j = 0;
  let ok = true;
  for (const m of sink.msgs[0]) { while (j < ref.length && !ref[j].equals(m)) j++; if (j++ >= ref.length) ok = false; }
  t.ok(ok, `${sink.msgs[0].length} of ${ref.length} messages, each byte-identical`);

  const g = new TcpEngine(new Collect(), { maxOooBytesTotal: 5_000 }, formatIp);
  g.advanceTime(1000, 0);
  g.handleDecoded(packetFor(c, 0, 0, 0, 0x02));
  g.handleDecoded(packetFor(c, 0, 3000, 1000, 0x08));
  g.handleDecoded(packetFor(c, 0, 5000, 1000, 0x08));
  g.handleDecoded(packetFor(c, 0, 7000, 4000, 0x08));
  t.ok(g.counters.oooMemcapGlobalHits > 0, 'global memcap counted');
});

t.test('connection ends: fin, rst, idle timeout, eviction, capture end', async (t) => {
  const fin = await runNet('suricata-verify/smb2-ntlmssp-negotiateflags.pcap');
  t.ok(fin.ends.some((e) => e.reason === 'fin'), `fin: ${fin.ends.map((e) => e.reason).join(',')}`);
  t.equal(fin.counters.flowsOpen, 0, 'no flow left open');
  const all = await Promise.all(['zeek/smb2-zero-byte-error-ioctl.pcapng', 'suricata-verify/smb2-07.pcap', 'zeek/smb3_multichannel.pcap', 'suricata-verify/dcerpc-smb-test-01.pcap'].map((f) => runNet(f)));
  const reasons = new Set(all.flatMap((r) => r.ends.map((e) => e.reason)));
  t.ok(reasons.has('rst') || reasons.has('fin'), `reasons seen: ${[...reasons].join(',')}`);
  // idle: smb2-07 has quiet periods of several seconds
  const idle = await runNet('suricata-verify/smb2-07.pcap', { idleTimeoutSec: 2 });
  t.ok(idle.counters.connsEndedIdle > 0, `idle_timeout ends: ${idle.counters.connsEndedIdle}`);
  t.ok(idle.ends.some((e) => e.reason === 'idle_timeout'));
  // eviction: one flow allowed, a capture with several connections
  const ev = await runNet('zeek/smb3_multichannel.pcap', { maxFlows: 1 });
  t.ok(ev.counters.connsEndedEvicted > 0, `evicted: ${ev.counters.connsEndedEvicted}`);
  t.ok(ev.ends.some((e) => e.reason === 'evicted'));
  t.ok(ev.counters.flowsOpen <= 1);
  // every started connection ends exactly once
  for (const r of [fin, idle, ev, ...all]) {
    const ids = r.ends.map((e) => e.conn).sort((a, b) => a - b);
    t.same(ids, r.starts.map((c) => c.id).sort((a, b) => a - b), 'one end per connection');
  }
});
