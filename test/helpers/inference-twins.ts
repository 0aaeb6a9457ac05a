/**
 * Ground truth for the inference through SMB3 encryption (issue 21): plaintext twins.
 *
 * - Lab twins: captures/inf-*-enc.pcap and inf-*-clear.pcap are the same commands recorded
 *   encrypted and in the clear (captures/record.sh); the clear one's trees are the truth.
 * - Synthetic twins: a plaintext capture replayed as if it were encrypted — every SMB2 message
 *   after SESSION_SETUP (a compound chain as one message, as MS-SMB2 3.2.4.1.4 encrypts it)
 *   becomes a 52-byte TRANSFORM header carrying its real size as OriginalMessageSize — so the
 *   truth is the same capture's plaintext trees, with the same timing.
 */
import { readCaptures } from '../../src/capture/reader';
import { NetPipeline } from '../../src/net/pipeline';
import type { Conn, ConnEndReason, Direction, SmbMessage, StreamSink } from '../../src/shared/stream';
import { Tracker } from '../../src/tracker/tracker';
import { Detector } from '../../src/detect/detector';
import { defaultConfig, parseConfig, type Config } from '../../src/shared/config';
import type { AlertRecord, InferredTreeRecord, LifecycleRecord, OutputRecord, TreeDisconnectRecord } from '../../src/shared/records';
import { analyze } from './analyze';

const SMB2_NEGOTIATE = 0;
const SMB2_SESSION_SETUP = 1;

/** Hands the tracker every plaintext SMB2 message after SESSION_SETUP as a TRANSFORM header of its size. */
class EncryptingSink implements StreamSink {
  private readonly hdr = Buffer.alloc(52);
  private readonly fake: SmbMessage = { conn: null as unknown as Conn, dir: 0, tsSec: 0, tsNsec: 0, data: this.hdr, length: 0, truncated: false, afterGap: false };
  converted = 0;
  constructor(private readonly t: Tracker) {
    this.hdr.write('\xfdSMB', 0, 'latin1');
    this.hdr.writeUInt16LE(1, 42); // Flags: encrypted
  }
  onConnStart(c: Conn): void {
    this.t.onConnStart(c);
  }
  keepBytes(head: Buffer, total: number, conn?: Conn): number {
    return this.t.keepBytes(head, total, conn);
  }
  onDcerpcPdu(c: Conn, dir: Direction, pdu: Buffer, afterGap: boolean, s: number, n: number): void {
    this.t.onDcerpcPdu(c, dir, pdu, afterGap, s, n);
  }
  onSmbMessage(msg: SmbMessage): void {
    const d = msg.data;
    if (d.length >= 64 && d.readUInt32BE(0) === 0xfe534d42) {
      const cmd = d.readUInt16LE(12);
      const sidLo = d.readUInt32LE(40);
      const sidHi = d.readUInt32LE(44);
      if (cmd !== SMB2_NEGOTIATE && cmd !== SMB2_SESSION_SETUP && (sidLo !== 0 || sidHi !== 0)) {
        this.hdr.writeUInt32LE(msg.length, 36);
        this.hdr.writeUInt32LE(sidLo, 44);
        this.hdr.writeUInt32LE(sidHi, 48);
        const f = this.fake;
        f.conn = msg.conn;
        f.dir = msg.dir;
        f.tsSec = msg.tsSec;
        f.tsNsec = msg.tsNsec;
        f.length = 52 + msg.length;
        f.afterGap = msg.afterGap;
        this.converted++;
        this.t.onSmbMessage(f);
        return;
      }
    }
    this.t.onSmbMessage(msg);
  }
  onNbssControl(c: Conn, dir: Direction, type: number, body: Buffer, s: number, n: number): void {
    this.t.onNbssControl(c, dir, type, body, s, n);
  }
  onGap(c: Conn, dir: Direction, bytes: number, s: number, n: number): void {
    this.t.onGap(c, dir, bytes, s, n);
  }
  onConnEnd(c: Conn, r: ConnEndReason, s: number, n: number): void {
    this.t.onConnEnd(c, r, s, n);
  }
  onTime(s: number, n: number): void {
    this.t.onTime(s, n);
  }
}

