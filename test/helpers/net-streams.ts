/**
 * Real TCP streams for src/net property tests: the two byte streams of one connection of a
 * capture (decoded with the project's reader + decoder, placed by sequence number), the
 * reference NBSS framing of those bytes, and a way to replay any cut of them as segments.
 */
import * as path from 'node:path';
import { readCaptures } from '../../src/capture/reader';
import { PacketDecoder, newDecodedPacket } from '../../src/net/decode';
import type { DecodedPacket } from '../../src/net/decoded-packet';
import { CAPTURES } from './net-harness';

export interface RealConn {
  clientAddr: Buffer;
  serverAddr: Buffer;
  clientPort: number;
  serverPort: number;
  clientIsn: number;
  serverIsn: number;
  /** [client→server, server→client] stream bytes from the first byte after the SYN */
  streams: [Buffer, Buffer];
}

/** The connection of `file` whose client uses `clientPort` (must have both SYNs captured). */
export async function loadConn(file: string, clientPort: number): Promise<RealConn> {
  const dec = new PacketDecoder();
  const d = newDecodedPacket();
  const segs: { dir: number; seq: number; data: Buffer }[] = [];
  let conn: Omit<RealConn, 'streams'> | null = null;
  let cIsn = -1;
  let sIsn = -1;
  let cAddr: Buffer | null = null;
  let sAddr: Buffer | null = null;
  let serverPort = 0;
  await readCaptures([path.resolve(CAPTURES, file)], (p) => {
    if (!dec.decode(p, d) || d.ipVersion !== 4) return;
    const dir = d.srcPort === clientPort ? 0 : d.dstPort === clientPort ? 1 : -1;
    if (dir < 0) return;
    if (d.tcpFlags & 0x02) {
      if (dir === 0) {
        cIsn = d.seq;
        cAddr = Buffer.from(d.buf.subarray(d.srcAddrOffset, d.srcAddrOffset + 4));
        sAddr = Buffer.from(d.buf.subarray(d.dstAddrOffset, d.dstAddrOffset + 4));
        serverPort = d.dstPort;
      } else sIsn = d.seq;
    }
    if (d.payloadLength > 0) segs.push({ dir, seq: d.seq, data: Buffer.from(d.buf.subarray(d.payloadOffset, d.payloadOffset + d.payloadLength)) });
  });
  if (cIsn < 0 || sIsn < 0 || !cAddr || !sAddr) throw new Error(`${file}: no SYN/SYN-ACK for client port ${clientPort}`);
  conn = { clientAddr: cAddr, serverAddr: sAddr, clientPort, serverPort, clientIsn: cIsn, serverIsn: sIsn };
  const streams: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  for (const dir of [0, 1]) {
    const isn = dir === 0 ? cIsn : sIsn;
    let len = 0;
    for (const s of segs) if (s.dir === dir) len = Math.max(len, ((s.seq - isn - 1) >>> 0) + s.data.length);
    const b = Buffer.alloc(len);
    const filled = new Uint8Array(len);
    for (const s of segs) {
      if (s.dir !== dir) continue;
      const o = (s.seq - isn - 1) >>> 0;
      for (let i = 0; i < s.data.length; i++) if (!filled[o + i]) { b[o + i] = s.data[i]; filled[o + i] = 1; }
    }
    if (filled.indexOf(0) >= 0) throw new Error(`${file}: stream ${dir} has holes`);
    streams[dir] = b;
  }
  return { ...conn, streams };
}

/** Reference framing: the NBSS session message bodies of a complete stream (24-bit lengths). */
export function referenceMessages(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p + 4 <= stream.length) {
    const len = (stream[p + 1] << 16) | (stream[p + 2] << 8) | stream[p + 3];
    if (p + 4 + len > stream.length) break;
    if (stream[p] === 0) out.push(stream.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

export interface Piece {
  dir: 0 | 1;
  /** offset in the direction's stream */
  off: number;
  len: number;
}

/** A DecodedPacket for a piece of the connection (or a SYN when len = 0 and syn set). */
export function packetFor(c: RealConn, dir: 0 | 1, off: number, len: number, flags: number, tsSec = 1000): DecodedPacket {
  const d = newDecodedPacket();
  const payload = len > 0 ? c.streams[dir].subarray(off, off + len) : Buffer.alloc(0);
  const src = dir === 0 ? c.clientAddr : c.serverAddr;
  const dst = dir === 0 ? c.serverAddr : c.clientAddr;
  d.ok = true;
  d.tsSec = tsSec;
  d.buf = Buffer.concat([src, dst, payload]);
  d.ipVersion = 4;
  d.srcAddrOffset = 0;
  d.dstAddrOffset = 4;
  d.srcPort = dir === 0 ? c.clientPort : c.serverPort;
  d.dstPort = dir === 0 ? c.serverPort : c.clientPort;
  const isn = dir === 0 ? c.clientIsn : c.serverIsn;
  d.seq = (flags & 0x02) !== 0 ? isn : (isn + 1 + off) >>> 0;
  d.tcpFlags = flags;
  // a SYN-ACK acknowledges the client's SYN; data pieces carry no ACK (replay order is arbitrary)
  if ((flags & 0x12) === 0x12) d.ack = (c.clientIsn + 1) >>> 0;
  d.payloadOffset = 8;
  d.payloadLength = len;
  return d;
}
