/**
 * Community ID v1 (corelight/community-id-spec) of a TCP connection, seed 0: the flow hash Zeek
 * and Suricata log as `community_id`, so a sharewatch event pivots to the same connection there.
 *
 *   sha1( seed:u16be · addrA · addrB · proto:u8 · 0:u8 · portA:u16be · portB:u16be ), base64, "1:"
 *
 * where (addrA, portA) is the smaller endpoint — addresses compared as bytes, ports when the
 * addresses are equal — so both directions give the same value. Addresses are 4 bytes (IPv4) or
 * 16 (IPv6, IPv4-mapped included as such).
 */
import { createHash } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { isIPv6 } from 'node:net';

export const PROTO_TCP = 6;

function v4Bytes(s: string, out: number[]): void {
  for (const p of s.split('.')) out.push(Number(p) & 0xff);
}

/** RFC 4291 text (`::`, embedded dotted quad, zone id dropped) → 16 bytes */
function v6Bytes(s: string): number[] {
  const pct = s.indexOf('%');
  if (pct !== -1) s = s.slice(0, pct);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const b: number[] = [];
        v4Bytes(g, b);
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = s.indexOf('::');
  let words: number[];
  if (dbl === -1) words = groups(s);
  else {
    const head = groups(s.slice(0, dbl));
    const tail = groups(s.slice(dbl + 2));
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out: number[] = [];
  for (const w of words) out.push((w >> 8) & 0xff, w & 0xff);
  return out;
}

/**
 * Dotted-quad bytes into out[0, 4), true when `s` is exactly what node:net's isIPv4 accepts: four
 * decimal parts 0..255, no leading zeros, nothing else (its regex, without the regex).
 */
function parseV4(s: string, out: Uint8Array): boolean {
  const n = s.length;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || s.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < n && i - start < 4) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && s.charCodeAt(start) === 0x30)) return false;
    out[part] = v;
  }
  return i === n;
}

const v4Scratch = new Uint8Array(4);

/** the address's bytes, or null when it is no IP address */
export function ipBytes(ip: string): number[] | null {
  if (parseV4(ip, v4Scratch)) return [v4Scratch[0]!, v4Scratch[1]!, v4Scratch[2]!, v4Scratch[3]!];
  // every IPv6 text has a colon: skip node:net's long regex for host names
  if (ip.includes(':') && isIPv6(ip)) return v6Bytes(ip);
  return null;
}

/** the address's 4 or 16 bytes into out at off; the count, or 0 when it is no IP address */
function ipBytesInto(ip: string, out: Uint8Array, off: number): number {
  if (parseV4(ip, v4Scratch)) {
    out.set(v4Scratch, off);
    return 4;
  }
  if (!ip.includes(':') || !isIPv6(ip)) return 0;
  const b = v6Bytes(ip);
  for (let i = 0; i < 16; i++) out[off + i] = b[i]!;
  return 16;
}

/** bytes a[ao, ao+n) against b[bo, bo+n) */
function compare(x: Uint8Array, ao: number, bo: number, n: number): number {
  for (let i = 0; i < n; i++) if (x[ao + i] !== x[bo + i]) return x[ao + i]! - x[bo + i]!;
  return 0;
}

/** both addresses and the hashed message (scratch) */
const addrs = new Uint8Array(32);
const msg = Buffer.alloc(2 + 16 * 2 + 4 + 4);

/**
 * SHA-1 as base64: node's one-shot crypto.hash (Node >= 20.12; no Hash object, ~3x cheaper than
 * createHash for these 16/40-byte messages, and native, so cold runs with few flows do not pay for
 * a JS hash's warm-up), createHash where it is missing. Same digest either way.
 */
const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'base64') => string }).hash;
const sha1Base64: (data: Uint8Array) => string =
  typeof oneShot === 'function' ? (data) => oneShot('sha1', data, 'base64') : (data) => createHash('sha1').update(data).digest('base64');

/** `1:…=` or null when an address is not an IP address of one family with the other */
export function communityId(saddr: string, sport: number, daddr: string, dport: number, proto = PROTO_TCP, seed = 0): string | null {
  const na = ipBytesInto(saddr, addrs, 0);
  if (na === 0) return null;
  const nb = ipBytesInto(daddr, addrs, 16);
  if (nb !== na) return null;
  let a = 0;
  let b = 16;
  let pa = sport;
  let pb = dport;
  const c = compare(addrs, 0, 16, na);
  if (c > 0 || (c === 0 && pa > pb)) {
    a = 16;
    b = 0;
    pa = dport;
    pb = sport;
  }
  let o = 0;
  msg[o++] = (seed >> 8) & 0xff;
  msg[o++] = seed & 0xff;
  for (let i = 0; i < na; i++) msg[o++] = addrs[a + i]!;
  for (let i = 0; i < na; i++) msg[o++] = addrs[b + i]!;
  msg[o++] = proto;
  msg[o++] = 0;
  msg[o++] = (pa >> 8) & 0xff;
  msg[o++] = pa & 0xff;
  msg[o++] = (pb >> 8) & 0xff;
  msg[o++] = pb & 0xff;
  return '1:' + sha1Base64(msg.subarray(0, o));
}

const cache = new WeakMap<object, string | null>();

/** Community ID of a record's flow, computed once per Flow object (many events share one). */
export function flowCommunityId(flow: { clientIp: string; clientPort: number; serverIp: string; serverPort: number }): string | null {
  let v = cache.get(flow);
  if (v === undefined) {
    v = communityId(flow.clientIp, flow.clientPort, flow.serverIp, flow.serverPort);
    cache.set(flow, v);
  }
  return v;
}
