/**
 * The flow table: TCP connections keyed by their 5-tuple, both directions to one TcpConn.
 *
 * Keys are numbers: a symmetric hash of (address bytes, port) of both ends, so either direction
 * of a packet finds the same bucket; a bucket is a chain through `hashNext`, and a hit is
 * confirmed by comparing the address bytes and ports (no string per packet). Connections also
 * sit on a list ordered by last-seen capture time (moved to the tail on each packet), so idle
 * timeouts and eviction take the head: O(1) per packet, no scan of all flows.
 */
import type { Conn, Direction } from '../shared/stream';
import { TO_CLIENT, TO_SERVER } from '../shared/stream';
import { TcpHalf, type ReassemblyHost } from './reassembly';

export class TcpConn implements Conn {
  user: unknown = undefined;
  /** client address bytes, then server address bytes (4 or 16 each) */
  readonly addrs: Buffer;
  readonly addrLen: number;
  /** [TO_SERVER, TO_CLIENT] */
  readonly halves: [TcpHalf, TcpHalf];
  lastSec = 0;
  lastNsec = 0;
  /** the engine's `seq` at the last packet (sharded runs: orders expiries as one engine would) */
  lastSeq = 0;
  finSeen = false;
  ended = false;
  // flow table links
  hashNext: TcpConn | null = null;
  lruPrev: TcpConn | null = null;
  lruNext: TcpConn | null = null;

  constructor(
    host: ReassemblyHost,
    readonly id: number,
    readonly hash: number,
    readonly ipVersion: 4 | 6,
    buf: Buffer,
    clientAddrOff: number,
    serverAddrOff: number,
    readonly clientIp: string,
    readonly clientPort: number,
    readonly serverIp: string,
    readonly serverPort: number,
    readonly startSec: number,
    readonly startNsec: number,
    readonly dcerpc = false,
  ) {
    const n = ipVersion === 4 ? 4 : 16;
    this.addrLen = n;
    this.addrs = Buffer.allocUnsafe(2 * n);
    buf.copy(this.addrs, 0, clientAddrOff, clientAddrOff + n);
    buf.copy(this.addrs, n, serverAddrOff, serverAddrOff + n);
    const port139 = serverPort === 139;
    this.halves = [new TcpHalf(host, this, TO_SERVER, port139, dcerpc), new TcpHalf(host, this, TO_CLIENT, port139, dcerpc)];
  }

  /** Direction of a packet from (srcAddr, srcPort), or -1 when it is not one of this conn's. */
  directionOf(ipVersion: number, buf: Buffer, srcOff: number, srcPort: number, dstOff: number, dstPort: number): Direction | -1 {
    if (ipVersion !== this.ipVersion) return -1;
    const n = this.addrLen;
    if (srcPort === this.clientPort && dstPort === this.serverPort && eq(buf, srcOff, this.addrs, 0, n) && eq(buf, dstOff, this.addrs, n, n)) {
      return TO_SERVER;
    }
    if (srcPort === this.serverPort && dstPort === this.clientPort && eq(buf, srcOff, this.addrs, n, n) && eq(buf, dstOff, this.addrs, 0, n)) {
      return TO_CLIENT;
    }
    return -1;
  }
}

function eq(a: Buffer, ao: number, b: Buffer, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** Hash of one endpoint: address bytes and port (murmur3-style mixing). */
function endpointHash(buf: Buffer, off: number, n: number, port: number): number {
  let h = Math.imul(port + 0x9e3779b9, 0x85ebca6b);
  for (let i = 0; i < n; i += 4) {
    const w = (buf[off + i]! << 24) | (buf[off + i + 1]! << 16) | (buf[off + i + 2]! << 8) | buf[off + i + 3]!;
    h ^= Math.imul(w, 0xcc9e2d51);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/** Symmetric flow hash: the same for both directions of a connection. */
export function flowHash(ipVersion: number, buf: Buffer, srcOff: number, srcPort: number, dstOff: number, dstPort: number): number {
  let a: number;
  let b: number;
  if (ipVersion === 4) {
    // the common case without the loop: address word and port, one multiply each
    const s = (buf[srcOff]! << 24) | (buf[srcOff + 1]! << 16) | (buf[srcOff + 2]! << 8) | buf[srcOff + 3]!;
    const d = (buf[dstOff]! << 24) | (buf[dstOff + 1]! << 16) | (buf[dstOff + 2]! << 8) | buf[dstOff + 3]!;
    a = Math.imul(s ^ Math.imul(srcPort, 0x9e3779b1), 0x85ebca6b);
    b = Math.imul(d ^ Math.imul(dstPort, 0x9e3779b1), 0x85ebca6b);
    a ^= a >>> 15;
    b ^= b >>> 15;
  } else {
    a = endpointHash(buf, srcOff, 16, srcPort);
    b = endpointHash(buf, dstOff, 16, dstPort);
  }
  let h = (a + b) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}

export class FlowTable {
  private readonly buckets = new Map<number, TcpConn>();
  size = 0;
  /** least recently seen first */
  lruHead: TcpConn | null = null;
  lruTail: TcpConn | null = null;

  /** The connection of a packet and its direction (packed: conn in `found`, dir returned). */
  found: TcpConn | null = null;

  lookup(hash: number, ipVersion: number, buf: Buffer, srcOff: number, srcPort: number, dstOff: number, dstPort: number): Direction | -1 {
    let c: TcpConn | null = this.buckets.get(hash) ?? null;
    while (c !== null) {
      const d = c.directionOf(ipVersion, buf, srcOff, srcPort, dstOff, dstPort);
      if (d !== -1) {
        this.found = c;
        return d;
      }
      c = c.hashNext;
    }
    this.found = null;
    return -1;
  }

  insert(c: TcpConn): void {
    const head = this.buckets.get(c.hash);
    c.hashNext = head ?? null;
    this.buckets.set(c.hash, c);
    this.size++;
    // append to the LRU tail
    c.lruPrev = this.lruTail;
    c.lruNext = null;
    if (this.lruTail) this.lruTail.lruNext = c;
    else this.lruHead = c;
    this.lruTail = c;
  }

  remove(c: TcpConn): void {
    let p = this.buckets.get(c.hash);
    if (p === c) {
      if (c.hashNext) this.buckets.set(c.hash, c.hashNext);
      else this.buckets.delete(c.hash);
    } else {
      while (p && p.hashNext !== c) p = p.hashNext ?? undefined;
      if (!p) return; // not in the table
      p.hashNext = c.hashNext;
    }
    c.hashNext = null;
    if (c.lruPrev) c.lruPrev.lruNext = c.lruNext;
    else this.lruHead = c.lruNext;
    if (c.lruNext) c.lruNext.lruPrev = c.lruPrev;
    else this.lruTail = c.lruPrev;
    c.lruPrev = c.lruNext = null;
    this.size--;
  }

  /** Mark `c` most recently seen. */
  touch(c: TcpConn): void {
    if (this.lruTail === c) return;
    // unlink
    if (c.lruPrev) c.lruPrev.lruNext = c.lruNext;
    else this.lruHead = c.lruNext;
    if (c.lruNext) c.lruNext.lruPrev = c.lruPrev;
    // append
    c.lruPrev = this.lruTail;
    c.lruNext = null;
    if (this.lruTail) this.lruTail.lruNext = c;
    this.lruTail = c;
  }
}
