/**
 * The sharded run (--workers N > 1), reader-thread side. Each packet gets a global number n; its
 * link/IP/TCP headers are decoded here to find the unordered address pair (client, server), whose
 * hash picks the worker; the bytes go to that worker's ring. Workers run net + tracker and send
 * back lifecycle records tagged (n, phase, key); this side merges them into the order one
 * single-threaded engine emits them and runs detection and output on that stream, so the output is
 * byte-identical whatever N:
 *  - phase 1 records (emitted while handling packet n) come from the one worker that had packet n;
 *  - idle expiries run in TcpEngine.advanceTime before a packet, in LRU order: a worker reports the
 *    ended connection's last packet time and number; the first n whose capture time reaches its
 *    deadline is found here (the same predicate the engine uses) and the last packet number orders
 *    several expiries at one n (phase 0, before phase 1 of that n);
 *  - detection's per-packet time call (onTimeAt) runs between phase 0 and phase 1 of every n that
 *    moved capture time, as AnalysisPipeline's tracker callback does;
 *  - capture end (phase 2): connections end in LRU order (key = last packet), then detection ends.
 * A record tagged n is released once every worker has processed the ring up to n (its watermark);
 * workers with no packets of their own get a TICK every TICK_EVERY packets so watermarks move.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { basename, join } from 'node:path';
import { AnalysisPipeline, type RecordWriter } from '../pipeline';
import type { Config } from '../../shared/config';
import type { InternalRecord, LifecycleRecord } from '../../shared/records';
import { FramePacket, type CapturedPacket } from '../../shared/packet';
import { PacketDecoder, newDecodedPacket } from '../../net/decode';
import { netOptionsFromConfig } from '../../net/pipeline';
import { RoomFaults } from '../../shared/faults';
import { ENTRY_FINISH, ENTRY_PACKET, ENTRY_STOP, ENTRY_TICK, RingWriter, ringBuffer } from './ring';
import { PHASE_EXPIRY, SummedCounters, TAG_WIDTH, type CounterSnapshot, type WorkerData, type WorkerMessage } from './protocol';

/** the worker script: beside this module, or under workers/ beside the CLI bundle (dist/src/cli/main.js) */
const WORKER_SCRIPT = basename(__dirname) === 'workers' ? join(__dirname, 'worker.js') : join(__dirname, 'workers', 'worker.js');

const RING_BYTES = 4 << 20;
const workerExecArgv = (process.env.SHAREWATCH_WORKER_EXEC_ARGV ?? '').split(' ').filter((a) => a !== '');
/** packets between TICKs to every worker (watermarks of workers without packets move) */
const TICK_EVERY = 1024;
/** packets between looks at the workers' messages */
const POLL_EVERY = 256;
/** capture-time history kept for merging (packets read but not yet released) */
const HISTORY = 1 << 18;
const HMASK = HISTORY - 1;

interface Queue {
  recs: (LifecycleRecord | InternalRecord)[];
  /** n, phase, key, internal per record */
  keys: number[];
  head: number;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number): void => void Atomics.wait(sleepCell, 0, 0, ms);

export class ParallelPipeline {
  /** (isSharded) */
  readonly sharded = true;
  /** detection, output and their counters (its own net and tracker stay unused) */
  readonly inner: AnalysisPipeline;
  readonly capture;
  readonly eventsByAction;
  readonly alertsByRule;
  packets = 0;
  bytes = 0;
  /** a worker threw: reported, the run stops and exits 1 */
  failed = false;
  /** called once when a worker fails (the run stops reading) */
  onFailure: (() => void) | null = null;

  private readonly n: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly rings: RingWriter[] = [];
  private readonly lastSent: number[];
  private readonly watermark: number[];
  private readonly done: boolean[];
  private readonly queues: Queue[];
  private readonly snapshots: (CounterSnapshot | null)[];
  private readonly decoder = new PacketDecoder();
  private readonly decoded = newDecodedPacket();
  private readonly idleNs: number;
  /** capture time ("now": never back) after each packet n, and whether n moved it */
  private readonly hSec = new Float64Array(HISTORY);
  private readonly hNsec = new Float64Array(HISTORY);
  private readonly hAdv = new Uint8Array(HISTORY);
  /** input (-r index) of each packet n, and the first cut packet per input (the snaplen warning) */
  private readonly hSrc = new Int32Array(HISTORY);
  private readonly firstCut: number[] = [];
  /** per input (-r index): packets cut by the snaplen, SMB messages lost to gaps meanwhile */
  readonly snaplenCut: { packets: number; lostMessages: number }[] = [];
  private seq = 0;
  private nowSec = -1;
  private nowNsec = 0;
  /** detection has seen the time calls up to this n */
  private detN = 0;
  private notDecoded = 0;
  private liveTimer: NodeJS.Timeout | null = null;
  private readonly ownFaults = new RoomFaults();
  private readonly failedWorkers = new Set<number>();

