/**
 * NDR 2.0 (C706 ch. 14) reader over one call's stub, for the argument decoders in iface/.
 *
 * Errors are sticky values, not exceptions: the first problem (reading past the stub, too deep,
 * too many pointers, an array or string larger than what is left, an odd byte count) is stored in
 * `err`; later reads return 0 / '' / empty views without reading. A decoder reads its fields in
 * wire order, then returns `r.err` if set. Nothing here reads outside [start, end) of the stub.
 *
 * Pointers: top-level [unique]/[ptr] parameters carry a referent id followed at once by the
 * referent; embedded pointers (in structs/arrays) carry ids whose referents come after the whole
 * enclosing construct, in order (deferred) — decoders read the ids first, then the referents.
 * Top-level [ref] pointers have no wire representation at all. NDR pointers are ids, not offsets,
 * so nothing can "point outside": bad referents show up as reads past the end. Full pointers may
 * alias: `fullPointer()` remembers ids so an aliased referent is not read twice (loops end).
 *
 * NDR64 (MS-RPCE 2.2.5, the transfer syntax 71710533-beba-4937-8319-b5dbef9ccc36 that Windows
 * clients negotiate when offered): pointers and conformance/variance counts are 8 bytes, 8-aligned;
 * structs holding pointers align to 8; DWORD_PTR is 8 bytes. `pointer()`, `count()`,
 * `alignStruct()` and `ptrSizedInt()` follow the syntax chosen at `reset`.
 *
 * One reader is meant to be reused across calls (`reset`) — no allocation per call beyond the
 * decoded values themselves.
 */
import { fail, type DissectError } from '../result';
import { MAX_STRING_UNITS } from '../utf16';
import { hexOf, uuidAt } from './uuid';

/** Nesting of constructed types a decoder may enter. */
export const MAX_NDR_DEPTH = 16;
/** Pointers (unique/full/embedded ref) per stub. */
export const MAX_NDR_POINTERS = 4096;
/** Strings decoded are capped at this many UTF-16 units (the rest is skipped, not read). */
export const MAX_NDR_STRING_UNITS = MAX_STRING_UNITS;

export class NdrReader {
  buf: Buffer = Buffer.alloc(0);
  /** stub start (alignment is relative to it) */
  start = 0;
  pos = 0;
  end = 0;
  bigEndian = false;
  /** NDR64 transfer syntax */
  ndr64 = false;
  err: DissectError | null = null;
  private depth = 0;
  private pointers = 0;
  private readonly fullIds: number[] = [];

  constructor(stub?: Buffer, bigEndian = false, ndr64 = false) {
    if (stub) this.reset(stub, bigEndian, ndr64);
  }

  /** Start reading a new stub (a view; not copied). */
  reset(stub: Buffer, bigEndian = false, ndr64 = false): this {
    this.ndr64 = ndr64;
    this.buf = stub;
    this.start = 0;
    this.pos = 0;
    this.end = stub.length;
    this.bigEndian = bigEndian;
    this.err = null;
    this.depth = 0;
    this.pointers = 0;
    this.fullIds.length = 0;
    return this;
  }

  get ok(): boolean {
    return this.err === null;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Record the first error (later ones are consequences); the reader stops reading. */
  fail(reason: string): void {
    if (!this.err) this.err = fail(reason, this.pos);
    this.pos = this.end;
  }

  private need(n: number): boolean {
    if (this.err) return false;
    if (n < 0 || this.pos + n > this.end) {
      this.fail('ndr-short');
      return false;
    }
    return true;
  }

  align(n: number): void {
    const rel = this.pos - this.start;
    const pad = (n - (rel % n)) % n;
    if (pad && this.need(pad)) this.pos += pad;
  }

  skip(n: number): void {
    if (this.need(n)) this.pos += n;
  }

  u8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.align(2);
    if (!this.need(2)) return 0;
    const b = this.buf, p = this.pos;
    this.pos += 2;
    return this.bigEndian ? (b[p]! << 8) | b[p + 1]! : b[p]! | (b[p + 1]! << 8);
  }

