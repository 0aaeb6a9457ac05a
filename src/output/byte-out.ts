/**
 * A growable byte buffer that JSON is written into directly as UTF-8: no string per line, no
 * concatenation, no re-encoding at write time. Strings come out exactly as JSON.stringify writes
 * them (ASCII without escapes is copied byte by byte; anything else goes through JSON.stringify
 * itself and Buffer#write, so escaping and surrogate handling cannot differ).
 */

/** the character after the backslash of JSON.stringify's short escapes, by code (0: \u00xx) */
const ESCAPES = new Uint8Array(0x80);
ESCAPES[0x08] = 0x62; // \b
ESCAPES[0x09] = 0x74; // \t
ESCAPES[0x0a] = 0x6e; // \n
ESCAPES[0x0c] = 0x66; // \f
ESCAPES[0x0d] = 0x72; // \r
ESCAPES[0x22] = 0x22; // \"
ESCAPES[0x5c] = 0x5c; // \\
const HEX_DIGITS = new Uint8Array([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

export class ByteOut {
  buf: Buffer;
  pos = 0;

  constructor(private readonly initial = 128 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** make room for n more bytes */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    if (size < this.pos + n) size = this.pos + n;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** one byte */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** ASCII text written as is (JSON punctuation, keys, formatted numbers and times) */
  lit(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `"key":` */
  key(k: string): void {
    const n = k.length;
    if (this.pos + n + 3 > this.buf.length) this.grow(n + 3);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) b[p++] = k.charCodeAt(i);
    b[p++] = 0x22;
    b[p++] = 0x3a;
    this.pos = p;
  }

  /**
   * a JSON string literal, byte for byte what JSON.stringify(s) gives, UTF-8 encoded: ASCII (with
   * JSON.stringify's escapes: \" \\ \b \f \n \r \t and \u00xx for other controls) and BMP
   * characters outside the surrogate range are encoded here; a string holding any surrogate goes
   * through JSON.stringify and Buffer#write (strSlow), which leave pairs as they are and escape lone
   * ones
   */
  str(s: string): void {
    const n = s.length;
    // worst case 6 bytes per UTF-16 unit (\u00xx), plus the quotes
    if (this.pos + n * 6 + 2 > this.buf.length) this.grow(n * 6 + 2);
    const b = this.buf;
    const start = this.pos;
    let p = start;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
          b[p++] = c;
          continue;
        }
        b[p++] = 0x5c;
        const e = ESCAPES[c]!;
        if (e !== 0) b[p++] = e;
        else {
          // \u00xx, lower-case hex as JSON.stringify writes it
          b[p++] = 0x75;
          b[p++] = 0x30;
          b[p++] = 0x30;
          b[p++] = HEX_DIGITS[c >> 4]!;
          b[p++] = HEX_DIGITS[c & 15]!;
        }
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        this.pos = start;
        this.strSlow(s);
        return;
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  /** bytes written as they are (pre-encoded JSON fragments) */
  bytes(u: Uint8Array): void {
    const n = u.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.set(u, this.pos);
    this.pos += n;
  }

  private strSlow(s: string): void {
    let escape = false;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
        escape = true;
        break;
      }
    }
    // JSON.stringify leaves well-formed surrogate pairs as they are and escapes lone ones
    this.json(escape ? JSON.stringify(s) : '"' + s + '"');
  }

  /** JSON text from JSON.stringify (any characters), UTF-8 encoded */
  json(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** a number as JSON.stringify writes it (non-finite → null) */
  num(v: number): void {
    if (v >= 0 && v < 2147483648 && (v | 0) === v) {
      // common case: a small non-negative integer (-0 is written 0, as JSON.stringify does)
      let x = v | 0;
      let d = 1;
      for (let t = 10; t <= x; t *= 10) d++;
      if (this.pos + d > this.buf.length) this.grow(d);
      const b = this.buf;
      let p = this.pos + d;
      this.pos = p;
      do {
        const q = (x / 10) | 0;
        b[--p] = 0x30 + (x - q * 10);
        x = q;
      } while (x > 0);
      return;
    }
    this.lit(Number.isFinite(v) ? String(v) : 'null');
  }

  /** any JSON value held by an output record (strings, numbers, booleans, null, arrays, objects) */
  val(v: unknown): void {
    if (typeof v === 'string') this.str(v);
    else if (typeof v === 'number') this.num(v);
    else if (typeof v === 'boolean') this.lit(v ? 'true' : 'false');
    else if (v === null) this.lit('null');
    else this.json(JSON.stringify(v) as string);
  }

  /** The bytes written so far, handed over (not copied); writing continues in a fresh buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.initial);
    this.pos = 0;
    return out;
  }

  /** the bytes written so far as a string (for toNdjsonLine) */
  toString(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }
}
