/**
 * IP addresses and CIDR blocks for allowlists. Every address is held as 128 bits (four uint32
 * words); IPv4 is mapped into ::ffff:0:0/96, so `10.0.0.0/8` also matches `::ffff:10.1.2.3` and
 * an IPv6 block over ::ffff:0:0/96 matches plain IPv4 addresses.
 */

const V4_MAPPED_WORD2 = 0x0000ffff;

/** Dotted quad, four decimal octets without leading zeros (`010` is refused: octal or decimal?). */
function parseV4(s: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    const octStart = i;
    let oct = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      oct = oct * 10 + (c - 0x30);
      i++;
      if (i - octStart > 3) return -1;
    }
    const len = i - octStart;
    if (len === 0 || oct > 255 || (len > 1 && s.charCodeAt(octStart) === 0x30)) return -1;
    value = value * 256 + oct;
    octets++;
    if (octets < 4) {
      if (i >= end || s.charCodeAt(i) !== 0x2e /* . */) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Parse hextets of s[start, end) into groups[at…]; a final dotted quad (when allowV4: it must end
 * the whole address) counts as two groups.
 * Returns the number of groups written, or -1.
 */
function parseGroups(s: string, start: number, end: number, groups: number[], at: number, allowV4: boolean): number {
  if (start === end) return 0;
  let n = 0;
  let i = start;
  for (;;) {
    let j = i;
    while (j < end && s.charCodeAt(j) !== 0x3a /* : */) j++;
    // a dotted quad is only allowed as the last piece
    if (j === end && s.indexOf('.', i) !== -1 && s.indexOf('.', i) < end) {
      if (!allowV4) return -1;
      const v4 = parseV4(s, i, end);
      if (v4 < 0 || at + n + 2 > 8) return -1;
      groups[at + n++] = Math.floor(v4 / 0x10000);
      groups[at + n++] = v4 & 0xffff;
      return n;
    }
    const len = j - i;
    if (len === 0 || len > 4 || at + n >= 8) return -1;
    let g = 0;
    for (let k = i; k < j; k++) {
      const d = hexDigit(s.charCodeAt(k));
      if (d < 0) return -1;
      g = g * 16 + d;
    }
    groups[at + n++] = g;
    if (j === end) return n;
    i = j + 1;
    if (i === end) return -1; // trailing single ':'
  }
}

/** an IPv6 zone id, as net.isIP accepts it (`%eth0`, `%12`) */
const ZONE = /^[0-9A-Za-z.:-]+$/;

const scratchGroups: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Parse an IPv4 or IPv6 address (an IPv6 zone `%eth0` is ignored) into out[0..3].
 * Returns 4 for IPv4, 6 for IPv6, 0 when s is no address.
 */
export function parseIp(s: string, out: Uint32Array): 0 | 4 | 6 {
  let end = s.length;
  const pct = s.indexOf('%');
  if (pct !== -1) {
    if (!ZONE.test(s.slice(pct + 1))) return 0;
    end = pct;
  }
  if (s.indexOf(':') === -1 || s.indexOf(':') > end) {
    const v4 = parseV4(s, 0, end);
    if (v4 < 0 || pct !== -1) return 0;
    out[0] = 0;
    out[1] = 0;
    out[2] = V4_MAPPED_WORD2;
    out[3] = v4;
    return 4;
  }
  const g = scratchGroups;
  g.fill(0);
  const dbl = s.indexOf('::');
  if (dbl !== -1 && dbl < end) {
    if (s.indexOf('::', dbl + 1) !== -1 && s.indexOf('::', dbl + 1) < end) return 0;
    const head = parseGroups(s, 0, dbl, g, 0, false);
    if (head < 0) return 0;
    // parse the tail after the head, then move it to the end
    const tail = parseGroups(s, dbl + 2, end, g, head, true);
    if (tail < 0 || head + tail > 7) return 0;
    for (let k = tail - 1; k >= 0; k--) {
      const v = g[head + k]!;
      g[head + k] = 0;
      g[8 - tail + k] = v;
    }
  } else {
    if (parseGroups(s, 0, end, g, 0, true) !== 8) return 0;
  }
  for (let w = 0; w < 4; w++) out[w] = ((g[2 * w]! << 16) | g[2 * w + 1]!) >>> 0;
  return 6;
}

/** One CIDR block: network address and mask, both as four words. */
export interface Cidr {
  readonly net: Uint32Array;
  readonly mask: Uint32Array;
  /** prefix length in the 128-bit space (IPv4 /n is 96 + n) */
  readonly bits: number;
}

/**
 * `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7` (one host), `::ffff:10.0.0.0/104`.
 * Host bits beyond the prefix are ignored (`10.1.2.3/8` is 10.0.0.0/8). Returns null when invalid.
 */
export function parseCidr(text: string): Cidr | null {
  const s = text.trim();
  const slash = s.indexOf('/');
  const addrText = slash === -1 ? s : s.slice(0, slash);
  const net = new Uint32Array(4);
  const fam = parseIp(addrText, net);
  if (fam === 0 || addrText.indexOf('%') !== -1) return null;
  const max = fam === 4 ? 32 : 128;
  let len = max;
  if (slash !== -1) {
    const p = s.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    len = Number(p);
    if (len > max) return null;
  }
  const bits = fam === 4 ? 96 + len : len;
  const mask = new Uint32Array(4);
  for (let w = 0; w < 4; w++) {
    const b = Math.min(32, Math.max(0, bits - 32 * w));
    mask[w] = b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
    net[w] = (net[w]! & mask[w]!) >>> 0;
  }
  return { net, mask, bits };
}

/** A set of CIDR blocks, parsed once; `has(ip)` parses the address into a scratch buffer. */
export class IpSet {
  private readonly blocks: Cidr[] = [];
  private readonly scratch = new Uint32Array(4);

  /** @throws Error on an invalid entry (the config schema has refused those already) */
  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const c = parseCidr(e);
      if (c === null) throw new Error(`not an IP address or CIDR block: ${JSON.stringify(e)}`);
      this.blocks.push(c);
    }
  }

  get size(): number {
    return this.blocks.length;
  }

  /** true when ip (IPv4 or IPv6 text) lies in one of the blocks; false for unparseable text */
  has(ip: string): boolean {
    if (this.blocks.length === 0) return false;
    const a = this.scratch;
    if (parseIp(ip, a) === 0) return false;
    for (const b of this.blocks) {
      if (
        ((a[0]! & b.mask[0]!) >>> 0) === b.net[0] &&
        ((a[1]! & b.mask[1]!) >>> 0) === b.net[1] &&
        ((a[2]! & b.mask[2]!) >>> 0) === b.net[2] &&
        ((a[3]! & b.mask[3]!) >>> 0) === b.net[3]
      ) {
        return true;
      }
    }
    return false;
  }
}
