/**
 * NBSS framing of one direction of a TCP connection: in-order byte chunks and gaps in, SMB
 * messages and NBSS control messages out (gopacket reassembly's Stream role).
 *
 * - A message whose body sits inside one chunk is handed up as a view (no copy).
 * - A message spanning chunks is copied into a per-direction buffer, reused; before buffering,
 *   the sink's keepBytes(head, length) says how much to keep, and the rest is skipped by length
 *   (a 1 MB READ response costs its first bytes, not 1 MB).
 * - A gap inside a message whose header was seen keeps the framing (the length is known): the
 *   message is dropped if the gap hit its kept bytes, delivered truncated if only skipped bytes
 *   were lost. A gap between messages, a bad header, or a stream picked up without its SYN makes
 *   the framer hunt for the next plausible NBSS+SMB header (looksLikeNbssSmb).
 */
import type { Conn, Direction, SmbMessage, StreamSink } from '../shared/stream';
import type { NetCounters } from './counters';
import {
  NBSS_KEEP_ALIVE,
  NBSS_SESSION_MESSAGE,
  NBSS_SESSION_REQUEST,
  RESYNC_WINDOW,
  looksLikeNbssSmb,
  minSmbMessageLength,
} from '../../dissectors/nbss';

export interface FramerOptions {
  /** most bytes buffered for one message (the rest is skipped, message marked truncated) */
  maxMessageBytes: number;
  /** largest session message length accepted while hunting for a header after a gap */
  maxResyncLength: number;
  /** largest NBSS control message body (session request etc.) accepted */
  maxControlLength: number;
}

/** What all framers of a pipeline share: sink, counters, the reused message, the packet time. */
export interface FramerHost {
  readonly sink: StreamSink;
  readonly counters: NetCounters;
  readonly msg: SmbMessage;
  readonly framerOpts: FramerOptions;
  tsSec: number;
  tsNsec: number;
}

/** first bytes of a spanning message collected before asking keepBytes */
export const HEAD_BYTES = 256;
/** a buffer grown past this is released after its message, so idle connections stay small */
const RELEASE_ABOVE = 64 * 1024;

const HEADER = 0;
const BODY = 1;
const HUNT = 2;

const SMB_ASCII = Buffer.from('SMB', 'latin1');

/**
 * dst[d..] = src[s..e): a byte loop for short runs, TypedArray#set for long ones. Buffer#copy
 * validates its arguments on every call, which costs more than the copy for most segments.
 */
export function copyBytes(src: Buffer, s: number, e: number, dst: Buffer, d: number): void {
  const n = e - s;
  if (n <= 32) {
    for (let i = 0; i < n; i++) dst[d + i] = src[s + i]!;
  } else {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + s, n), d);
  }
}
const EMPTY = Buffer.alloc(0);

/**
 * Node's Buffer view constructor (Buffer[Symbol.species]): building the view directly skips
 * Buffer#subarray's argument normalisation, measurable at one view per message.
 */
const BufferView = (Buffer as unknown as { [Symbol.species]: new (ab: ArrayBufferLike, off: number, len: number) => Buffer })[Symbol.species];

function view(b: Buffer, s: number, e: number): Buffer {
  return new BufferView(b.buffer, b.byteOffset + s, e - s);
}

/**
 * Does a session message of `len` bytes starting at b[p] begin with an SMB protocol id and have
 * room for that header? NBSS carries nothing but SMB here; anything else (a run of zeros read
 * as empty messages, a length from a desynchronised stream) means the framing is lost.
 */
function isSmbStartAt(b: Buffer, p: number, len: number): boolean {
  if (b[p + 1] !== 0x53 || b[p + 2] !== 0x4d || b[p + 3] !== 0x42) return false;
  const min = minSmbMessageLength(b[p]!);
  return min > 0 && len >= min;
}

