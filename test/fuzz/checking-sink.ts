/**
 * A StreamSink that checks src/net's side of the contract on every call (conn started before
 * use, never used after its end, ended exactly once by finish(), messages start with an SMB
 * protocol id, data.length ≤ length and `truncated` tells the truth, the head handed to
 * keepBytes is what the contract promises) and records what it got.
 */
import type { Conn, ConnEndReason, Direction, SmbMessage, StreamSink } from '../../src/shared/stream';
import { bytesToKeep } from '../../dissectors/skip-policy';

const REASONS = new Set<ConnEndReason>(['fin', 'rst', 'idle_timeout', 'capture_end', 'evicted']);
/** the framer always collects this much of a message's head before asking keepBytes */
const HEAD = 256;
const NBSS_CONTROL = new Set([0x81, 0x82, 0x83, 0x84, 0x85]);

export interface DeliveredMessage {
  conn: number;
  dir: Direction;
  data: Buffer;
  length: number;
  truncated: boolean;
  afterGap: boolean;
}

export class CheckingSink implements StreamSink {
  readonly live = new Map<number, Conn>();
  readonly ended = new Map<number, ConnEndReason>();
  readonly messages: DeliveredMessage[] = [];
  controls = 0;
  gaps = 0;
  gapBytes = 0;
  lastId = 0;
  /** the frame being handled: a message inside it is a zero-copy view and costs no buffer */
  currentFrame: Buffer | null = null;
  /** keep every message copy (the NBSS property compares them with the stream) */
  constructor(
    /** most bytes a message may hold when it is no view of the current frame */
    private readonly maxMessageBytes: number,
    private readonly keepCopies = true,
    private readonly keep: (head: Buffer, total: number) => number = bytesToKeep,
  ) {}

  private active(conn: Conn, what: string): void {
    if (this.live.get(conn.id) !== conn) throw new Error(`${what} for conn ${conn.id}, which ${this.ended.has(conn.id) ? 'has ended' : 'never started'}`);
  }

  onConnStart(conn: Conn): void {
    if (this.live.has(conn.id) || this.ended.has(conn.id)) throw new Error(`conn ${conn.id} started twice`);
    if (conn.id <= this.lastId) throw new Error(`conn ids not increasing: ${conn.id} after ${this.lastId}`);
    this.lastId = conn.id;
    for (const v of [conn.clientPort, conn.serverPort, conn.startSec, conn.startNsec]) {
      if (!Number.isInteger(v) || v < 0) throw new Error('conn field ' + v);
    }
    if (typeof conn.clientIp !== 'string' || typeof conn.serverIp !== 'string') throw new Error('conn ip not a string');
    this.live.set(conn.id, conn);
  }

  keepBytes(head: Buffer, total: number): number {
    if (!Number.isInteger(total) || total < 0 || total > 0xffffff + 4) throw new Error('keepBytes total ' + total);
    if (head.length < Math.min(64, total) || head.length > total) throw new Error(`keepBytes head ${head.length} of ${total}`);
    return this.keep(head, total);
  }

  onSmbMessage(m: SmbMessage): void {
    this.active(m.conn, 'message');
    const d = m.data;
    if (m.dir !== 0 && m.dir !== 1) throw new Error('dir ' + m.dir);
    if (!Number.isInteger(m.tsSec) || !Number.isInteger(m.tsNsec) || m.tsNsec < 0 || m.tsNsec >= 1e9) throw new Error('msg ts');
    if (d.length > m.length) throw new Error(`data ${d.length} > length ${m.length}`);
    if (m.truncated !== d.length < m.length) throw new Error(`truncated=${m.truncated} but ${d.length}/${m.length}`);
    const f = this.currentFrame;
    const view = f !== null && d.buffer === f.buffer && d.byteOffset >= f.byteOffset && d.byteOffset + d.length <= f.byteOffset + f.length;
    if (!view && d.length > Math.max(this.maxMessageBytes, HEAD)) throw new Error(`message of ${d.length} bytes buffered past the memcap`);
    if (d.length < 4 || d[1] !== 0x53 || d[2] !== 0x4d || d[3] !== 0x42 || d[0] < 0xfc) throw new Error('message does not start with an SMB protocol id');
    this.messages.push({
      conn: m.conn.id,
      dir: m.dir,
      data: this.keepCopies ? Buffer.from(d) : d.subarray(0, 0),
      length: m.length,
      truncated: m.truncated,
      afterGap: m.afterGap,
    });
  }

  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer): void {
    this.active(conn, 'control');
    if (!NBSS_CONTROL.has(type)) throw new Error('control type ' + type);
    if (body.length > 0x1ffff) throw new Error('control body ' + body.length);
    this.controls++;
  }

  onGap(conn: Conn, dir: Direction, bytes: number): void {
    this.active(conn, 'gap');
    if (!Number.isFinite(bytes) || bytes <= 0) throw new Error('gap of ' + bytes);
    this.gaps++;
    this.gapBytes += bytes;
  }

  onConnEnd(conn: Conn, reason: ConnEndReason): void {
    this.active(conn, 'end');
    if (!REASONS.has(reason)) throw new Error('end reason ' + reason);
    this.live.delete(conn.id);
    this.ended.set(conn.id, reason);
  }

  onTime(sec: number, nsec: number): void {
    if (!Number.isFinite(sec) || !Number.isFinite(nsec)) throw new Error('time');
  }

  /** After finish(): nothing left open. */
  checkFinished(): void {
    if (this.live.size) throw new Error(`${this.live.size} connections never ended`);
  }
}
