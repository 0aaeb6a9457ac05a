/**
 * The reader's packet object (one per input, reused for every packet). The captured bytes are
 * chunk[dataOffset .. dataOffset + capLen) of the read buffer: the decoder reads them there, so
 * replay makes no view object per packet (that view was ~3% of a replay's profile). `data`, the
 * view of CapturedPacket, is still there for everyone else, made on first access. Shared: capture
 * makes these, net decodes them, cli counts them.
 */

/** One captured frame, as handed out by a reader. The object is reused: copy what you keep. */
export interface CapturedPacket {
  /** capture timestamp: whole seconds since the epoch */
  tsSec: number;
  /** capture timestamp: nanoseconds within the second (0..999_999_999) */
  tsNsec: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html) */
  linktype: number;
  /**
   * captured bytes: a view into the read buffer, never a copy on the common path (the reader's
   * packet makes this view only when asked; the decoder reads its chunk directly)
   */
  data: Buffer;
  /** length of the frame on the wire (>= data.length when cut by snaplen) */
  origLen: number;
  /** index of the input (0 for the first -r file, or the live source) */
  sourceIndex: number;
}

const EMPTY = Buffer.alloc(0);

/** Node's Buffer view constructor (Buffer[Symbol.species]), without subarray's argument checks */
const BufferView = (Buffer as unknown as { [Symbol.species]: new (ab: ArrayBufferLike, off: number, len: number) => Buffer })[Symbol.species];

export class FramePacket implements CapturedPacket {
  tsSec = 0;
  tsNsec = 0;
  linktype = 0;
  origLen = 0;
  /** the buffer holding the captured bytes (the reader's chunk, or a record gathered across chunks) */
  chunk: Buffer = EMPTY;
  dataOffset = 0;
  capLen = 0;
  readonly sourceIndex: number;
  private view: Buffer | null = null;
  declare data: Buffer;

  constructor(sourceIndex: number) {
    this.sourceIndex = sourceIndex;
    // an own enumerable accessor, so that {...pkt} copies `data` as it copied the plain field
    Object.defineProperty(this, 'data', {
      enumerable: true,
      configurable: true,
      get: (): Buffer => {
        if (this.view === null) this.view = new BufferView(this.chunk.buffer, this.chunk.byteOffset + this.dataOffset, this.capLen);
        return this.view;
      },
      set: (v: Buffer): void => {
        this.setFrame(v, 0, v.length);
      },
    });
  }

  /** the next packet's bytes: chunk[off .. off + len) */
  setFrame(chunk: Buffer, off: number, len: number): void {
    this.chunk = chunk;
    this.dataOffset = off;
    this.capLen = len;
    this.view = null;
  }
}

/** Captured length of any packet (no view made for the reader's). */
export function capturedLength(p: CapturedPacket): number {
  return p instanceof FramePacket ? p.capLen : p.data.length;
}