export class NbssFramer {
  private state: number;
  // header bytes accumulated across chunks
  private hdrVal = 0;
  private hdrLen = 0;
  // the message being assembled
  private msgType = 0;
  private msgLen = 0;
  private consumed = 0;
  private have = 0;
  /** bytes of the body to keep; -1 until decided (head not yet collected) */
  private keep = -1;
  private headNeed = 0;
  private damaged = false;
  private checkMagic = false;
  private msgAfterGap = false;
  private pendingAfterGap = false;
  private buf: Buffer | null = null;
  // hunting
  private carry: Buffer | null = null;
  private carryLen = 0;
  private huntSkipped = 0;

  constructor(
    private readonly host: FramerHost,
    private readonly conn: Conn,
    private readonly dir: Direction,
    /** port 139: RFC 1002 17-bit lengths, reserved flag bits must be 0; else 24-bit (MS-SMB2 2.1) */
    private readonly port139: boolean,
    /** false when the stream's first bytes are not known to start a message (no SYN seen) */
    synced: boolean,
  ) {
    this.state = synced ? HEADER : HUNT;
    if (!synced) {
      this.pendingAfterGap = true;
      host.counters.resyncsStarted++;
    }
  }

  /** true while looking for a header (after a gap or a mid-stream pickup) */
  get hunting(): boolean {
    return this.state === HUNT;
  }

  /** In-order stream bytes b[off..end). */
  feed(b: Buffer, off: number, end: number): void {
    const c = this.host.counters;
    while (off < end) {
      if (this.state === HEADER) {
        let v: number;
        let hdrStart = -1;
        if (this.hdrLen === 0 && end - off >= 4) {
          hdrStart = off;
          v = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
          off += 4;
        } else {
          while (this.hdrLen < 4 && off < end) {
            this.hdrVal = ((this.hdrVal << 8) | b[off++]!) >>> 0;
            this.hdrLen++;
          }
          if (this.hdrLen < 4) return;
          v = this.hdrVal;
          this.hdrLen = 0;
          this.hdrVal = 0;
        }
        const type = v >>> 24;
        let len: number;
        if (this.port139) {
          if ((v & 0x00fe0000) !== 0) len = -1;
          else len = v & 0x1ffff;
        } else {
          len = v & 0xffffff;
        }
        if (len < 0 || (type !== NBSS_SESSION_MESSAGE && (type < NBSS_SESSION_REQUEST || type > NBSS_KEEP_ALIVE))) {
          c.nbssBadHeaders++;
          this.startHunt();
          if (hdrStart >= 0) off = hdrStart + 1;
          continue;
        }
        if (type !== NBSS_SESSION_MESSAGE && len > this.host.framerOpts.maxControlLength) {
          c.nbssBadHeaders++;
          c.nbssControlTooLong++;
          this.startHunt();
          if (hdrStart >= 0) off = hdrStart + 1;
          continue;
        }
        this.msgType = type;
        this.msgLen = len;
        this.msgAfterGap = this.pendingAfterGap;
        this.pendingAfterGap = false;
        // a session message must start with an SMB protocol id (checked once 4 bytes are in)
        this.checkMagic = type === NBSS_SESSION_MESSAGE;
        if (this.checkMagic && len < 16) {
          c.nbssBadHeaders++;
          this.startHunt();
          if (hdrStart >= 0) off = hdrStart + 1;
          continue;
        }
        if (end - off >= len) {
          // the whole body is in this chunk: hand up a view
          if (this.checkMagic && !isSmbStartAt(b, off, len)) {
            c.nbssBadHeaders++;
            this.startHunt();
            if (hdrStart >= 0) off = hdrStart + 1;
            continue;
          }
          const body = len === 0 ? EMPTY : view(b, off, off + len);
          off += len;
          if (type === NBSS_SESSION_MESSAGE) {
            c.messagesZeroCopy++;
            this.deliver(body, false);
          } else {
            this.control(body);
          }
          continue;
        }
        this.state = BODY;
        this.consumed = 0;
        this.have = 0;
        this.damaged = false;
        if (type === NBSS_SESSION_MESSAGE) {
          this.keep = -1;
          this.headNeed = len < HEAD_BYTES ? len : HEAD_BYTES;
        } else {
          this.keep = -1;
          this.headNeed = len;
        }
        continue;
      }

      if (this.state === BODY) {
        const len = this.msgLen;
        let n = end - off;
        if (n > len - this.consumed) n = len - this.consumed;
        let used = 0;
        if (this.keep < 0) {
          let take = this.headNeed - this.have;
          if (take > n) take = n;
          this.ensure(this.headNeed);
          copyBytes(b, off, off + take, this.buf!, this.have);
          this.have += take;
          used = take;
          if (this.checkMagic && this.have >= 4) {
            this.checkMagic = false;
            if (!isSmbStartAt(this.buf!, 0, len)) {
              c.nbssBadHeaders++;
              // hunt from here: this chunk's bytes just copied are scanned again
              this.startHunt();
              continue;
            }
          }
          if (this.have === this.headNeed) this.decideKeep();
        }
        if (this.keep >= 0 && used < n) {
          let take = this.keep - this.have;
          if (take > n - used) take = n - used;
          if (take > 0) {
            copyBytes(b, off + used, off + used + take, this.buf!, this.have);
            this.have += take;
            used += take;
          }
          c.messageBytesSkipped += n - used;
        }
        this.consumed += n;
        off += n;
        if (this.consumed === len) this.complete();
        continue;
      }

      // HUNT
      off = this.hunt(b, off, end);
    }
  }

