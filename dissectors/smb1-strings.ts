/**
 * SMB1 string fields: NUL-terminated, UTF-16LE when flags2 UNICODE is set (aligned to an even
 * offset from the SMB header start, after a pad byte), else OEM (read as latin1). Bounded by the
 * end of the command block; never reads outside the buffer.
 */
import { MAX_STRING_UNITS } from './utf16';
import type { Smb1Command, Smb1Header } from './smb1-types';

/** Where the last readZ call stopped (after the terminator, or at `end`). Avoids a tuple per call. */
export let zNext = 0;

/** End of a command's data bytes, clamped to the buffer (the message may be truncated on purpose). */
export function blockEnd(buf: Buffer, cmd: Smb1Command): number {
  const e = cmd.bytesOffset + cmd.byteCount;
  return e < buf.length ? e : buf.length;
}

/** Offset of the first unicode string at or after `pos`: skips the pad byte that aligns it. */
export function alignUnicode(hdr: Smb1Header, pos: number): number {
  return hdr.unicode && ((pos - hdr.offset) & 1) === 1 ? pos + 1 : pos;
}

/**
 * A NUL-terminated string at `off` (unicode or OEM), ending at the terminator or `end`.
 * Returns null when `off` is outside [0, end]. Sets zNext to the position after the string.
 */
export function readZ(buf: Buffer, off: number, end: number, unicode: boolean): string | null {
  if (end > buf.length) end = buf.length;
  if (off < 0 || off > end) {
    zNext = end;
    return null;
  }
  let i = off;
  if (unicode) {
    while (i + 1 < end && (buf[i] !== 0 || buf[i + 1] !== 0)) i += 2;
    zNext = i + 1 < end ? i + 2 : end;
    let n = i - off;
    if (n > MAX_STRING_UNITS * 2) n = MAX_STRING_UNITS * 2;
    return buf.toString('utf16le', off, off + (n & ~1));
  }
  while (i < end && buf[i] !== 0) i++;
  zNext = i < end ? i + 1 : end;
  const n = i - off > MAX_STRING_UNITS ? MAX_STRING_UNITS : i - off;
  return buf.toString('latin1', off, off + n);
}