  constructor(config: Config, out: RecordWriter, workers: number, configPath: string | null, opts: { live?: boolean } = {}) {
    this.inner = new AnalysisPipeline(config, out, opts);
    this.capture = this.inner.capture;
    this.eventsByAction = this.inner.eventsByAction;
    this.alertsByRule = this.inner.alertsByRule;
    this.n = workers;
    this.idleNs = netOptionsFromConfig(config).idleTimeoutSec * 1e9;
    this.lastSent = new Array<number>(workers).fill(0);
    this.watermark = new Array<number>(workers).fill(0);
    this.done = new Array<boolean>(workers).fill(false);
    this.snapshots = new Array<CounterSnapshot | null>(workers).fill(null);
    this.queues = [];
    const faultAt = Number(process.env.SHAREWATCH_WORKER_FAULT ?? -1);
    for (let i = 0; i < workers; i++) {
      const sab = ringBuffer(RING_BYTES);
      const ch = new MessageChannel();
      const data: WorkerData = { sab, port: ch.port2, configPath, index: i, workers, faultAt, internal: this.inner.wantsInternal };
      // no inherited execArgv: a parent's loaders/inspector flags are not for the worker;
      // SHAREWATCH_WORKER_EXEC_ARGV (e.g. "--cpu-prof --cpu-prof-dir=prof") profiles the workers
      const w = new Worker(WORKER_SCRIPT, { workerData: data, transferList: [ch.port2], execArgv: workerExecArgv });
      w.on('error', (e) => this.workerFailed(i, e.stack ?? String(e)));
      w.unref();
      this.workers.push(w);
      this.ports.push(ch.port1);
      this.rings.push(new RingWriter(sab));
      this.queues.push({ recs: [], keys: [], head: 0 });
    }
  }

  // ---- the views the summary, metrics and progress read ----------------------------------------

  private summed(): SummedCounters {
    const s = SummedCounters.of(this.snapshots);
    // packets that did not decode never left this thread
    s.net.packets = this.packets;
    s.net.packetsNotDecoded += this.notDecoded;
    return s;
  }

  get net(): { counters: SummedCounters['net'] } {
    return { counters: this.summed().net };
  }

  get tracker(): { counters: SummedCounters['tracker']; rpcCounters: SummedCounters['rpc']; inference: { counters: SummedCounters['inference'] } } {
    const s = this.summed();
    return { counters: s.tracker, rpcCounters: s.rpc, inference: { counters: s.inference } };
  }

  get faults(): RoomFaults {
    const f = new RoomFaults();
    const add = (m: ReadonlyMap<string, number>): void => {
      for (const [k, v] of m) f.byRoom.set(k as never, (f.byRoom.get(k as never) ?? 0) + v);
    };
    add(this.inner.faults.byRoom);
    add(this.ownFaults.byRoom);
    for (const s of this.snapshots) if (s) add(s.faults);
    return f;
  }

  // ---- packets in ---------------------------------------------------------------------------

  readonly onPacket = (p: CapturedPacket): void => {
    const n = ++this.seq;
    this.packets++;
    let buf: Buffer;
    let off: number;
    let cap: number;
    if (p instanceof FramePacket) {
      buf = p.chunk;
      off = p.dataOffset;
      cap = p.capLen;
    } else {
      buf = p.data;
      off = 0;
      cap = buf.length;
    }
    this.bytes += cap;
    let adv = 0;
    if (p.tsSec > this.nowSec || (p.tsSec === this.nowSec && p.tsNsec > this.nowNsec)) {
      this.nowSec = p.tsSec;
      this.nowNsec = p.tsNsec;
      adv = 1;
    }
    while (n - this.detN >= HISTORY) this.waitForRelease();
    const h = n & HMASK;
    this.hSec[h] = this.nowSec;
    this.hNsec[h] = this.nowNsec;
    this.hAdv[h] = adv;
    this.hSrc[h] = p.sourceIndex;
    if (cap < p.origLen) {
      const src = p.sourceIndex;
      (this.snaplenCut[src] ??= { packets: 0, lostMessages: 0 }).packets++;
      this.firstCut[src] ??= n;
    }
    if (this.failed) return;
    const d = this.decoded;
    if (!this.decoder.decode(p, d)) {
      this.notDecoded++;
    } else {
      const w = pairHash(d.buf, d.srcAddrOffset, d.dstAddrOffset, d.ipVersion === 4 ? 4 : 16) % this.n;
      const ring = this.rings[w]!; // w = hash % n: rings has n entries
      const pos = ring.reserve(cap, () => this.pump());
      if (pos >= 0) {
        ring.header(pos, ENTRY_PACKET, cap, n, p.tsSec, p.tsNsec, p.linktype, this.nowSec, this.nowNsec, p.origLen);
        ring.copyIn(pos, buf, off, cap);
        ring.commit(cap);
        this.lastSent[w] = n;
      }
    }
    if (n % TICK_EVERY === 0) this.tickAll(ENTRY_TICK);
    if (n % POLL_EVERY === 0) this.pump();
  };

