'use strict';
/** Seeded PRNG (sfc32 seeded through splitmix32): same seed, same sequence, on any platform. */

function splitmix32(a) {
  return function () {
    a |= 0;
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

class Prng {
  constructor(seed) {
    const s = splitmix32(seed >>> 0);
    this.a = s();
    this.b = s();
    this.c = s();
    this.d = s();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** uniform uint32 */
  u32() {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return t >>> 0;
  }

  /** uniform float in [0, 1) */
  float() {
    return this.u32() / 4294967296;
  }

  /** uniform integer in [lo, hi] */
  int(lo, hi) {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** true with probability p */
  chance(p) {
    return this.float() < p;
  }

  pick(arr) {
    return arr[Math.floor(this.float() * arr.length)];
  }

  /** fills buf[start, end) with random bytes */
  fill(buf, start = 0, end = buf.length) {
    let i = start;
    for (; i + 4 <= end; i += 4) buf.writeUInt32LE(this.u32(), i);
    for (; i < end; i++) buf[i] = this.u32() & 0xff;
    return buf;
  }

  bytes(n) {
    return this.fill(Buffer.allocUnsafe(n));
  }
}

module.exports = { Prng };
