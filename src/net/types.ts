/**
 * Interfaces between src/capture, src/net and src/tracker. Plain data; reused objects on the
 * hot path (see DEVELOPERS/architecture.md: gopacket's DecodingLayer style).
 */

/** One captured frame, as handed out by a reader. The object is reused: copy what you keep. */
export interface CapturedPacket {
  /** capture timestamp: whole seconds since the epoch */
  tsSec: number;
  /** capture timestamp: nanoseconds within the second (0..999_999_999) */
  tsNsec: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html) */
  linktype: number;
  /**
   * captured bytes: a view into the read buffer, never a copy on the common path (the reader's
   * packet makes this view only when asked; the decoder reads its chunk directly)
   */
  data: Buffer;
  /** length of the frame on the wire (>= data.length when cut by snaplen) */
  origLen: number;
  /** index of the input (0 for the first -r file, or the live source) */
  sourceIndex: number;
}

/** Direction of a segment or message inside a connection. */
export const TO_SERVER = 0;
export const TO_CLIENT = 1;
export type Direction = 0 | 1;

/** Why a TCP connection ended, as told to the layer above. */
export type ConnEndReason = 'fin' | 'rst' | 'idle_timeout' | 'capture_end' | 'evicted';

/** A TCP connection carrying NBSS/SMB, owned by src/net. One object per connection. */
export interface Conn {
  /** unique, increasing in order of first packet */
  readonly id: number;
  /** client/server as decided by SYN, else by port 445/139, else by first speaker */
  readonly clientIp: string;
  readonly clientPort: number;
  readonly serverIp: string;
  readonly serverPort: number;
  readonly startSec: number;
  readonly startNsec: number;
  /** the connection carries DCE/RPC over TCP (ncacn_ip_tcp) instead of NBSS/SMB */
  readonly dcerpc: boolean;
  /** slot for the tracker's per-connection state (saves a map lookup per message) */
  user: unknown;
}

/**
 * One NBSS session message (an SMB message) handed to the tracker. The object is reused:
 * copy what you keep. `data` is a view when the message sat in one segment and a copy only
 * when it spanned segments.
 */
export interface SmbMessage {
  conn: Conn;
  dir: Direction;
  /** time of the packet that completed the message */
  tsSec: number;
  tsNsec: number;
  /** the message bytes from its first byte (0xFE/0xFF/0xFD/0xFC 'SMB'); maybe only a prefix */
  data: Buffer;
  /** the full message length from the NBSS header */
  length: number;
  /** true when data.length < length: payload skipped on purpose (see keepBytes) or lost in a gap */
  truncated: boolean;
  /** true for the first message after a gap/resync in this direction */
  afterGap: boolean;
}

/** What src/net calls upward; implemented by the tracker (gopacket reassembly Stream style). */
export interface StreamSink {
  onConnStart(conn: Conn): void;
  /**
   * How many bytes of a message to deliver, given its first bytes (at least 64, or the whole
   * message if shorter) and its full length. Bytes past that are skipped without buffering.
   */
  keepBytes(head: Buffer, totalLength: number, conn?: Conn, dir?: Direction): number;
  onSmbMessage(msg: SmbMessage): void;
  /**
   * One connection-oriented DCE/RPC PDU of an ncacn_ip_tcp connection (port 135, a port an
   * endpoint-mapper answer handed out, or a stream that opened with a bind). `pdu` is a view or
   * a reused buffer: copy what you keep. `afterGap`: bytes were lost before it in this direction.
   */
  onDcerpcPdu?(conn: Conn, dir: Direction, pdu: Buffer, afterGap: boolean, tsSec: number, tsNsec: number): void;
  /** NBSS session request (0x81) / positive (0x82) / negative (0x83) response, retarget, keep-alive */
  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer, tsSec: number, tsNsec: number): void;
  /** bytes lost in a direction (gap, snaplen cut, mid-stream pickup before first header) */
  onGap(conn: Conn, dir: Direction, bytes: number, tsSec: number, tsNsec: number): void;
  onConnEnd(conn: Conn, reason: ConnEndReason, tsSec: number, tsNsec: number): void;
  /** capture time moved forward (called at most once per packet, before the packet is handled) */
  onTime(tsSec: number, tsNsec: number): void;
}

/**
 * The link/IP/TCP decode of one packet, reset in place by src/net/decode.ts for every packet
 * (no object per packet). Offsets index into `buf`: the captured frame bytes, or for the reader's
 * packets (src/net/packet.ts) the read chunk holding them.
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
