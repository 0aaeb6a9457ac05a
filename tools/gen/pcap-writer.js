'use strict';
/**
 * Streaming classic-pcap writer (Ethernet link type) with Ethernet + IPv4/IPv6 + TCP frame
 * builders and a TCP connection model (handshake, MSS segmentation, seq/ack per direction,
 * FIN or RST close). Frames are built in place inside one large output buffer that is flushed
 * with fs.writeSync, so multi-GB captures cost one copy of each payload and one checksum pass.
 *
 * Timestamps are numbers of microseconds since the Unix epoch (exact up to year 2255).
 * A nanosecond writer stores them with the nanosecond magic (value * 1000 + optional ns part).
 */
const fs = require('node:fs');

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const REC_HDR = 16;
const ETH_HDR = 14;
const IP4_HDR = 20;
const IP6_HDR = 40;
const TCP_HDR = 20;
const MAX_FRAME = 65535 + ETH_HDR + IP6_HDR + 64;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

class PcapWriter {
  /**
   * @param {string|number} out  file path, or an open fd (e.g. 1 for stdout)
   * @param {{nanos?: boolean, snaplen?: number, bufferSize?: number}} [opts]
   */
  constructor(out, opts = {}) {
    this.nanos = !!opts.nanos;
    this.snaplen = opts.snaplen ?? 262144;
    const size = Math.max(opts.bufferSize ?? 8 << 20, MAX_FRAME * 2);
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
    this.ownFd = typeof out !== 'number';
    this.fd = this.ownFd ? fs.openSync(out, 'w') : out;
    /** bytes handed to the file so far plus buffered bytes */
    this.flushed = 0;
    this.packets = 0;
    const h = this.buf;
    h.writeUInt32LE(this.nanos ? MAGIC_NS : MAGIC_US, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(this.snaplen, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.pos = 24;
  }

  get bytes() {
    return this.flushed + this.pos;
  }

  /**
   * Reserves room for a frame of up to maxLen bytes and returns the offset in this.buf where
   * the frame (after the 16-byte record header) starts. Follow with commit().
   */
  reserve(maxLen) {
    if (this.pos + REC_HDR + maxLen > this.buf.length) this.flush();
    return this.pos + REC_HDR;
  }

  /** Finishes the frame started by reserve(): writes its record header. */
  commit(tsUs, len, nsExtra = 0) {
    const b = this.buf;
    const p = this.pos;
    const sec = Math.floor(tsUs / 1e6);
    const frac = tsUs - sec * 1e6;
    b.writeUInt32LE(sec >>> 0, p);
    b.writeUInt32LE(this.nanos ? frac * 1000 + nsExtra : frac, p + 4);
    const cap = len > this.snaplen ? this.snaplen : len;
    b.writeUInt32LE(cap, p + 8);
    b.writeUInt32LE(len, p + 12);
    this.pos = p + REC_HDR + cap;
    this.packets++;
  }

  /** Writes a whole, already built frame. */
  writeFrame(tsUs, frame) {
    const off = this.reserve(frame.length);
    frame.copy(this.buf, off);
    this.commit(tsUs, frame.length);
  }

  flush() {
    let done = 0;
    while (done < this.pos) {
      try {
        done += fs.writeSync(this.fd, this.buf, done, this.pos - done);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
      }
    }
    this.flushed += this.pos;
    this.pos = 0;
  }

  close() {
    this.flush();
    if (this.ownFd) fs.closeSync(this.fd);
  }
}

/** Parses "10.0.0.1" or an IPv6 text address into a Buffer of 4 or 16 bytes. */
function ipBytes(text) {
  if (Buffer.isBuffer(text)) return text;
  if (text.includes(':')) {
    const [head, tail] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
    return b;
  }
  return Buffer.from(text.split('.').map((x) => parseInt(x, 10)));
}

/** Parses "02:00:00:00:00:01" into 6 bytes. */
function macBytes(text) {
  if (Buffer.isBuffer(text)) return text;
  return Buffer.from(text.split(':').map((x) => parseInt(x, 16)));
}

/** One's-complement 16-bit sum of b[start..end) added to `sum` (not folded). */
function sum16(b, start, end, sum) {
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i < even; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

function fold(sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/**
 * One endpoint pair of a TCP frame. src/dst are {mac, ip, port} with mac and ip as Buffers
 * (6 bytes; 4 or 16 bytes).
 */

/**
 * Builds Ethernet + IP + TCP + payload directly into the writer's buffer and commits it.
 * @param {PcapWriter} w
 * @param {number} tsUs
 * @param {{mac: Buffer, ip: Buffer, port: number}} src
 * @param {{mac: Buffer, ip: Buffer, port: number}} dst
 * @param {{seq: number, ack: number, flags: number, win?: number, ipId?: number, ttl?: number,
 *   options?: Buffer, checksum?: boolean}} tcp
 * @param {Buffer|null} payload
 * @param {number} [pStart]
 * @param {number} [pEnd]
 */
function writeTcpFrame(w, tsUs, src, dst, tcp, payload, pStart = 0, pEnd = payload ? payload.length : 0) {
  const v6 = src.ip.length === 16;
  const plen = pEnd - pStart;
  const optLen = tcp.options ? tcp.options.length : 0;
  const tcpLen = TCP_HDR + optLen + plen;
  const ipHdr = v6 ? IP6_HDR : IP4_HDR;
  const frameLen = ETH_HDR + ipHdr + tcpLen;
  const off = w.reserve(frameLen);
  const b = w.buf;
  // Ethernet
  dst.mac.copy(b, off);
  src.mac.copy(b, off + 6);
  b[off + 12] = v6 ? 0x86 : 0x08;
  b[off + 13] = v6 ? 0xdd : 0x00;
  const ip = off + ETH_HDR;
  let pseudo;
  if (v6) {
    b.writeUInt32BE(0x60000000, ip);
    b.writeUInt16BE(tcpLen, ip + 4);
    b[ip + 6] = 6;
    b[ip + 7] = tcp.ttl ?? 64;
    src.ip.copy(b, ip + 8);
    dst.ip.copy(b, ip + 24);
    pseudo = sum16(b, ip + 8, ip + 40, 0) + tcpLen + 6;
  } else {
    b[ip] = 0x45;
    b[ip + 1] = 0;
    b.writeUInt16BE(IP4_HDR + tcpLen, ip + 2);
    b.writeUInt16BE((tcp.ipId ?? 0) & 0xffff, ip + 4);
    b.writeUInt16BE(0x4000, ip + 6); // DF
    b[ip + 8] = tcp.ttl ?? 128;
    b[ip + 9] = 6;
    b[ip + 10] = 0;
    b[ip + 11] = 0;
    src.ip.copy(b, ip + 12);
    dst.ip.copy(b, ip + 16);
    b.writeUInt16BE(~fold(sum16(b, ip, ip + IP4_HDR, 0)) & 0xffff, ip + 10);
    pseudo = sum16(b, ip + 12, ip + 20, 0) + tcpLen + 6;
  }
  const th = ip + ipHdr;
  b.writeUInt16BE(src.port, th);
  b.writeUInt16BE(dst.port, th + 2);
  b.writeUInt32BE(tcp.seq >>> 0, th + 4);
  b.writeUInt32BE(tcp.flags & TCP_ACK ? tcp.ack >>> 0 : 0, th + 8);
  b[th + 12] = ((TCP_HDR + optLen) / 4) << 4;
  b[th + 13] = tcp.flags;
  b.writeUInt16BE(tcp.win ?? 0xfaf0, th + 14);
  b[th + 16] = 0;
  b[th + 17] = 0;
  b[th + 18] = 0;
  b[th + 19] = 0;
  if (optLen) tcp.options.copy(b, th + TCP_HDR);
  if (plen) payload.copy(b, th + TCP_HDR + optLen, pStart, pEnd);
  if (tcp.checksum !== false) {
    const s = fold(sum16(b, th, th + tcpLen, pseudo));
    b.writeUInt16BE(~s & 0xffff, th + 16);
  }
  w.commit(tsUs, frameLen);
  return frameLen;
}

/** MSS option (kind 2) + NOP NOP SACK-permitted, as a SYN carries. */
function synOptions(mss) {
  const o = Buffer.alloc(8);
  o[0] = 2;
  o[1] = 4;
  o.writeUInt16BE(mss, 2);
  o[4] = 1;
  o[5] = 1;
  o[6] = 4;
  o[7] = 2;
  return o;
}

/**
 * A TCP connection between a client and a server. Direction 0 = client → server,
 * 1 = server → client. seq[d] is the next sequence number direction d sends.
 */
class TcpConnection {
  /**
   * @param {PcapWriter} writer
   * @param {{client: {mac: any, ip: any, port: number}, server: {mac: any, ip: any, port: number},
   *   mss?: number, isn?: [number, number], checksum?: boolean, ackEvery?: number}} o
   *   ackEvery: the receiver sends a pure ACK after every N data segments of one send() (0 = never)
   */
  constructor(writer, o) {
    this.w = writer;
    const ep = (e) => ({ mac: macBytes(e.mac), ip: ipBytes(e.ip), port: e.port });
    this.ends = [ep(o.client), ep(o.server)];
    this.mss = o.mss ?? 1460;
    const isn = o.isn ?? [0x10000000, 0x20000000];
    this.seq = [isn[0] >>> 0, isn[1] >>> 0];
    this.ipId = [1, 1];
    this.checksum = o.checksum !== false;
    this.ackEvery = o.ackEvery ?? 0;
    this.tcp = { seq: 0, ack: 0, flags: 0, win: 0xfaf0, ipId: 0, ttl: 128, options: null, checksum: this.checksum };
  }

  /** Writes one segment in direction d; advances seq by the payload length (+1 for SYN/FIN). */
  segment(ts, d, flags, payload = null, start = 0, end = payload ? payload.length : 0, options = null) {
    const t = this.tcp;
    t.seq = this.seq[d];
    t.ack = this.seq[1 - d];
    t.flags = flags;
    t.ipId = this.ipId[d]++;
    t.ttl = d === 0 ? 128 : 64;
    t.options = options;
    writeTcpFrame(this.w, ts, this.ends[d], this.ends[1 - d], t, payload, start, end);
    let adv = end - start;
    if (flags & (TCP_SYN | TCP_FIN)) adv += 1;
    this.seq[d] = (this.seq[d] + adv) >>> 0;
  }

  /** SYN, SYN/ACK, ACK. Returns the timestamp after the last packet. */
  handshake(ts, rttUs = 200) {
    const opt = synOptions(this.mss);
    this.segment(ts, 0, TCP_SYN, null, 0, 0, opt);
    this.segment(ts + rttUs / 2, 1, TCP_SYN | TCP_ACK, null, 0, 0, opt);
    this.segment(ts + rttUs, 0, TCP_ACK);
    return ts + rttUs;
  }

  /**
   * Sends payload[start,end) in direction d in MSS-sized segments (PSH on the last one), each
   * `gapUs` apart. Returns the timestamp of the last segment.
   */
  send(ts, d, payload, start = 0, end = payload.length, gapUs = 1) {
    let n = 0;
    for (let p = start; p < end; p += this.mss) {
      const e = Math.min(p + this.mss, end);
      this.segment(ts, d, e === end ? TCP_ACK | TCP_PSH : TCP_ACK, payload, p, e);
      n++;
      if (this.ackEvery && n % this.ackEvery === 0 && e < end) this.segment(ts, 1 - d, TCP_ACK);
      if (e < end) ts += gapUs;
    }
    return ts;
  }

  /** A pure ACK from direction d. */
  ack(ts, d) {
    this.segment(ts, d, TCP_ACK);
  }

  /** FIN/ACK from `d`, FIN/ACK back, final ACK. */
  closeFin(ts, d = 0, rttUs = 200) {
    this.segment(ts, d, TCP_FIN | TCP_ACK);
    this.segment(ts + rttUs / 2, 1 - d, TCP_FIN | TCP_ACK);
    this.segment(ts + rttUs, d, TCP_ACK);
    return ts + rttUs;
  }

  /** RST/ACK from `d`. */
  closeRst(ts, d = 0) {
    this.segment(ts, d, TCP_RST | TCP_ACK);
    return ts;
  }
}

module.exports = {
  PcapWriter,
  TcpConnection,
  writeTcpFrame,
  synOptions,
  ipBytes,
  macBytes,
  sum16,
  fold,
  TCP_FIN,
  TCP_SYN,
  TCP_RST,
  TCP_PSH,
  TCP_ACK,
  LINKTYPE_ETHERNET,
};
