/** UUIDs on the wire: the first three fields follow the data representation, the rest are bytes. */
import { u16be, u16le, u32be, u32le } from '../../src/shared/bytes';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function hex32(v: number): string {
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 0xff]! + HEX[(v >>> 8) & 0xff]! + HEX[v & 0xff]!;
}

function hex16(v: number): string {
  return HEX[v >>> 8]! + HEX[v & 0xff]!;
}

/** 16 bytes at off as lower-case 8-4-4-4-12; the caller checks bounds. */
export function uuidAt(b: Uint8Array, off: number, bigEndian: boolean): string {
  const d1 = bigEndian ? u32be(b, off) : u32le(b, off);
  const d2 = bigEndian ? u16be(b, off + 4) : u16le(b, off + 4);
  const d3 = bigEndian ? u16be(b, off + 6) : u16le(b, off + 6);
  let tail = '';
  for (let i = 8; i < 16; i++) {
    if (i === 10) tail += '-';
    tail += HEX[b[off + i]!]!;
  }
  return `${hex32(d1)}-${hex16(d2)}-${hex16(d3)}-${tail}`;
}

/** Bytes as lower-case hex (context handles). */
export function hexOf(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HEX[b[off + i]!]!;
  return s;
}