  /** Live, or a replay waiting on stdin: quiet moments still move the merge (records reach the output without more packets). */
  startLiveTimer(): void {
    this.liveTimer = setInterval(() => {
      this.tickAll(ENTRY_TICK);
      this.pump();
    }, 100);
    this.liveTimer.unref();
  }

  /** Capture end: every worker ends its connections, then detection ends (async: waits for them). */
  async finish(): Promise<void> {
    await this.end(ENTRY_FINISH);
    if (!this.failed) this.inner.finishDetection();
  }

  /** Interrupted: every worker reports what it did; nothing is ended (the output is a prefix of the run). */
  async stop(): Promise<void> {
    await this.end(ENTRY_STOP);
  }

  private async end(type: number): Promise<void> {
    if (this.liveTimer) clearInterval(this.liveTimer);
    const n = ++this.seq;
    while (n - this.detN >= HISTORY) this.waitForRelease();
    const h = n & HMASK;
    this.hSec[h] = this.nowSec < 0 ? 0 : this.nowSec;
    this.hNsec[h] = this.nowNsec;
    this.hAdv[h] = 0;
    if (!this.failed) this.tickAll(type);
    else for (let i = 0; i < this.n; i++) if (!this.rings[i]!.failed) this.sendControl(i, ENTRY_STOP, n);
    while (!this.allDone()) {
      this.pump();
      if (this.allDone()) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    this.pump();
    this.release(Infinity);
    this.advanceDetection(this.failed ? n - 1 : n);
  }

  private allDone(): boolean {
    for (let i = 0; i < this.n; i++) if (!this.done[i] && !this.rings[i]!.failed) return false;
    return true;
  }

  private tickAll(type: number): void {
    const n = this.seq;
    for (let i = 0; i < this.n; i++) {
      if (type === ENTRY_TICK && this.lastSent[i]! >= n) continue;
      this.sendControl(i, type, n);
    }
  }

  private sendControl(i: number, type: number, n: number): void {
    const ring = this.rings[i]!;
    const pos = ring.reserve(0, () => this.pump());
    if (pos < 0) return;
    ring.header(pos, type, 0, n, 0, 0, 0, this.nowSec < 0 ? 0 : this.nowSec, this.nowNsec, 0);
    ring.commit(0);
    ring.publish();
    this.lastSent[i] = n;
  }

  /** The history is full: the merge must move (ticks let idle workers' watermarks catch up). */
  private waitForRelease(): void {
    this.tickAll(ENTRY_TICK);
    this.pump();
    if (this.seq - this.detN >= HISTORY) sleepMs(1);
    if (this.failed && this.seq - this.detN >= HISTORY) this.detN = this.seq - HISTORY + 1;
  }

  // ---- records back: merge ------------------------------------------------------------------

  /** Reads every waiting worker message, then releases what every worker has passed. */
  pump(): void {
    for (let i = 0; i < this.n; i++) this.rings[i]!.publish();
    for (let i = 0; i < this.n; i++) {
      let m;
      while ((m = receiveMessageOnPort(this.ports[i]!)) !== undefined) this.onMessage(i, m.message as WorkerMessage);
    }
    let r = Infinity;
    for (let i = 0; i < this.n; i++) if (this.watermark[i]! < r) r = this.watermark[i]!;
    this.release(r);
    this.advanceDetection(r);
  }

  private onMessage(i: number, m: WorkerMessage): void {
    if (m.t === 'error') {
      this.workerFailed(i, m.message);
      return;
    }
    // i indexes the workers; a message holds TAG_WIDTH tags per record and 5 numbers per loss
    // (our own worker's protocol.ts)
    const q = this.queues[i]!;
    const lo = this.watermark[i]!;
    for (let k = 0; k < m.recs.length; k++) {
      const t = k * TAG_WIDTH;
      let n = m.tags[t]!;
      const phase = m.tags[t + 1]!;
      if (phase === PHASE_EXPIRY) n = this.expiryPoint(lo, n, m.tags[t + 4]!, m.tags[t + 5]!);
      q.recs.push(m.recs[k]!);
      q.keys.push(n, phase, m.tags[t + 2]!, m.tags[t + 6]!);
    }
    const ls = m.losses;
    for (let k = 0; k < ls.length; k += 5) {
      let n = ls[k]!;
      if (ls[k + 1] === PHASE_EXPIRY) n = this.expiryPoint(lo, n, ls[k + 2]!, ls[k + 3]!);
      // as one engine counts: the packet whose handling lost them, if its input was cut by then
      const src = this.hSrc[n & HMASK]!;
      const first = this.firstCut[src];
      // firstCut[src] and snaplenCut[src] are set together
      if (first !== undefined && first <= n) this.snaplenCut[src]!.lostMessages += ls[k + 4]!;
    }
    this.watermark[i] = m.watermark;
    if (m.counters) this.snapshots[i] = m.counters;
    if (m.done) this.done[i] = true;
  }

  /** The first packet in (lo, hi] at which one engine's idle check ends a connection last seen at sec.nsec. */
  private expiryPoint(lo: number, hi: number, sec: number, nsec: number): number {
    const idle = this.idleNs;
    let a = Math.max(lo + 1, this.detN + 1);
    let b = hi;
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      const h = mid & HMASK;
      if ((this.hSec[h]! - sec) * 1e9 + (this.hNsec[h]! - nsec) >= idle) b = mid;
      else a = mid + 1;
    }
    return a;
  }

