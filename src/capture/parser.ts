/**
 * Synchronous push parser for classic pcap (µs/ns, both byte orders) and pcapng (several
 * sections and interfaces, EPB/SPB/OPB, other blocks skipped). Feed chunks with push(), then call
 * next() until it returns false; each true fills the one reused `packet`, whose `data` is a view
 * into the pushed chunk. Only a record that spans two chunks is copied (into a scratch buffer).
 *
 * Damage (bad magic, a length that lies, a record cut by the end of input, a timestamp that no
 * ISO 8601 date can hold) sets `error` to a CaptureError with the byte offset of the damaged
 * record; every record before it was delivered. A caplen above the snaplen but within MAX_CAPLEN
 * is not damage: the record is read and counted (tcpdump and tshark read such files).
 */
import type { CapturedPacket } from '../shared/packet';
import { FramePacket } from '../shared/packet';
import { CaptureError } from './errors';
import { CaptureCounters } from './counters';
import { convertTs, makeTsUnit, type TsUnit } from './timestamps';
import { u16be, u16le, u32be, u32le } from '../shared/bytes';

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

/** largest captured length accepted (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD) */
export const MAX_CAPLEN = 262144;
/** largest pcapng block accepted (bounds the memory one lying length can claim) */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;
const MAX_INTERFACES = 65536;
/**
 * Capture times the output can write: ISO 8601 with a four-digit year, 0000-01-01T00:00:00Z ..
 * 9999-12-31T23:59:59Z. Outside it (a bit flip in pcapng's 64-bit time, a wild if_tsoffset) the
 * record is damage. Classic pcap's unsigned 32-bit seconds always fit (years 1970..2106).
 */
export const MIN_TS_SEC = -62167219200;
export const MAX_TS_SEC = 253402300799;
/** enough bytes to know the length of any record: pcap file header 24, record header 16, block 12 */
const PEEK = 24;

const ST_START = 0;
const ST_PCAP = 1;
const ST_PCAPNG = 2;
const ST_FAILED = 3;

const NEED = -1;
const BAD = -2;

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_OPB = 2;
const BT_SPB = 3;
const BT_EPB = 6;

const EMPTY = Buffer.alloc(0);


interface Iface {
  linktype: number;
  snaplen: number;
  /** caplen above this is counted as over the snaplen (MAX_CAPLEN when the snaplen is 0 or larger) */
  limit: number;
  ts: TsUnit;
  seen: boolean;
}

function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Why a file cannot start with magic `m` (read big-endian), or null for a known capture magic. */
function badMagicReason(m: number): string | null {
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === BT_SHB) return null;
  if (m >>> 16 === 0x1f8b) return 'gzip data where a capture header was expected (compressed twice?)';
  if (m === 0xa1b2cd34 || m === 0x34cdb2a1) return 'modified (Kuznetzov) pcap format is not supported';
  return `not a pcap or pcapng file (magic ${hex32(m)})`;
}

export class CaptureParser {
  readonly name: string;
  /** the one packet object handed out; overwritten by every successful next() */
  readonly packet: FramePacket;
  format: CaptureFormat | null = null;
  error: CaptureError | null = null;
  packets = 0;
  /** timestamps of the first and last packet delivered (-1 before the first) */
  firstSec = -1;
  firstNsec = 0;
  lastSec = -1;
  lastNsec = 0;
  readonly linktypes = new Set<number>();
  /** records of this input read although their caplen exceeds the snaplen */
  recordsOverSnaplen = 0;
  /** the run's counters (shared by all inputs of a read) */
  readonly counters: CaptureCounters;

  private state = ST_START;
  private le = false;
  /** bytes being parsed; cur[pos] sits at byte offset curBase + pos of the input */
  private cur: Buffer = EMPTY;
  private pos = 0;
  private curBase = 0;
  /** the rest of the chunk that completed a spanning record, parsed after it */
  private pending: Buffer | null = null;
  private pendingPos = 0;
  private pendingBase = 0;
  /** a spanning record of known length being gathered from several chunks */
  private fill: Buffer | null = null;
  private fillLen = 0;
  private fillBase = 0;
  private scratch: Buffer = EMPTY;
  private streamBytes = 0;
  private badReason = '';
  // classic pcap: caplen above pcapSnap is counted, above MAX_CAPLEN it is damage
  private pcapSnap = MAX_CAPLEN;
  private fracPerSec = 1_000_000;
  private nsPerFrac = 1000;
  // pcapng
  private ifaces: Iface[] = [];