  u32(): number {
    this.align(4);
    if (!this.need(4)) return 0;
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return this.bigEndian
      ? ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
      : (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** u64 / hyper, 8-aligned, as a number (exact below 2^53). */
  u64(): number {
    this.align(8);
    if (!this.need(8)) return 0;
    let lo: number, hi: number;
    if (this.bigEndian) {
      hi = this.u32();
      lo = this.u32();
    } else {
      lo = this.u32();
      hi = this.u32();
    }
    return hi * 0x100000000 + lo;
  }

  hyper(): number {
    return this.u64();
  }

  /** n raw bytes as a view of the stub (empty on error). */
  bytes(n: number): Buffer {
    if (!this.need(n)) return this.buf.subarray(0, 0);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** GUID (4-aligned: its first field is a u32), lower-case. */
  uuid(): string {
    this.align(4);
    if (!this.need(16)) return '';
    const s = uuidAt(this.buf, this.pos, this.bigEndian);
    this.pos += 16;
    return s;
  }

  /** 20-byte context handle (policy handle) as 40 lower-case hex digits. */
  contextHandle(): string {
    this.align(4);
    if (!this.need(20)) return '';
    const s = hexOf(this.buf, this.pos, 20);
    this.pos += 20;
    return s;
  }

  /** Enter a constructed type; false (and an error) when nested too deep. Pair with leave(). */
  enter(): boolean {
    if (++this.depth > MAX_NDR_DEPTH) {
      this.fail('ndr-depth');
      return false;
    }
    return !this.err;
  }

  leave(): void {
    this.depth--;
  }

  /** Bytes of a pointer (and of DWORD_PTR): 4 in NDR, 8 in NDR64. */
  get ptrSize(): number {
    return this.ndr64 ? 8 : 4;
  }

  /** Align to a struct that holds pointers or conformance counts (4 in NDR, 8 in NDR64). */
  alignStruct(): void {
    this.align(this.ndr64 ? 8 : 4);
  }

  /** A conformance, offset or actual count: u32 in NDR, u64 in NDR64. */
  count(): number {
    return this.ndr64 ? this.u64() : this.u32();
  }

  /** DWORD_PTR / ULONG_PTR (`__int3264`): 4 bytes in NDR, 8 in NDR64. */
  ptrSizedInt(): number {
    return this.ndr64 ? this.u64() : this.u32();
  }

  /** A unique/ptr/embedded-ref referent id; 0 = null. Bounded per stub. */
  pointer(): number {
    const id = this.ndr64 ? this.u64() : this.u32();
    if (id !== 0 && ++this.pointers > MAX_NDR_POINTERS) {
      this.fail('ndr-pointers');
      return 0;
    }
    return id;
  }

  /**
   * A full pointer: 0 = null, the id when its referent follows (first time seen), -1 when the id
   * was seen before (aliased: no referent on the wire — this is also what ends a pointer loop).
   */
  fullPointer(): number {
    const id = this.pointer();
    if (id === 0) return 0;
    if (this.fullIds.includes(id)) return -1;
    this.fullIds.push(id);
    return id;
  }

  /**
   * offset + actual_count of a varying array whose conformance is `max`; checks
   * offset + actual <= max and that actual elements fit in the rest of the stub.
   */
  varying(max: number, elemSize: number): number {
    const offset = this.count();
    const actual = this.count();
    if (this.err) return 0;
    if (offset + actual > max) {
      this.fail('ndr-varying-bounds');
      return 0;
    }
    if (actual * elemSize > this.remaining) {
      this.fail('ndr-array-bounds');
      return 0;
    }
    return actual;
  }

  /** Conformant array of fixed-size elements: its count (elements follow, checked to fit). */
  conformantArray(elemSize: number): number {
    const n = this.count();
    if (this.err) return 0;
    if (n * elemSize > this.remaining) {
      this.fail('ndr-array-bounds');
      return 0;
    }
    return n;
  }

  /**
   * [string] wchar_t* referent: conformant varying UTF-16 string (NUL stripped, capped at
   * `maxUnits`, by default MAX_NDR_STRING_UNITS; the whole string is still skipped).
   */
  string16(maxUnits = MAX_NDR_STRING_UNITS): string {
    const max = this.count();
    const n = this.varying(max, 2);
    if (this.err) return '';
    const s = this.wchars(this.pos, n, maxUnits);
    this.pos += n * 2;
    return s;
  }

  /** [string] char* referent: conformant varying 8-bit string (latin1, NUL stripped, capped). */
  string8(): string {
    const max = this.count();
    const n = this.varying(max, 1);
    if (this.err) return '';
    let e = this.pos;
    const lim = this.pos + Math.min(n, MAX_NDR_STRING_UNITS);
    while (e < lim && this.buf[e] !== 0) e++;
    const s = this.buf.toString('latin1', this.pos, e);
    this.pos += n;
    return s;
  }

  /** Top-level `[in, unique, string] wchar_t*`: null or the string. */
  uniqueString16(): string | null {
    return this.pointer() ? this.string16() : null;
  }

  /** Top-level `[in, unique, string] char*`. */
  uniqueString8(): string | null {
    return this.pointer() ? this.string8() : null;
  }

  /**
   * RPC_UNICODE_STRING / RRP_UNICODE_STRING passed at top level (its buffer pointer's referent
   * follows the struct at once). Length and MaximumLength are byte counts: odd → error.
   * Returns null for a null buffer.
   */
  rpcUnicodeString(): string | null {
    const len = this.rpcUnicodeStringHeader();
    const ptr = this.lastPointer;
    if (this.err || !ptr) return null;
    return this.rpcUnicodeStringBody(len);
  }

  /** The id read by the last rpcUnicodeStringHeader (for deferred bodies). */
  lastPointer = 0;

  /** Header of an embedded RPC_UNICODE_STRING: returns Length (bytes); the buffer id is in lastPointer. */
  rpcUnicodeStringHeader(): number {
    this.alignStruct();
    const len = this.u16();
    const maxLen = this.u16();
    this.lastPointer = this.pointer();
    if (this.err) return 0;
    if (len & 1 || maxLen & 1) {
      this.fail('ndr-odd-string-length');
      return 0;
    }
    if (len > maxLen) {
      this.fail('ndr-string-bounds');
      return 0;
    }
    return len;
  }

  /** The deferred buffer of an RPC_UNICODE_STRING: [size_is(Max/2), length_is(Len/2)] wchar. */
  rpcUnicodeStringBody(lengthBytes: number): string {
    const max = this.count();
    const n = this.varying(max, 2);
    if (this.err) return '';
    if (n * 2 !== lengthBytes && n * 2 !== lengthBytes + 2) {
      // the header's Length and the array's actual count must agree (a trailing NUL is tolerated)
      this.fail('ndr-string-length-mismatch');
      return '';
    }
    const s = this.wchars(this.pos, n);
    this.pos += n * 2;
    return s;
  }

  /** n UTF-16 units at p in the reader's byte order, capped, cut at the first NUL. */
  wchars(p: number, n: number, maxUnits = MAX_NDR_STRING_UNITS): string {
    const units = n > maxUnits ? maxUnits : n;
    let s: string;
    if (!this.bigEndian) {
      s = this.buf.toString('utf16le', p, p + units * 2);
    } else {
      s = '';
      for (let i = 0; i < units; i++) s += String.fromCharCode((this.buf[p + 2 * i]! << 8) | this.buf[p + 2 * i + 1]!);
    }
    const nul = s.indexOf('\0');
    return nul >= 0 ? s.slice(0, nul) : s;
  }
}
