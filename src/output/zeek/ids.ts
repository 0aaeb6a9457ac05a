/**
 * Connection identifiers for Zeek logs: the `uid` (Zeek-like `C` + base62) and the Community ID
 * (v1, seed 0) — both from the TCP connection alone, so they are the same for the same connection
 * in every run and in every log.
 *
 * uid: Zeek draws its uids at random; here it is the first 96 bits of SHA-1 over
 * `tcp|client ip|client port|server ip|server port|first packet time (s.ns)`, written in base62
 * after a `C`, as Zeek writes its own. The first packet time keeps two connections that reuse one
 * 4-tuple apart; a record without it (a Flow built outside the tracker) hashes the 4-tuple alone.
 */
import { createHash } from 'node:crypto';
import type { Flow } from '../../shared/records';

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = '';
  while (n > 0n) {
    s = B62[Number(n % 62n)] + s;
    n /= 62n;
  }
  return s === '' ? '0' : s;
}

// per flow object (the tracker hands the same Flow for every record of a connection)
const uidCache = new WeakMap<Flow, string>();
const cidCache = new WeakMap<Flow, string>();

/** The connection's uid, e.g. `C3xkHgJ8r1fUWbBm2`. */
export function connUid(f: Flow): string {
  let u = uidCache.get(f);
  if (u !== undefined) return u;
  const start = f.startSec !== undefined ? `${f.startSec}.${String(f.startNsec ?? 0).padStart(9, '0')}` : '';
  const key = `tcp|${f.clientIp}|${f.clientPort}|${f.serverIp}|${f.serverPort}|${start}`;
  u = 'C' + base62(createHash('sha1').update(key).digest().subarray(0, 12));
  uidCache.set(f, u);
  return u;
}

/** IPv4 or IPv6 text → its 4 or 16 bytes (null when it is neither). */
export function ipBytes(ip: string): Buffer | null {
  if (!ip.includes(':')) {
    const p = ip.split('.');
    if (p.length !== 4) return null;
    const b = Buffer.alloc(4);
    for (let i = 0; i < 4; i++) {
      if (!/^\d{1,3}$/.test(p[i]!) || Number(p[i]!) > 255) return null;
      b[i] = Number(p[i]);
    }
    return b;
  }
  let s = ip;
  const pct = s.indexOf('%');
  if (pct !== -1) s = s.slice(0, pct);
  let tail: Buffer | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = ipBytes(s.slice(lastColon + 1));
    if (tail === null) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i]!)) return null;
    b.writeUInt16BE(parseInt(all[i]!, 16), i * 2);
  }
  if (tail) tail.copy(b, 12);
  return b;
}

const TCP = 6;

/** Community ID v1 (seed 0) of a TCP flow: `1:` + base64(SHA-1(seed, ordered endpoints, proto)). */
export function communityId(f: Flow, seed = 0): string | null {
  let c = cidCache.get(f);
  if (c !== undefined) return c;
  const a = ipBytes(f.clientIp);
  const b = ipBytes(f.serverIp);
  if (a === null || b === null || a.length !== b.length) return null;
  let sip = a;
  let dip = b;
  let sp = f.clientPort;
  let dp = f.serverPort;
  const cmp = Buffer.compare(a, b);
  if (cmp > 0 || (cmp === 0 && sp > dp)) {
    sip = b;
    dip = a;
    sp = f.serverPort;
    dp = f.clientPort;
  }
  const buf = Buffer.alloc(2 + sip.length * 2 + 2 + 4);
  let o = buf.writeUInt16BE(seed, 0);
  o += sip.copy(buf, o);
  o += dip.copy(buf, o);
  buf[o++] = TCP;
  buf[o++] = 0;
  o = buf.writeUInt16BE(sp, o);
  buf.writeUInt16BE(dp, o);
  c = '1:' + createHash('sha1').update(buf).digest('base64');
  cidCache.set(f, c);
  return c;
}