  constructor(name: string, sourceIndex = 0, counters: CaptureCounters = new CaptureCounters()) {
    this.name = name;
    this.packet = new FramePacket(sourceIndex);
    this.counters = counters;
  }

  /** bytes pushed so far (offset in the decompressed input of the next byte to arrive) */
  get bytesPushed(): number {
    return this.streamBytes;
  }

  /** byte offset of the first byte not yet consumed */
  get offset(): number {
    if (this.fill !== null) return this.fillBase;
    return this.curBase + this.pos;
  }

  /**
   * Adds the next chunk of input. Call only after next() returned false. The chunk is referenced
   * (not copied) until next() has consumed it.
   */
  push(chunk: Buffer): void {
    const chunkBase = this.streamBytes;
    this.streamBytes += chunk.length;
    if (this.state === ST_FAILED || chunk.length === 0) return;
    if (this.pending !== null) throw new Error('CaptureParser.push() called before next() returned false');
    if (this.fill !== null) {
      this.continueFill(chunk, chunkBase);
      return;
    }
    const left = this.cur.length - this.pos;
    if (left === 0) {
      this.cur = chunk;
      this.pos = 0;
      this.curBase = chunkBase;
      return;
    }
    const leftover = this.cur.subarray(this.pos);
    const leftBase = this.curBase + this.pos;
    const hdr = left >= PEEK ? leftover : Buffer.concat([leftover, chunk.subarray(0, PEEK - left)]);
    const len = this.recordLength(hdr, 0, hdr.length);
    if (len > left) {
      // gather exactly this record in scratch (a copy: it spans chunks), then go on in chunk
      if (this.scratch.length < len || leftover.buffer === this.scratch.buffer) {
        this.scratch = Buffer.allocUnsafeSlow(Math.max(len, 65536));
      }
      leftover.copy(this.scratch, 0);
      this.fill = this.scratch.subarray(0, len);
      this.fillLen = left;
      this.fillBase = leftBase;
      this.cur = EMPTY;
      this.pos = 0;
      this.continueFill(chunk, chunkBase);
      return;
    }
    // header still incomplete (a few bytes) or bad (next() reports it): parse both together
    this.cur = Buffer.concat([leftover, chunk]);
    this.pos = 0;
    this.curBase = leftBase;
  }

  private continueFill(chunk: Buffer, chunkBase: number): void {
    const fill = this.fill!;
    const take = Math.min(chunk.length, fill.length - this.fillLen);
    chunk.copy(fill, this.fillLen, 0, take);
    this.fillLen += take;
    if (this.fillLen < fill.length) return;
    this.fill = null;
    this.cur = fill;
    this.pos = 0;
    this.curBase = this.fillBase;
    if (take < chunk.length) {
      this.pending = chunk;
      this.pendingPos = take;
      this.pendingBase = chunkBase;
    }
  }

  /** End of input: anything left over is a truncated record. */
  end(): void {
    if (this.state === ST_FAILED) return;
    if (this.fill !== null) {
      this.failAt(this.fillBase, `input ends ${this.fillLen} bytes into a ${this.fill.length}-byte ${this.recordKind()}`);
      return;
    }
    const left = this.cur.length - this.pos;
    if (left > 0) {
      const len = this.recordLength(this.cur, this.pos, left);
      const what =
        len > 0 ? `a ${len}-byte ${this.recordKind()}` : this.state === ST_START ? 'the file header' : `a ${this.recordKind()} header`;
      // a length that is invalid reports its own reason rather than "truncated"
      if (len === BAD) this.failAt(this.curBase + this.pos, this.badReason);
      else this.failAt(this.curBase + this.pos, `input ends ${left} bytes into ${what}`);
      return;
    }
    if (this.state === ST_START) this.failAt(0, 'empty input: no pcap or pcapng header');
  }

  /** The byte source failed (I/O error, corrupt or truncated gzip): report at the current record. */
  failSource(reason: string): void {
    if (this.state === ST_FAILED) return;
    const inRecord = this.fill !== null || this.cur.length > this.pos;
    this.failAt(this.offset, inRecord ? `${reason} (inside a ${this.recordKind()})` : reason);
  }