  /** n stream bytes missing before the next feed (lost segment, snaplen cut, abandoned hole). */
  gap(n: number): void {
    if (n <= 0) return;
    this.pendingAfterGap = true;
    if (this.state === BODY) {
      const len = this.msgLen;
      let inMsg = len - this.consumed;
      if (inMsg > n) inMsg = n;
      // the gap starts at `consumed`: it hits kept bytes unless they are all in already
      if (this.keep < 0 || this.consumed < this.keep) this.damaged = true;
      if (this.keep < 0) this.keep = this.have;
      this.consumed += inMsg;
      if (this.consumed === len) {
        this.complete();
        if (n > inMsg) this.startHunt();
      }
      return;
    }
    if (this.state === HEADER) {
      this.hdrLen = 0;
      this.hdrVal = 0;
      this.startHunt();
      return;
    }
    // hunting: bytes held for a straddling header are no longer contiguous
    this.huntSkipped += this.carryLen;
    this.carryLen = 0;
  }

  /** The connection ended: a message still being assembled is counted, not delivered. */
  end(): void {
    if (this.state === BODY || (this.state === HEADER && this.hdrLen > 0)) this.host.counters.messagesIncompleteAtEnd++;
    this.state = HEADER;
    this.hdrLen = 0;
    this.buf = null;
    this.carry = null;
  }

  private startHunt(): void {
    this.state = HUNT;
    this.carryLen = 0;
    this.huntSkipped = 0;
    this.pendingAfterGap = true;
    this.host.counters.resyncsStarted++;
  }

  /** Scan b[off..end) for a plausible header; returns where to continue. */
  private hunt(b: Buffer, off: number, end: number): number {
    const W = RESYNC_WINDOW;
    const port139 = this.port139;
    const maxLen = this.host.framerOpts.maxResyncLength;
    if (this.carryLen > 0) {
      // candidates that straddle the previous chunk and this one
      const carry = this.carry!;
      const extra = Math.min(W - 1, end - off);
      b.copy(carry, this.carryLen, off, off + extra);
      const total = this.carryLen + extra;
      for (let i = 0; i < this.carryLen; i++) {
        if (i + W > total) break;
        if (looksLikeNbssSmb(carry, i, port139, maxLen)) {
          this.found(i);
          const from = i;
          const to = this.carryLen;
          this.carryLen = 0;
          // feed the header bytes held in the carry, then go on with this chunk
          const held = Buffer.from(carry.subarray(from, to));
          this.feed(held, 0, held.length);
          return off;
        }
      }
      if (extra < W - 1) {
        // the chunk is too short to decide the remaining candidates: keep the tail
        const keepN = Math.min(W - 1, total);
        carry.copy(carry, 0, total - keepN, total);
        // bytes that fell out of the window were passed over
        this.huntSkipped += total - keepN;
        this.carryLen = keepN;
        return end;
      }
      this.huntSkipped += this.carryLen;
      this.carryLen = 0;
    }
    let s = off + 5;
    for (;;) {
      const q = b.indexOf(SMB_ASCII, s);
      if (q < 0 || q - 5 + W > end) break;
      const p = q - 5;
      if (looksLikeNbssSmb(b, p, port139, maxLen)) {
        this.huntSkipped += p - off;
        this.found(0);
        return p;
      }
      s = q + 1;
    }
    // keep the last bytes: a header may start there
    const keepN = Math.min(W - 1, end - off);
    if (!this.carry) this.carry = Buffer.allocUnsafe(2 * W);
    b.copy(this.carry, 0, end - keepN, end);
    this.huntSkipped += end - off - keepN;
    this.carryLen = keepN;
    return end;
  }

