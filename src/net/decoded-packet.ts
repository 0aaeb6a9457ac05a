/**
 * src/net's own decode struct (reset in place per packet; gopacket's DecodingLayer style). The
 * types other rooms share with net live in src/shared (packet.ts, stream.ts).
 */

/**
 * The link/IP/TCP decode of one packet, reset in place by src/net/decode.ts for every packet
 * (no object per packet). Offsets index into `buf`: the captured frame bytes, or for the reader's
 * packets (src/shared/packet.ts) the read chunk holding them.
 */
export interface DecodedPacket {
  /** false when the packet is not IPv4/IPv6 TCP or could not be decoded (see reason counters) */
  ok: boolean;
  tsSec: number;
  tsNsec: number;
  buf: Buffer;
  ipVersion: 4 | 6;
  /** offsets of the source/destination address in buf (4 bytes for IPv4, 16 for IPv6) */
  srcAddrOffset: number;
  dstAddrOffset: number;
  srcPort: number;
  dstPort: number;
  /** uint32 */
  seq: number;
  ack: number;
  /** TCP flags byte: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 */
  tcpFlags: number;
  window: number;
  /** TCP payload present in buf */
  payloadOffset: number;
  payloadLength: number;
  /** TCP payload bytes announced by the IP length but not captured (snaplen cut); 0 normally */
  payloadMissing: number;
  /** IPv4 first fragment with MF set (payload is partial); later fragments are not ok */
  fragmented: boolean;
}