  /**
   * Parses the next packet into `packet`; false when more input is needed or on error. The capture
   * room's error boundary: an exception on hostile bytes becomes damage at the current record
   * (a CaptureError with its offset), counted as a capture fault; it never reaches the caller.
   */
  next(): boolean {
    try {
      return this.nextRecord();
    } catch (e) {
      const f = this.counters.faults.record('capture', e);
      this.failAt(this.offset, `cannot parse this record (${f.message})`);
      return false;
    }
  }

  private nextRecord(): boolean {
    for (;;) {
      const b = this.cur;
      const p = this.pos;
      const avail = b.length - p;
      if (avail === 0) {
        if (this.pending === null) return false;
        this.cur = this.pending;
        this.pos = this.pendingPos;
        this.curBase = this.pendingBase;
        this.pending = null;
        continue;
      }
      if (this.state === ST_PCAP) {
        // hot path: one classic record
        if (avail < 16) return false;
        const le = this.le;
        const caplen = le ? u32le(b, p + 8) : u32be(b, p + 8);
        if (caplen > this.pcapSnap) {
          if (caplen > MAX_CAPLEN) {
            this.failAt(this.curBase + p, this.caplenReason(caplen));
            return false;
          }
          // counted once the whole record is here (next() may be called again for it)
          if (p + 16 + caplen <= b.length) this.overSnaplen();
        }
        const end = p + 16 + caplen;
        if (end > b.length) return false;
        const pkt = this.packet;
        let sec = le ? u32le(b, p) : u32be(b, p);
        let frac = le ? u32le(b, p + 4) : u32be(b, p + 4);
        if (frac >= this.fracPerSec) {
          // out-of-range fraction: carry into seconds so tsNsec stays below 1e9
          sec += Math.floor(frac / this.fracPerSec);
          frac %= this.fracPerSec;
        }
        pkt.tsSec = sec;
        pkt.tsNsec = frac * this.nsPerFrac;
        pkt.origLen = le ? u32le(b, p + 12) : u32be(b, p + 12);
        pkt.setFrame(b, p + 16, caplen);
        this.pos = end;
        this.counted(pkt);
        return true;
      }
      if (this.state === ST_PCAPNG) {
        const r = this.pcapngBlock(b, p, avail);
        if (r === 1) return true;
        if (r < 0) return false;
        continue;
      }
      if (this.state === ST_START) {
        if (!this.fileHeader(b, p, avail)) return false;
        continue;
      }
      return false;
    }
  }

  private overSnaplen(): void {
    this.recordsOverSnaplen++;
    this.counters.recordsOverSnaplen++;
  }

  private counted(pkt: CapturedPacket): void {
    if (this.packets++ === 0) {
      this.firstSec = pkt.tsSec;
      this.firstNsec = pkt.tsNsec;
    }
    this.lastSec = pkt.tsSec;
    this.lastNsec = pkt.tsNsec;
  }

  private failAt(offset: number, reason: string): void {
    this.error = new CaptureError(this.name, offset, reason);
    this.state = ST_FAILED;
    this.cur = EMPTY;
    this.pos = 0;
    this.pending = null;
    this.fill = null;
  }

  private recordKind(): string {
    if (this.state === ST_PCAP) return 'packet record';
    if (this.state === ST_PCAPNG) return 'pcapng block';
    return 'file header';
  }

  private caplenReason(caplen: number): string {
    return `packet record claims ${caplen} captured bytes, more than the ${MAX_CAPLEN}-byte maximum`;
  }

  /**
   * Length of the record starting at b[p] given `avail` bytes: NEED if its header is incomplete,
   * BAD (reason in badReason) if its header is invalid.
   */
  private recordLength(b: Buffer, p: number, avail: number): number {
    if (this.state === ST_PCAP) {
      if (avail < 16) return NEED;
      const caplen = this.le ? u32le(b, p + 8) : u32be(b, p + 8);
      if (caplen > MAX_CAPLEN) {
        this.badReason = this.caplenReason(caplen);
        return BAD;
      }
      return 16 + caplen;
    }
    if (this.state === ST_PCAPNG) return this.blockLength(b, p, avail);
    if (this.state === ST_START) {
      if (avail < 4) return NEED;
      const m = u32be(b, p);
      if (m === BT_SHB) return this.blockLength(b, p, avail);
      // a bad magic is reported as soon as its 4 bytes are in, however the input was chunked
      const why = badMagicReason(m);
      if (why !== null) {
        this.badReason = why;
        return BAD;
      }
      return 24;
    }
    return BAD;
  }

