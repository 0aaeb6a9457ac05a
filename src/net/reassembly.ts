/**
 * One direction of a TCP connection: sequence tracking, out-of-order holding, gaps.
 *
 * Positions are kept as a JS number `streamOff` (bytes since the first byte, no wrap) beside the
 * uint32 `nextSeq`; a segment's place is `(seq - nextSeq) | 0` (signed 32-bit difference, so
 * sequence wrap-around is free).
 *
 * Overlap policy: FIRST SEEN WINS (Suricata's "first" policy). Bytes already delivered are never
 * replaced; a held out-of-order segment keeps its bytes, and a later segment covering the same
 * range only fills what is still missing. Why: a sensor cannot know which copy the receiving
 * host kept (it depends on its OS), and with first-wins the result does not depend on how
 * later copies are cut, so retransmissions and re-segmentations give the same stream.
 *
 * A hole is given up (the framer is told `gap(n)`, the sink `onGap`) when: the receiver ACKs
 * past it (the data was sent but not captured), it is older than the gap timeout, holding more
 * would pass a memcap, or the connection ends.
 */
import type { Conn, Direction } from '../shared/stream';
import { NbssFramer, type FramerHost } from './nbss-framer';
import { DcerpcFramer } from './dcerpc-framer';

export interface ReassemblyOptions {
  /** most bytes held out of order in one direction of a connection */
  maxOooBytesPerFlow: number;
  /** most bytes held out of order over all connections */
  maxOooBytesTotal: number;
  /** capture seconds a hole may stay open before the held data is delivered after a gap */
  gapTimeoutSec: number;
}

export interface ReassemblyHost extends FramerHost {
  readonly reasmOpts: ReassemblyOptions;
}

interface Held {
  /** stream offset of the first byte */
  off: number;
  /** captured bytes (a copy: packet buffers are reused) */
  data: Buffer;
  /** bytes after `data` announced but not captured (snaplen cut) */
  missing: number;
}

const EMPTY = Buffer.alloc(0);
/** largest believable distance of an ACK beyond the next expected byte (window scaling tops out ~1 GiB; real windows are far below 64 MiB) */
const MAX_ACK_AHEAD = 64 * 1024 * 1024;

export class TcpHalf {
  seqKnown = false;
  nextSeq = 0;
  streamOff = 0;
  synSeen = false;
  finSeen = false;
  /** payload seen (a SYN after data means a new connection) */
  dataSeen = false;
  /** DCE/RPC stream picked up by its first PDU (a bind) without the SYN: that PDU starts the stream */
  firstPayloadIsStart = false;
  isn = 0;
  private held: Held[] | null = null;
  private heldBytes = 0;
  private heldSinceSec = 0;
  /** highest stream offset the peer acknowledged (bytes below it were sent) */
  private ackedOff = 0;
  private framer: NbssFramer | DcerpcFramer | null = null;

  constructor(
    private readonly host: ReassemblyHost,
    private readonly conn: Conn,
    private readonly dir: Direction,
    private readonly port139: boolean,
    /** the connection carries DCE/RPC PDUs (ncacn_ip_tcp), not NBSS */
    private readonly dcerpc = false,
  ) {}

  get holding(): boolean {
    return this.held !== null && this.held.length > 0;
  }

  syn(seq: number): void {
    if (this.dataSeen) return;
    this.synSeen = true;
    this.isn = seq;
    this.seqKnown = true;
    this.nextSeq = (seq + 1) >>> 0;
    this.streamOff = 0;
  }

  /** A segment: captured payload b[off..off+len), `missing` more bytes announced but cut. */
  segment(seq: number, b: Buffer, off: number, len: number, missing: number, nowSec: number): void {
    const total = len + missing;
    if (total <= 0) return;
    if (!this.seqKnown) {
      this.seqKnown = true;
      this.nextSeq = seq >>> 0;
    }
    this.dataSeen = true;
    if (this.framer === null) {
      this.framer = this.dcerpc
        ? new DcerpcFramer(this.host, this.conn, this.dir, this.synSeen || this.firstPayloadIsStart)
        : new NbssFramer(this.host, this.conn, this.dir, this.port139, this.synSeen);
    }
    const c = this.host.counters;
    const d = (seq - this.nextSeq) | 0;
    if (d > 0) {
      if (this.ackedOff >= this.streamOff + d) {
        // the peer already acknowledged the whole hole: it will never be captured
        c.gapsAckedHole++;
        const s = this.streamOff + d;
        this.gapTo(s);
        const trim = this.streamOff - s;
        if (trim < total) this.deliver(trim, b, off, len, missing);
        this.drain();
        return;
      }
      this.hold(this.streamOff + d, b, off, len, missing, nowSec);
      return;
    }
    if (d + total <= 0) {
      c.segmentsRetransmitted++;
      return;
    }
    if (d < 0) {
      c.segmentsOverlapping++;
      c.bytesOverlapIgnored += -d;
    }
    this.deliver(-d, b, off, len, missing);
    if (this.held !== null && this.held.length > 0) this.drain();
  }

  /** The peer acknowledged up to `ack`: holes it covers were sent but not captured. */
  acked(ack: number): void {
    if (!this.seqKnown) return;
    const ahead = (ack - this.nextSeq) | 0;
    // an ACK further ahead than any real window is bogus (or a wrapped/garbage value): ignore it
    if (ahead > 0 && ahead <= MAX_ACK_AHEAD && this.streamOff + ahead > this.ackedOff) this.ackedOff = this.streamOff + ahead;
    const held = this.held;
    if (held === null || held.length === 0) return;
    while (held.length > 0) {
      const rel = (ack - this.nextSeq) | 0;
      if (rel <= 0 || rel > MAX_ACK_AHEAD || this.streamOff + rel < held[0]!.off) return;
      this.host.counters.gapsAckedHole++;
      this.gapTo(held[0]!.off);
    }
  }

