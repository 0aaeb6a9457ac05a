/**
 * Bounded string decoding shared by the dissectors. Never reads outside [off, off+len) of buf,
 * never throws: an odd length drops the last byte, offsets outside the buffer give null.
 */

/** Longest string any dissector returns, in UTF-16 code units (share/user/file names). */
export const MAX_STRING_UNITS = 4096;

export function utf16le(buf: Buffer, off: number, len: number): string | null {
  if (off < 0 || len < 0 || off > buf.length || off + len > buf.length) return null;
  let n = len & ~1;
  if (n > MAX_STRING_UNITS * 2) n = MAX_STRING_UNITS * 2;
  let s = buf.toString('utf16le', off, off + n);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s;
}

/** NUL-terminated UTF-16LE string starting at off, ending at the NUL or at `end`. */
export function utf16leZ(buf: Buffer, off: number, end: number): string | null {
  if (end > buf.length) end = buf.length;
  if (off < 0 || off > end) return null;
  let i = off;
  while (i + 1 < end && (buf[i] !== 0 || buf[i + 1] !== 0)) i += 2;
  return utf16le(buf, off, i - off);
}

/** NUL-terminated 8-bit string (OEM code page read as latin1) starting at off. */
export function asciiZ(buf: Buffer, off: number, end: number): string | null {
  if (end > buf.length) end = buf.length;
  if (off < 0 || off > end) return null;
  let i = off;
  while (i < end && buf[i] !== 0) i++;
  if (i - off > MAX_STRING_UNITS) i = off + MAX_STRING_UNITS;
  return buf.toString('latin1', off, i);
}