  /** Validated total length of the pcapng block at b[p]; sets `le` from an SHB. */
  private blockLength(b: Buffer, p: number, avail: number): number {
    if (avail < 12) return NEED;
    let le = this.le;
    let type: number;
    if (u32le(b, p) === BT_SHB) {
      type = BT_SHB;
      const bom = u32le(b, p + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        this.badReason = `bad pcapng byte-order magic ${hex32(u32be(b, p + 8))}`;
        return BAD;
      }
    } else {
      type = le ? u32le(b, p) : u32be(b, p);
    }
    const len = le ? u32le(b, p + 4) : u32be(b, p + 4);
    let min = 12;
    if (type === BT_SHB) min = 28;
    else if (type === BT_EPB || type === BT_OPB) min = 32;
    else if (type === BT_IDB) min = 20;
    else if (type === BT_SPB) min = 16;
    if (len < min || len % 4 !== 0 || len > MAX_BLOCK_LEN) {
      this.badReason = `pcapng block (type ${hex32(type)}) has invalid length ${len}${
        len % 4 !== 0 ? ' (not a multiple of 4)' : len < min ? ` (less than ${min})` : ` (more than ${MAX_BLOCK_LEN})`
      }`;
      return BAD;
    }
    return len;
  }

  /** Classic pcap file header or the start of a pcapng file; false when more input is needed. */
  private fileHeader(b: Buffer, p: number, avail: number): boolean {
    if (avail < 4) return false;
    const m = u32be(b, p);
    let le: boolean;
    let ns: boolean;
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1) {
      le = m === 0xd4c3b2a1;
      ns = false;
    } else if (m === 0xa1b23c4d || m === 0x4d3cb2a1) {
      le = m === 0x4d3cb2a1;
      ns = true;
    } else if (m === BT_SHB) {
      this.format = 'pcapng';
      this.state = ST_PCAPNG;
      return true;
    } else {
      this.failAt(this.curBase + p, badMagicReason(m) ?? `not a pcap or pcapng file (magic ${hex32(m)})`);
      return false;
    }
    if (avail < 24) return false;
    const major = le ? u16le(b, p + 4) : u16be(b, p + 4);
    if (major !== 2) {
      this.failAt(this.curBase + p, `unsupported pcap version ${major}`);
      return false;
    }
    const snaplen = le ? u32le(b, p + 16) : u32be(b, p + 16);
    // low 16 bits: link type; the upper bits may carry FCS information
    const linktype = (le ? u32le(b, p + 20) : u32be(b, p + 20)) & 0xffff;
    this.le = le;
    this.format = ns ? 'pcap-ns' : 'pcap';
    this.fracPerSec = ns ? 1_000_000_000 : 1_000_000;
    this.nsPerFrac = ns ? 1 : 1000;
    this.pcapSnap = snaplen > 0 && snaplen < MAX_CAPLEN ? snaplen : MAX_CAPLEN;
    this.packet.linktype = linktype;
    this.linktypes.add(linktype);
    this.state = ST_PCAP;
    this.pos = p + 24;
    return true;
  }

  /** One pcapng block: 1 packet delivered, 0 block consumed, NEED, or BAD (error set). */
  private pcapngBlock(b: Buffer, p: number, avail: number): number {
    const len = this.blockLength(b, p, avail);
    if (len === NEED) return NEED;
    const off = this.curBase + p;
    if (len === BAD) {
      this.failAt(off, this.badReason);
      return BAD;
    }
    if (avail < len) return NEED;
    let type = u32le(b, p);
    if (type === BT_SHB) {
      this.le = u32le(b, p + 8) === 0x1a2b3c4d;
    }
    const le = this.le;
    if (type !== BT_SHB) type = le ? u32le(b, p) : u32be(b, p);
    const trailer = le ? u32le(b, p + len - 4) : u32be(b, p + len - 4);
    if (trailer !== len) {
      this.failAt(off, `pcapng block (type ${hex32(type)}) trailing length ${trailer} differs from its length ${len}`);
      return BAD;
    }
    const pkt = this.packet;
    let ifc: Iface | undefined;
    let dataOff: number;
    let caplen: number;
    switch (type) {
      case BT_EPB:
      case BT_OPB: {
        const ifId = type === BT_EPB ? (le ? u32le(b, p + 8) : u32be(b, p + 8)) : le ? u16le(b, p + 8) : u16be(b, p + 8);
        ifc = this.ifaces[ifId];
        if (ifc === undefined) {
          this.failAt(off, `packet block for undeclared interface ${ifId}`);
          return BAD;
        }
        caplen = le ? u32le(b, p + 20) : u32be(b, p + 20);
        if (caplen > len - 32) {
          this.failAt(off, `packet block claims ${caplen} captured bytes in a ${len}-byte block`);
          return BAD;
        }
        convertTs(le ? u32le(b, p + 12) : u32be(b, p + 12), le ? u32le(b, p + 16) : u32be(b, p + 16), ifc.ts, pkt);
        if (pkt.tsSec > MAX_TS_SEC || pkt.tsSec < MIN_TS_SEC) {
          this.failAt(off, `packet timestamp ${pkt.tsSec} s is outside the years 0000-9999 (no ISO 8601 date for it)`);
          return BAD;
        }
        pkt.origLen = le ? u32le(b, p + 24) : u32be(b, p + 24);
        dataOff = p + 28;
        break;
      }
      case BT_SPB: {
        // no interface id (always 0), no timestamp; caplen = min(origLen, snaplen, room in block)
        ifc = this.ifaces[0];
        if (ifc === undefined) {
          this.failAt(off, 'simple packet block before any interface description');
          return BAD;
        }
        const orig = le ? u32le(b, p + 8) : u32be(b, p + 8);
        caplen = Math.min(orig, len - 16);
        if (ifc.snaplen > 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
        pkt.tsSec = 0;
        pkt.tsNsec = 0;
        pkt.origLen = orig;
        dataOff = p + 12;
        break;
      }
      case BT_SHB: {
        const major = le ? u16le(b, p + 12) : u16be(b, p + 12);
        if (major !== 1) {
          this.failAt(off, `unsupported pcapng version ${major}`);
          return BAD;
        }
        this.ifaces = [];
        this.pos = p + len;
        return 0;
      }
      case BT_IDB: {
        if (!this.interfaceBlock(b, p, len, off)) return BAD;
        this.pos = p + len;
        return 0;
      }
      default:
        // name resolution, statistics, decryption secrets, custom...: not needed
        this.pos = p + len;
        return 0;
    }
    if (caplen > ifc.limit) {
      if (caplen > MAX_CAPLEN) {
        this.failAt(off, `packet block claims ${caplen} captured bytes, more than the ${MAX_CAPLEN}-byte maximum`);
        return BAD;
      }
      this.overSnaplen();
    }
    if (!ifc.seen) {
      ifc.seen = true;
      this.linktypes.add(ifc.linktype);
    }
    pkt.linktype = ifc.linktype;
    pkt.setFrame(b, dataOff, caplen);
    this.pos = p + len;
    this.counted(pkt);
    return 1;
  }

  private interfaceBlock(b: Buffer, p: number, len: number, off: number): boolean {
    const le = this.le;
    if (this.ifaces.length >= MAX_INTERFACES) {
      this.failAt(off, `more than ${MAX_INTERFACES} interfaces in one section`);
      return false;
    }
    const linktype = le ? u16le(b, p + 8) : u16be(b, p + 8);
    const snaplen = le ? u32le(b, p + 12) : u32be(b, p + 12);
    let tsresol = 6;
    let tsoffset = 0;
    let o = p + 16;
    const oend = p + len - 4;
    // options: code, length, value padded to 4; a malformed option ends the list
    while (o + 4 <= oend) {
      const code = le ? u16le(b, o) : u16be(b, o);
      const olen = le ? u16le(b, o + 2) : u16be(b, o + 2);
      if (code === 0) break;
      const v = o + 4;
      if (v + olen > oend) break;
      if (code === 9 && olen >= 1) tsresol = b[v]!;
      else if (code === 14 && olen >= 8) tsoffset = Number(le ? b.readBigInt64LE(v) : b.readBigInt64BE(v));
      o = v + ((olen + 3) & ~3);
    }
    const ts = makeTsUnit(tsresol, tsoffset);
    if (ts === null) {
      this.failAt(off, `unsupported if_tsresol 0x${tsresol.toString(16)}`);
      return false;
    }
    this.ifaces.push({
      linktype,
      snaplen,
      limit: snaplen > 0 && snaplen < MAX_CAPLEN ? snaplen : MAX_CAPLEN,
      ts,
      seen: false,
    });
    return true;
  }
}
