/**
 * SHA-1 (FIPS 180-4) of a short byte string, in JS with preallocated state: the Community ID of a
 * connection hashes 16 or 40 bytes once per connection, and node:crypto's createHash costs ~5-10 µs
 * a call there (a native object per hash) against well under 1 µs here. Output is checked against
 * node:crypto in test/output-sha1.test.ts.
 */

const W = new Int32Array(80);
/** message + padding: room for any message up to 247 bytes (4 blocks); longer ones grow it */
let block = new Uint8Array(256);
const H = new Int32Array(5);

function compress(b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const p = off + i * 4;
    W[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = H[0];
  let bb = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (bb & c) | (~bb & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = bb ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (bb & c) | (bb & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = bb ^ c ^ d;
      k = 0xca62c1d6;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  H[0] = (H[0] + a) | 0;
  H[1] = (H[1] + bb) | 0;
  H[2] = (H[2] + c) | 0;
  H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0;
}

/** SHA-1 of msg[0, len) into out[0, 20). */
export function sha1(msg: Uint8Array, len: number, out: Uint8Array): void {
  const total = (((len + 8) >> 6) + 1) << 6;
  if (total > block.length) block = new Uint8Array(total);
  const b = block;
  for (let i = 0; i < len; i++) b[i] = msg[i];
  b[len] = 0x80;
  for (let i = len + 1; i < total - 8; i++) b[i] = 0;
  // bit length, big endian (messages here stay far below 2^32 bits)
  const bits = len * 8;
  b[total - 8] = 0;
  b[total - 7] = 0;
  b[total - 6] = 0;
  b[total - 5] = (bits / 0x100000000) & 0xff;
  b[total - 4] = (bits >>> 24) & 0xff;
  b[total - 3] = (bits >>> 16) & 0xff;
  b[total - 2] = (bits >>> 8) & 0xff;
  b[total - 1] = bits & 0xff;
  H[0] = 0x67452301;
  H[1] = 0xefcdab89 | 0;
  H[2] = 0x98badcfe | 0;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0 | 0;
  for (let off = 0; off < total; off += 64) compress(b, off);
  for (let i = 0; i < 5; i++) {
    const h = H[i];
    out[i * 4] = h >>> 24;
    out[i * 4 + 1] = (h >>> 16) & 0xff;
    out[i * 4 + 2] = (h >>> 8) & 0xff;
    out[i * 4 + 3] = h & 0xff;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with '=' padding of b[0, n), as Buffer#toString('base64') writes it. */
export function base64(b: Uint8Array, n: number): string {
  let s = '';
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (n - i === 1) {
    const v = b[i] << 16;
    s += B64[v >> 18] + B64[(v >> 12) & 63] + '==';
  } else if (n - i === 2) {
    const v = (b[i] << 16) | (b[i + 1] << 8);
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + '=';
  }
  return s;
}