  private found(extraSkipped: number): void {
    const c = this.host.counters;
    const skipped = this.huntSkipped + extraSkipped;
    c.resyncs++;
    c.resyncSkippedBytes += skipped;
    this.huntSkipped = 0;
    this.state = HEADER;
    this.hdrLen = 0;
    this.hdrVal = 0;
    if (skipped > 0) this.host.sink.onGap(this.conn, this.dir, skipped, this.host.tsSec, this.host.tsNsec);
  }

  private decideKeep(): void {
    if (this.msgType !== NBSS_SESSION_MESSAGE) {
      this.keep = this.msgLen;
      return;
    }
    const len = this.msgLen;
    let k = this.host.sink.keepBytes(view(this.buf!, 0, this.have), len, this.conn, this.dir);
    if (!(k >= 0)) k = len;
    if (k > len) k = len;
    const cap = this.host.framerOpts.maxMessageBytes;
    if (k > cap) {
      k = cap;
      this.host.counters.messageMemcapHits++;
    }
    this.keep = k;
    this.ensure(k);
  }

  private ensure(cap: number): void {
    const buf = this.buf;
    if (buf && buf.length >= cap) return;
    let size = buf ? buf.length * 2 : HEAD_BYTES;
    if (size < cap) size = cap;
    const max = Math.max(this.host.framerOpts.maxMessageBytes, HEAD_BYTES, this.host.framerOpts.maxControlLength);
    if (size > max) size = Math.max(cap, max);
    const nb = Buffer.allocUnsafe(size);
    if (buf && this.have > 0) buf.copy(nb, 0, 0, this.have);
    this.buf = nb;
  }

  private complete(): void {
    this.state = HEADER;
    const body = this.buf ? view(this.buf, 0, this.have < this.keep ? this.have : this.keep) : EMPTY;
    if (this.damaged) {
      if (this.msgType === NBSS_SESSION_MESSAGE) this.host.counters.messagesLostInGap++;
    } else if (this.msgType === NBSS_SESSION_MESSAGE) {
      this.host.counters.messagesJoined++;
      this.deliver(body, body.length < this.msgLen);
    } else {
      this.control(body);
    }
    if (this.buf && this.buf.length > RELEASE_ABOVE) this.buf = null;
  }

  private deliver(data: Buffer, truncated: boolean): void {
    const h = this.host;
    const c = h.counters;
    c.nbssSessionMessages++;
    c.messagesDelivered++;
    if (truncated) c.messagesTruncated++;
    const m = h.msg;
    m.conn = this.conn;
    m.dir = this.dir;
    m.tsSec = h.tsSec;
    m.tsNsec = h.tsNsec;
    m.data = data;
    m.length = this.msgLen;
    m.truncated = truncated;
    m.afterGap = this.msgAfterGap;
    h.sink.onSmbMessage(m);
  }

  private control(body: Buffer): void {
    const h = this.host;
    if (this.msgType === NBSS_KEEP_ALIVE) h.counters.nbssKeepAlives++;
    else h.counters.nbssControlMessages++;
    h.sink.onNbssControl(this.conn, this.dir, this.msgType, body, h.tsSec, h.tsNsec);
  }
}
