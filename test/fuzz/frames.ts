/** Minimal Ethernet + IPv4/IPv6 + TCP frame builder for in-memory fuzz inputs (checksums left 0: nothing checks them). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface Endpoint {
  ip: number[];
  port: number;
}

export function tcpFrame(src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, payload: Uint8Array): Buffer {
  const v6 = src.ip.length === 16;
  const ipLen = v6 ? 40 : 20;
  const b = Buffer.alloc(14 + ipLen + 20 + payload.length);
  b.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  b[0] = 2;
  b[6] = 2;
  b[11] = 1;
  let o = 14;
  if (v6) {
    b.writeUInt32BE(0x60000000, o);
    b.writeUInt16BE(20 + payload.length, o + 4);
    b[o + 6] = 6;
    b[o + 7] = 64;
    b.set(src.ip, o + 8);
    b.set(dst.ip, o + 24);
  } else {
    b[o] = 0x45;
    b.writeUInt16BE(20 + 20 + payload.length, o + 2);
    b[o + 8] = 64;
    b[o + 9] = 6;
    b.set(src.ip, o + 12);
    b.set(dst.ip, o + 16);
  }
  o += ipLen;
  b.writeUInt16BE(src.port, o);
  b.writeUInt16BE(dst.port, o + 2);
  b.writeUInt32BE(seq >>> 0, o + 4);
  b.writeUInt32BE(ack >>> 0, o + 8);
  b[o + 12] = 5 << 4;
  b[o + 13] = flags;
  b.writeUInt16BE(65535, o + 14);
  b.set(payload, o + 20);
  return b;
}

/** Classic pcap (µs, little-endian) of frames with one link type. */
export function pcapFile(frames: { tsSec: number; tsUsec: number; data: Buffer; origLen?: number }[], linktype = 1): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(linktype, 20);
  parts.push(h);
  for (const f of frames) {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(f.tsSec >>> 0, 0);
    r.writeUInt32LE(f.tsUsec >>> 0, 4);
    r.writeUInt32LE(f.data.length, 8);
    r.writeUInt32LE(Math.max(f.origLen ?? f.data.length, f.data.length), 12);
    parts.push(r, f.data);
  }
  return Buffer.concat(parts);
}

/** NBSS session message header + body. */
export function nbss(body: Uint8Array, type = 0, lengthLie?: number): Buffer {
  const b = Buffer.alloc(4 + body.length);
  const len = lengthLie ?? body.length;
  b[0] = type;
  b[1] = (len >>> 16) & 0xff;
  b.writeUInt16BE(len & 0xffff, 2);
  b.set(body, 4);
  return b;
}
