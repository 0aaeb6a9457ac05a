/**
 * A single-producer single-consumer ring of packet entries in a SharedArrayBuffer (reader thread →
 * one worker). Entries are written in place (no structured clone, no object per packet) and never
 * wrap: an entry that does not fit before the end leaves a WRAP marker and starts at 0. When the
 * ring is full the producer waits (back-pressure); when it is empty the consumer sleeps on
 * Atomics.wait and is woken only if it said it sleeps (no notify per packet).
 *
 * Entry: u32 type | u32 capLen | f64 n | f64 tsSec | u32 tsNsec | u32 linktype | f64 nowSec |
 * u32 nowNsec | u32 origLen, then capLen bytes, padded to 8.
 */

export const ENTRY_WRAP = 0;
/** a captured packet of this worker's address pairs */
export const ENTRY_PACKET = 1;
/** capture time moved to (nowSec, nowNsec) at global packet n: run idle expiry, report progress */
export const ENTRY_TICK = 2;
/** the capture ended: tick, then end every connection (capture_end) and report */
export const ENTRY_FINISH = 3;
/** the run was interrupted: report what was done, end nothing */
export const ENTRY_STOP = 4;

export const HEADER_BYTES = 48;
/** control words: [0] write count, [1] read count, [2] consumer sleeps, [3] producer waits, [4] consumer failed */
const CTRL_BYTES = 64;
const W = 0;
const R = 1;
const C_SLEEP = 2;
const P_WAIT = 3;
export const FAILED = 4;

export function ringBuffer(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(CTRL_BYTES + capacity);
}

export class RingBase {
  readonly ctrl: Int32Array;
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly capacity: number;
  constructor(readonly sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.capacity = sab.byteLength - CTRL_BYTES;
    this.bytes = Buffer.from(sab, CTRL_BYTES, this.capacity);
    this.view = new DataView(sab, CTRL_BYTES, this.capacity);
  }

  get failed(): boolean {
    return Atomics.load(this.ctrl, FAILED) !== 0;
  }
}

/** entries committed before they are published (one Atomics.store, and a wake-up if the consumer sleeps) */
const PUBLISH_EVERY = 64;

/** The reader thread's end. */
export class RingWriter extends RingBase {
  /** local copy of the write count (published with Atomics.store) */
  private w = 0;
  /** entries committed since the last publish */
  private unpublished = 0;

  /** Room for an entry of `len` payload bytes, waiting while the ring is full. False: the consumer failed. */
  reserve(len: number, onWait: () => void): number {
    const need = HEADER_BYTES + ((len + 7) & ~7);
    const cap = this.capacity;
    for (;;) {
      const r = Atomics.load(this.ctrl, R);
      const used = (this.w - r) | 0;
      const pos = this.w & (cap - 1);
      const tail = cap - pos;
      const total = tail < need ? tail + need : need;
      if (cap - used >= total) {
        if (tail < need) {
          // the rest of the ring cannot hold it: a wrap marker, then start over at 0
          if (tail >= 4) this.view.setUint32(pos, ENTRY_WRAP, true);
          this.w = (this.w + tail) | 0;
          return 0;
        }
        return pos;
      }
      if (this.failed) return -1;
      // the consumer must see what is there before the producer waits for it
      this.publish();
      onWait();
      Atomics.store(this.ctrl, P_WAIT, 1);
      Atomics.wait(this.ctrl, R, r, 5);
      Atomics.store(this.ctrl, P_WAIT, 0);
    }
  }

  /**
   * Commits the entry written at `pos` with `len` payload bytes; published every PUBLISH_EVERY
   * entries (a store and, when the consumer sleeps, a futex wake per packet cost the reader
   * thread more than the copy) — and by publish(), which the reader calls before it looks at the
   * workers' messages, on every control entry and before it waits.
   */
  commit(len: number): void {
    this.w = (this.w + HEADER_BYTES + ((len + 7) & ~7)) | 0;
    if (++this.unpublished >= PUBLISH_EVERY) this.publish();
  }

  /** Makes every committed entry visible to the consumer (and wakes it if it sleeps). */
  publish(): void {
    if (this.unpublished === 0) return;
    this.unpublished = 0;
    Atomics.store(this.ctrl, W, this.w);
    if (Atomics.load(this.ctrl, C_SLEEP) !== 0) Atomics.notify(this.ctrl, W);
  }

  /** Copies `len` bytes of `src` from `off` to the entry at `pos` (after its header). */
  copyIn(pos: number, src: Uint8Array, off: number, len: number): void {
    const dst = this.bytes;
    let d = pos + HEADER_BYTES;
    if (len > 256) {
      // Buffer#copy's fixed cost (argument checks, a view object) is worth it only for larger packets
      (src as Buffer).copy(dst, d, off, off + len);
      return;
    }
    const end = off + len;
    for (let s = off; s < end; s++) dst[d++] = src[s]!;
  }

  /** Writes one header. */
  header(pos: number, type: number, capLen: number, n: number, tsSec: number, tsNsec: number, linktype: number, nowSec: number, nowNsec: number, origLen: number): void {
    const v = this.view;
    v.setUint32(pos, type, true);
    v.setUint32(pos + 4, capLen, true);
    v.setFloat64(pos + 8, n, true);
    v.setFloat64(pos + 16, tsSec, true);
    v.setUint32(pos + 24, tsNsec, true);
    v.setUint32(pos + 28, linktype, true);
    v.setFloat64(pos + 32, nowSec, true);
    v.setUint32(pos + 40, nowNsec, true);
    v.setUint32(pos + 44, origLen, true);
  }
}

/** The worker's end. */
export class RingReader extends RingBase {
  private r = 0;
  /** the write count last read (reloaded only when this end has caught up with it) */
  private wSeen = 0;
  /** entries released since the read count was last published */
  private unreleased = 0;

  /** Offset of the next entry, or -1 when the ring is empty. */
  next(): number {
    const cap = this.capacity;
    for (;;) {
      if (this.r === this.wSeen) {
        this.wSeen = Atomics.load(this.ctrl, W);
        if (this.wSeen === this.r) {
          this.publishRelease();
          return -1;
        }
      }
      const pos = this.r & (cap - 1);
      if (cap - pos < 4 || this.view.getUint32(pos, true) === ENTRY_WRAP) {
        this.r = (this.r + (cap - pos)) | 0;
        continue;
      }
      return pos;
    }
  }

  /** Done with the entry at `pos` (its bytes may be overwritten once published: every PUBLISH_EVERY, or when empty). */
  release(pos: number): void {
    const len = this.view.getUint32(pos + 4, true);
    this.r = (this.r + HEADER_BYTES + ((len + 7) & ~7)) | 0;
    if (++this.unreleased >= PUBLISH_EVERY) this.publishRelease();
  }

  private publishRelease(): void {
    this.unreleased = 0;
    Atomics.store(this.ctrl, R, this.r);
    if (Atomics.load(this.ctrl, P_WAIT) !== 0) Atomics.notify(this.ctrl, R);
  }

  /** Sleeps until the producer writes (or `ms` pass). */
  sleep(ms: number): void {
    Atomics.store(this.ctrl, C_SLEEP, 1);
    Atomics.wait(this.ctrl, W, this.r, ms);
    Atomics.store(this.ctrl, C_SLEEP, 0);
  }

  fail(): void {
    Atomics.store(this.ctrl, FAILED, 1);
    Atomics.notify(this.ctrl, R);
  }
}
