/**
 * DCE/RPC (ncacn_ip_tcp) framing of one direction of a TCP connection: in-order bytes and gaps
 * in, whole connection-oriented PDUs out (the same Stream role as NbssFramer). A PDU is framed by
 * its common header's frag_length (bytes 8–9, byte order from the data representation in byte 4).
 *
 * - A PDU inside one chunk is handed up as a view; one spanning chunks is copied into a reused
 *   per-direction buffer (frag_length is 16 bits, so a PDU is at most 64 KiB).
 * - A gap inside a PDU whose header was seen drops that PDU and keeps the framing (the length is
 *   known); a gap between PDUs, or a header that is not v5.0, makes the framer hunt for the next
 *   plausible header (version 5.0, known PDU type, sane frag_length).
 */
import type { Conn, Direction } from '../shared/stream';
import type { FramerHost } from './nbss-framer';

/** connection-oriented common header length */
export const DCERPC_HEADER = 16;
/** the highest connection-oriented PDU type (rts) */
const MAX_PTYPE = 20;

/** Does b[p..] start a plausible connection-oriented DCE/RPC v5.0 header (16 bytes needed)? */
export function looksLikeDcerpcHeader(b: Buffer, p: number, end: number): boolean {
  if (end - p < DCERPC_HEADER) return false;
  if (b[p]! !== 5 || b[p + 1]! !== 0 || b[p + 2]! > MAX_PTYPE) return false;
  const drep0 = b[p + 4]!;
  if ((drep0 & 0xef) !== 0) return false; // integer representation bit only; ASCII charset
  const len = fragLengthAt(b, p);
  return len >= DCERPC_HEADER && len >= DCERPC_HEADER + authLengthAt(b, p);
}

/** Does a stream starting at b[p..end) open with a bind or alter_context (a client's first PDU)? */
export function looksLikeDcerpcBind(b: Buffer, p: number, end: number): boolean {
  return looksLikeDcerpcHeader(b, p, end) && (b[p + 2] === 11 || b[p + 2] === 14);
}

function fragLengthAt(b: Buffer, p: number): number {
  return (b[p + 4]! & 0x10) !== 0 ? b[p + 8]! | (b[p + 9]! << 8) : (b[p + 8]! << 8) | b[p + 9]!;
}

function authLengthAt(b: Buffer, p: number): number {
  return (b[p + 4]! & 0x10) !== 0 ? b[p + 10]! | (b[p + 11]! << 8) : (b[p + 10]! << 8) | b[p + 11]!;
}

const HEADER = 0;
const BODY = 1;
const HUNT = 2;

export class DcerpcFramer {
  private state: number;
  /** bytes of the current PDU collected in buf (header included) */
  private have = 0;
  private need = DCERPC_HEADER;
  private damaged = false;
  private afterGap: boolean;
  private readonly buf = Buffer.allocUnsafe(65536);

  constructor(
    private readonly host: FramerHost,
    private readonly conn: Conn,
    private readonly dir: Direction,
    synced: boolean,
  ) {
    this.state = synced ? HEADER : HUNT;
    this.afterGap = !synced;
  }

  feed(b: Buffer, off: number, end: number): void {
    while (off < end) {
      if (this.state === HUNT) {
        off = this.hunt(b, off, end);
        continue;
      }
      if (this.have === 0 && end - off >= DCERPC_HEADER) {
        // common case: the header is in this chunk
        if (!looksLikeDcerpcHeader(b, off, end)) {
          this.badHeader();
          continue;
        }
        const len = fragLengthAt(b, off);
        if (end - off >= len) {
          this.deliver(b.subarray(off, off + len));
          off += len;
          continue;
        }
        this.need = len;
      }
      const take = Math.min(this.need - this.have, end - off);
      b.copy(this.buf, this.have, off, off + take);
      this.have += take;
      off += take;
      if (this.state === HEADER && this.have >= DCERPC_HEADER && this.need === DCERPC_HEADER) {
        if (!looksLikeDcerpcHeader(this.buf, 0, this.have)) {
          this.have = 0;
          this.badHeader();
          continue;
        }
        this.need = fragLengthAt(this.buf, 0);
        this.state = BODY;
      } else if (this.state === HEADER && this.need > DCERPC_HEADER) {
        this.state = BODY;
      }
      if (this.have === this.need) this.complete();
    }
  }

  /** n stream bytes lost before the next feed. */
  gap(n: number): void {
    if (n <= 0) return;
    this.afterGap = true;
    if (this.state === BODY || (this.state === HEADER && this.have > 0 && this.need > DCERPC_HEADER)) {
      const left = this.need - this.have;
      this.damaged = true;
      if (n < left) {
        // the rest of the PDU still comes: count it in without bytes
        this.have += n;
        return;
      }
      this.complete();
      if (n > left) this.startHunt();
      return;
    }
    if (this.state === HEADER) {
      this.have = 0;
      this.startHunt();
    }
  }

  end(): void {
    if (this.have > 0) this.host.counters.messagesIncompleteAtEnd++;
    this.have = 0;
    this.state = HEADER;
  }

  private complete(): void {
    const len = this.need;
    this.state = HEADER;
    this.need = DCERPC_HEADER;
    this.have = 0;
    if (this.damaged) {
      this.damaged = false;
      this.host.counters.messagesLostInGap++;
      return;
    }
    this.deliver(this.buf.subarray(0, len));
  }

  private deliver(pdu: Buffer): void {
    const h = this.host;
    h.counters.dcerpcPdus++;
    const gap = this.afterGap;
    this.afterGap = false;
    h.sink.onDcerpcPdu?.(this.conn, this.dir, pdu, gap, h.tsSec, h.tsNsec);
  }

  private badHeader(): void {
    this.host.counters.dcerpcBadHeaders++;
    this.startHunt();
  }

  private startHunt(): void {
    this.state = HUNT;
    this.have = 0;
    this.need = DCERPC_HEADER;
    this.afterGap = true;
    this.host.counters.resyncsStarted++;
  }

  /**
   * Look for the next plausible header in b[off..end). Only headers wholly inside one chunk are
   * found (PDUs start segments in practice); bytes passed over are reported as a gap.
   */
  private hunt(b: Buffer, off: number, end: number): number {
    const start = off;
    for (let p = off; p + DCERPC_HEADER <= end; p++) {
      if (b[p] === 5 && b[p + 1] === 0 && looksLikeDcerpcHeader(b, p, end)) {
        const skipped = p - start;
        this.host.counters.resyncs++;
        this.host.counters.resyncSkippedBytes += skipped;
        if (skipped > 0) this.host.sink.onGap(this.conn, this.dir, skipped, this.host.tsSec, this.host.tsNsec);
        this.state = HEADER;
        return p;
      }
    }
    const skipped = end - start;
    this.host.counters.resyncSkippedBytes += skipped;
    if (skipped > 0) this.host.sink.onGap(this.conn, this.dir, skipped, this.host.tsSec, this.host.tsNsec);
    return end;
  }
}
