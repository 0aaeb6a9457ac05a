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
import { isIPv4, isIPv6 } from 'node:net';

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
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
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

/** the address's bytes, or null when it is no IP address */
export function ipBytes(ip: string): number[] | null {
  if (isIPv4(ip)) {
    const out: number[] = [];
    v4Bytes(ip, out);
    return out;
  }
  if (isIPv6(ip)) return v6Bytes(ip);
  return null;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** `1:…=` or null when an address is not an IP address of one family with the other */
export function communityId(saddr: string, sport: number, daddr: string, dport: number, proto = PROTO_TCP, seed = 0): string | null {
  let a = ipBytes(saddr);
  let b = ipBytes(daddr);
  if (a === null || b === null || a.length !== b.length) return null;
  let pa = sport;
  let pb = dport;
  const c = compare(a, b);
  if (c > 0 || (c === 0 && pa > pb)) {
    [a, b] = [b, a];
    [pa, pb] = [pb, pa];
  }
  const buf = Buffer.alloc(2 + a.length * 2 + 2 + 4);
  let o = buf.writeUInt16BE(seed & 0xffff, 0);
  for (const x of a) buf[o++] = x;
  for (const x of b) buf[o++] = x;
  buf[o++] = proto;
  buf[o++] = 0;
  o = buf.writeUInt16BE(pa & 0xffff, o);
  buf.writeUInt16BE(pb & 0xffff, o);
  return '1:' + createHash('sha1').update(buf).digest('base64');
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