  /** Writes, in merged order, every queued record tagged at or below r. */
  private release(r: number): void {
    const qs = this.queues;
    for (;;) {
      let best = -1;
      let bn = 0;
      let bp = 0;
      let bk = 0;
      for (let i = 0; i < qs.length; i++) {
        const q = qs[i]!;
        if (q.head >= q.recs.length) continue;
        // four keys per queued record
        const j = q.head * 4;
        const n = q.keys[j]!;
        if (n > r) continue;
        const p = q.keys[j + 1]!;
        const k = q.keys[j + 2]!;
        if (best < 0 || n < bn || (n === bn && (p < bp || (p === bp && k < bk)))) {
          best = i;
          bn = n;
          bp = p;
          bk = k;
        }
      }
      if (best < 0) break;
      const q = qs[best]!;
      const rec = q.recs[q.head];
      const internal = q.keys[q.head * 4 + 3] === 1;
      (q.recs as unknown[])[q.head] = null;
      q.head++;
      if (q.head === q.recs.length) {
        q.recs.length = 0;
        q.keys.length = 0;
        q.head = 0;
      }
      this.advanceDetection(bp === PHASE_EXPIRY ? bn - 1 : bn);
      if (internal) this.inner.writeInternal(rec as InternalRecord);
      else this.inner.writeRecord(rec as LifecycleRecord);
    }
  }

  /** Detection's per-packet time calls up to packet n (those that moved capture time). */
  private advanceDetection(n: number): void {
    if (n > this.seq) n = this.seq;
    while (this.detN < n) {
      const h = ++this.detN & HMASK;
      if (this.hAdv[h] === 1) this.inner.onTimeAt(this.hSec[h]!, this.hNsec[h]!);
    }
  }

  private workerFailed(i: number, message: string): void {
    if (this.failedWorkers.has(i)) return;
    this.failedWorkers.add(i);
    this.done[i] = true;
    process.stderr.write(`sharewatch: worker ${i} failed: ${message}\n`);
    if (!this.failed) {
      this.failed = true;
      this.onFailure?.();
    }
  }
}

/** Hash of the unordered address pair (same for both directions). */
export function pairHash(buf: Buffer, a: number, b: number, len: number): number {
  return (addrHash(buf, a, len) + addrHash(buf, b, len)) >>> 0;
}

function addrHash(buf: Buffer, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i += 4) {
    h = Math.imul(h ^ buf.readUInt32BE(off + i), 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
