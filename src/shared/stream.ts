/**
 * The interface between src/net and src/tracker (net calls a StreamSink; cli wires the tracker in
 * as one), here so that neither room imports the other. Plain data; reused objects on the hot
 * path (architecture.md: gopacket's reassembly Stream style).
 */

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