  /** Give up a hole held open longer than the gap timeout. */
  checkTimeout(nowSec: number): void {
    if (this.held === null || this.held.length === 0) return;
    if (nowSec - this.heldSinceSec < this.host.reasmOpts.gapTimeoutSec) return;
    this.host.counters.gapsTimeout++;
    this.gapTo(this.held[0]!.off);
  }

  /** Connection end: deliver what is held (after gaps), then close the framer. */
  end(): void {
    const held = this.held;
    if (held !== null && held.length > 0) {
      this.host.counters.gapsAtEnd++;
      const last = held[held.length - 1]!;
      this.gapTo(last.off + last.data.length + last.missing);
    }
    if (this.framer !== null) this.framer.end();
    this.releaseHeld();
  }

  private releaseHeld(): void {
    if (this.heldBytes > 0) this.host.counters.oooBytesHeld -= this.heldBytes;
    this.heldBytes = 0;
    this.held = null;
  }

  /** Deliver an in-order segment whose first `trim` bytes were already delivered. */
  private deliver(trim: number, b: Buffer, off: number, len: number, missing: number): void {
    if (trim < len) {
      const n = len - trim;
      this.host.counters.bytesInOrder += n;
      this.advance(n);
      this.framer!.feed(b, off + trim, off + len);
      if (missing > 0) {
        this.host.counters.snaplenCutBytes += missing;
        this.gap(missing);
      }
    } else {
      const miss = len + missing - trim;
      if (miss > 0) {
        this.host.counters.snaplenCutBytes += miss;
        this.gap(miss);
      }
    }
  }

  private advance(n: number): void {
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.streamOff += n;
  }

  private gap(n: number): void {
    const h = this.host;
    h.counters.gaps++;
    h.counters.gapBytes += n;
    this.advance(n);
    this.framer!.gap(n);
    h.sink.onGap(this.conn, this.dir, n, h.tsSec, h.tsNsec);
  }

  /** Deliver held data in order, declaring gaps for holes, until `target`. */
  private gapTo(target: number): void {
    const held = this.held;
    while (this.streamOff < target) {
      if (held !== null && held.length > 0 && held[0]!.off <= this.streamOff) {
        this.popHeld();
        continue;
      }
      let next = target;
      if (held !== null && held.length > 0 && held[0]!.off < next) next = held[0]!.off;
      this.gap(next - this.streamOff);
    }
    this.drain();
  }

  private drain(): void {
    const held = this.held;
    if (held === null) return;
    while (held.length > 0 && held[0]!.off <= this.streamOff) this.popHeld();
    if (held.length === 0) this.releaseHeld();
  }

  private popHeld(): void {
    const h = this.held!.shift()!;
    this.heldBytes -= h.data.length;
    this.host.counters.oooBytesHeld -= h.data.length;
    const trim = this.streamOff - h.off;
    if (trim >= h.data.length + h.missing) return;
    this.deliver(trim, h.data, 0, h.data.length, h.missing);
  }

  /** Hold a future segment [s, s+len+missing), keeping bytes already held (first wins). */
  private hold(s: number, b: Buffer, off: number, len: number, missing: number, nowSec: number): void {
    const c = this.host.counters;
    const opts = this.host.reasmOpts;
    if (this.heldBytes + len > opts.maxOooBytesPerFlow || c.oooBytesHeld + len > opts.maxOooBytesTotal) {
      if (this.heldBytes + len > opts.maxOooBytesPerFlow) c.oooMemcapFlowHits++;
      else c.oooMemcapGlobalHits++;
      // give up everything before this segment, then take it in order
      c.gapsMemcap++;
      this.gapTo(s);
      const trim = this.streamOff - s;
      if (trim < len + missing) this.deliver(trim, b, off, len, missing);
      this.drain();
      return;
    }
    if (this.held === null) this.held = [];
    const held = this.held;
    if (held.length === 0) this.heldSinceSec = nowSec;
    const e = s + len + missing;
    const dataEnd = s + len;
    let overlapped = false;
    // walk the held ranges (sorted, disjoint) and insert the uncovered pieces
    let pos = s;
    let i = 0;
    while (pos < e) {
      while (i < held.length && held[i]!.off + held[i]!.data.length + held[i]!.missing <= pos) i++;
      let pieceEnd = e;
      if (i < held.length) {
        const ho = held[i]!.off;
        if (ho <= pos) {
          // pos is covered by held[i]: skip past it
          overlapped = true;
          pos = ho + held[i]!.data.length + held[i]!.missing;
          continue;
        }
        if (ho < pieceEnd) pieceEnd = ho;
      }
      this.insertPiece(i, pos, pieceEnd, dataEnd, b, off - s);
      i++;
      pos = pieceEnd;
    }
    c.segmentsHeldOutOfOrder++;
    if (overlapped) c.segmentsOverlapping++;
  }

  private insertPiece(i: number, a: number, e: number, dataEnd: number, b: Buffer, base: number): void {
    let data = EMPTY;
    let missing = 0;
    if (a < dataEnd) {
      const de = e < dataEnd ? e : dataEnd;
      data = Buffer.allocUnsafe(de - a);
      b.copy(data, 0, base + a, base + de);
      missing = e - de;
    } else {
      missing = e - a;
    }
    this.held!.splice(i, 0, { off: a, data, missing });
    this.heldBytes += data.length;
    this.host.counters.oooBytesHeld += data.length;
  }
}