/** Analysis of plaintext captures replayed as if encrypted (same config handling as analyze()). */
export async function analyzeAsEncrypted(files: string[], config?: unknown): Promise<{ records: OutputRecord[]; converted: number; tracker: Tracker }> {
  const cfg: Config = config === undefined ? defaultConfig() : parseConfig(config, 'test');
  const records: OutputRecord[] = [];
  const detector = new Detector(cfg, (a: AlertRecord) => records.push(a));
  const tracker = new Tracker(
    (rec: LifecycleRecord) => {
      records.push(rec);
      detector.process(rec);
    },
    {
      extraAdminShares: cfg.shareClasses.admin,
      knownShares: cfg.inference.knownShares,
      maxInferenceSessions: cfg.inference.maxSessions,
    },
  );
  const sink = new EncryptingSink(tracker);
  const net = new NetPipeline(sink, { idleTimeoutSec: cfg.tracker.idleTimeout });
  let last = { sec: 0, nsec: 0 };
  await readCaptures(files, (p) => {
    last = { sec: p.tsSec, nsec: p.tsNsec };
    net.handle(p);
  });
  net.finish();
  detector.finish(last);
  return { records, converted: sink.converted, tracker };
}

export interface Truth {
  len: number;
  startNs: number;
  durationNs: number;
  name: string;
}
export interface Inferred {
  len: number;
  startNs: number;
  durationNs: number;
  candidates: readonly string[];
}

const tsNs = (t: { sec: number; nsec: number }): number => t.sec * 1e9 + t.nsec;

export function truthTrees(records: readonly OutputRecord[]): Truth[] {
  return records
    .filter((r): r is TreeDisconnectRecord => r.kind === 'tree-disconnect' && r.tree.success)
    .map((r) => ({ len: r.tree.shareName.length, startNs: tsNs(r.ts) - r.durationNs, durationNs: r.durationNs, name: r.tree.shareName }))
    .sort((a, b) => a.startNs - b.startNs);
}

export function inferredTrees(records: readonly OutputRecord[]): Inferred[] {
  return records
    .filter((r): r is InferredTreeRecord => r.kind === 'inferred-tree')
    .map((r) => ({ len: r.shareNameLength, startNs: tsNs(r.startTs), durationNs: r.durationNs, candidates: r.shareCandidates }))
    .sort((a, b) => a.startNs - b.startNs);
}

export interface Score {
  /** true positives, items inferred, items true */
  tp: number;
  inferred: number;
  truth: number;
}

/**
 * Inferred trees against true ones, in start order: a match has the same share length and (when
 * toleranceNs is finite) a duration within toleranceNs of the truth's.
 */
export function scoreTrees(inf: readonly Inferred[], truth: readonly Truth[], toleranceNs: number): Score {
  const used = new Set<number>();
  let tp = 0;
  for (const i of inf) {
    const j = truth.findIndex((t, k) => !used.has(k) && t.len === i.len && Math.abs(t.durationNs - i.durationNs) <= toleranceNs);
    if (j >= 0) {
      used.add(j);
      tp++;
    }
  }
  return { tp, inferred: inf.length, truth: truth.length };
}

/** SW-0015 alerts (encrypted) against SW-0001 alerts (clear twin), matched by share length in order. */
export function scoreAlerts(encRecords: readonly OutputRecord[], clearRecords: readonly OutputRecord[]): Score {
  const sw15 = encRecords.filter((r): r is AlertRecord => r.kind === 'alert' && r.ruleId === 'SW-0015' && r.count === null);
  const sw1 = clearRecords.filter((r): r is AlertRecord => r.kind === 'alert' && r.ruleId === 'SW-0001' && r.count === null);
  const used = new Set<number>();
  let tp = 0;
  for (const a of sw15) {
    const len = (a.about as InferredTreeRecord).shareNameLength;
    const j = sw1.findIndex((b, k) => !used.has(k) && (b.about as TreeDisconnectRecord).tree.shareName.length === len);
    if (j >= 0) {
      used.add(j);
      tp++;
    }
  }
  return { tp, inferred: sw15.length, truth: sw1.length };
}

export function add(a: Score, b: Score): Score {
  return { tp: a.tp + b.tp, inferred: a.inferred + b.inferred, truth: a.truth + b.truth };
}

export const precision = (s: Score): number => (s.inferred === 0 ? 1 : s.tp / s.inferred);
export const recall = (s: Score): number => (s.truth === 0 ? 1 : s.tp / s.truth);

/** every alert counted (no suppression), defaults otherwise */
export const NO_SUPPRESSION = { suppression: { window: 0 } };

/** Lab twin: (encrypted, clear) analyses. */
export async function twin(enc: string, clear: string): Promise<{ enc: OutputRecord[]; clear: OutputRecord[] }> {
  const [e, c] = await Promise.all([analyze([enc], NO_SUPPRESSION), analyze([clear], NO_SUPPRESSION)]);
  return { enc: e.records, clear: c.records };
}
