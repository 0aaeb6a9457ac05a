/**
 * Decoded TCP segments in, connection events + NBSS/SMB messages out: the flow table, the
 * connection life cycle (SYN/FIN/RST, idle timeout on capture time, eviction, capture end),
 * and per-direction reassembly + framing (TcpHalf → NbssFramer).
 *
 * Kept apart from the packet decoder so tests can feed segments they built themselves.
 */
import type { ConnEndReason, SmbMessage, StreamSink } from '../shared/stream';
import type { DecodedPacket } from './decoded-packet';
import { TO_CLIENT, TO_SERVER } from '../shared/stream';
import { NetCounters } from './counters';
import { FlowTable, TcpConn, flowHash } from './flows';
import type { ReassemblyHost, ReassemblyOptions } from './reassembly';
import type { FramerOptions } from './nbss-framer';
import { looksLikeNbssSmb, RESYNC_WINDOW } from '../../dissectors/nbss';
import { looksLikeDcerpcBind } from './dcerpc-framer';
import { defaultConfig, type Config } from '../shared/config';

export interface NetOptions extends ReassemblyOptions, FramerOptions {
  /** capture seconds without a packet after which a connection ends ('idle_timeout') */
  idleTimeoutSec: number;
  /** most open connections; the least recently seen is evicted ('evicted') */
  maxFlows: number;
  /** TCP ports carrying NBSS/SMB */
  smbPorts: number[];
  /** pick up connections on other ports whose first payload is a plausible NBSS+SMB header */
  detectOtherPorts: boolean;
  /** TCP ports carrying DCE/RPC (ncacn_ip_tcp): the endpoint mapper */
  dcerpcPorts: number[];
  /** pick up connections on any port whose first client payload is a DCE/RPC v5 bind */
  detectDcerpc: boolean;
  /** most (server, port) endpoints learned from endpoint-mapper answers */
  maxDcerpcEndpoints: number;
}

/** The options a configuration file sets (its tracker and net sections). */
export function netOptionsFromConfig(c: Config): Pick<NetOptions, 'idleTimeoutSec' | 'maxFlows' | 'maxOooBytesPerFlow' | 'maxOooBytesTotal' | 'maxMessageBytes' | 'gapTimeoutSec'> {
  return {
    idleTimeoutSec: c.tracker.idleTimeout,
    maxFlows: c.tracker.maxFlows,
    maxOooBytesPerFlow: c.net.maxOooBytesPerFlow,
    maxOooBytesTotal: c.net.maxOooBytesTotal,
    maxMessageBytes: c.net.maxMessageBytes,
    gapTimeoutSec: c.net.gapTimeout,
  };
}

/** Configurable options at the config schema's defaults (one place for them); the rest fixed here. */
export const DEFAULT_NET_OPTIONS: NetOptions = {
  ...netOptionsFromConfig(defaultConfig()),
  // SMB2 multi-credit READ/WRITE go up to 8 MiB; a little more for the header
  maxResyncLength: 8 * 1024 * 1024 + 4096,
  maxControlLength: 1024,
  smbPorts: [445, 139],
  detectOtherPorts: false,
  dcerpcPorts: [135],
  detectDcerpc: true,
  maxDcerpcEndpoints: 4096,
};

export type IpFormatter = (buf: Buffer, off: number, version: 4 | 6) => string;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

export class TcpEngine implements ReassemblyHost {
  readonly counters = new NetCounters();
  readonly opts: NetOptions;
  readonly reasmOpts: ReassemblyOptions;
  readonly framerOpts: FramerOptions;
  readonly msg: SmbMessage;
  readonly table = new FlowTable();
  tsSec = 0;
  tsNsec = 0;
  /**
   * sequence number of the packet being handled, set by a sharded run's worker (the run's global
   * packet number): stamped on the connection it touches as `lastSeq`
   */
  seq = 0;
  /** latest capture time seen (time never moves back for timers) */
  private nowSec = -1;
  private nowNsec = 0;
  private nextId = 1;
  private readonly smbPort: Uint8Array = new Uint8Array(65536);
  /** 1: DCE/RPC well-known port; 2: a port some endpoint-mapper answer handed out (see endpoints) */
  private readonly rpcPort: Uint8Array = new Uint8Array(65536);
  /** 'server ip|port' handed out by ept_map answers, oldest first (bounded) */
  private readonly endpoints = new Set<string>();

  constructor(
    readonly sink: StreamSink,
    opts: Partial<NetOptions>,
    private readonly formatIp: IpFormatter,
  ) {
    const o: NetOptions = { ...DEFAULT_NET_OPTIONS };
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
    this.opts = o;
    this.reasmOpts = o;
    this.framerOpts = o;
    for (const p of o.smbPorts) if (p >= 0 && p < 65536) this.smbPort[p] = 1;
    for (const p of o.dcerpcPorts) if (p >= 0 && p < 65536 && this.smbPort[p] === 0) this.rpcPort[p] = 1;
    this.msg = {
      conn: null as unknown as TcpConn,
      dir: TO_SERVER,
      tsSec: 0,
      tsNsec: 0,
      data: Buffer.alloc(0),
      length: 0,
      truncated: false,
      afterGap: false,
    };
  }

  /** Capture time of the next packet: tells the sink when it moves forward, runs idle timeouts. */
  advanceTime(sec: number, nsec: number): void {
    this.tsSec = sec;
    this.tsNsec = nsec;
    if (sec > this.nowSec || (sec === this.nowSec && nsec > this.nowNsec)) {
      this.nowSec = sec;
      this.nowNsec = nsec;
      // expiries first: they are stamped at their own (earlier) moment, so the sink must not
      // have moved past it yet (suppression windows closing at `sec` come after them)
      this.expireIdle(sec, nsec);
      this.sink.onTime(sec, nsec);
    }
  }

  /** One decoded TCP segment (advanceTime was called for its timestamp). */
  handleDecoded(d: DecodedPacket): void {
    const c = this.counters;
    const flags = d.tcpFlags;
    let payLen = d.payloadLength;
    let payMissing = d.payloadMissing;
    if (d.fragmented) {
      // a first fragment: the rest of the payload is in fragments we do not reassemble
      c.packetsFragmented++;
      payLen = 0;
      payMissing = 0;
    }
    const buf = d.buf;
    const v = d.ipVersion;
    const so = d.srcAddrOffset;
    const dof = d.dstAddrOffset;
    const sp = d.srcPort;
    const dp = d.dstPort;
    const hash = flowHash(v, buf, so, sp, dof, dp);
    const t = this.table;
    let dir = t.lookup(hash, v, buf, so, sp, dof, dp);
    let conn: TcpConn;
    if (dir === -1) {
      const smb = this.smbPort[sp] === 1 || this.smbPort[dp] === 1;
      if (
        !smb &&
        (this.rpcPort[sp] !== 0 || this.rpcPort[dp] !== 0 || (this.opts.detectDcerpc && payLen >= 16)) &&
        this.openDcerpc(hash, d, flags, payLen, payMissing)
      ) {
        return;
      }
      if (!smb) {
        if (
          !this.opts.detectOtherPorts ||
          payLen < RESYNC_WINDOW ||
          !looksLikeNbssSmb(buf, d.payloadOffset, false, this.opts.maxResyncLength)
        ) {
          c.packetsOtherPort++;
          return;
        }
        c.connsDetectedOtherPort++;
      }
      if ((flags & RST) !== 0 || ((flags & SYN) === 0 && payLen + payMissing === 0)) {
        c.packetsNoConn++;
        return;
      }
      let srcIsClient: boolean;
      if ((flags & SYN) !== 0) srcIsClient = (flags & ACK) === 0;
      else if (this.smbPort[dp] === 1 && this.smbPort[sp] !== 1) srcIsClient = true;
      else if (this.smbPort[sp] === 1 && this.smbPort[dp] !== 1) srcIsClient = false;
      else srcIsClient = true; // first speaker
      conn = this.open(hash, d, srcIsClient);
      dir = srcIsClient ? TO_SERVER : TO_CLIENT;
    } else {
      conn = t.found!;
    }
    conn.lastSec = this.nowSec;
    conn.lastNsec = this.nowNsec;
    conn.lastSeq = this.seq;
    t.touch(conn);
    const half = conn.halves[dir];
    const peer = conn.halves[dir === TO_SERVER ? TO_CLIENT : TO_SERVER];
    if ((flags & RST) !== 0) {
      // a RST after a FIN from either side tears down a connection already being closed:
      // a close (contract), not a reset
      this.end(conn, conn.finSeen ? 'fin' : 'rst');
      return;
    }
    let seq = d.seq;
    if ((flags & SYN) !== 0) {
      if (half.dataSeen && ((flags & ACK) === 0) && seq !== half.isn) {
        // a new connection on the same 5-tuple
        c.connsReused++;
        this.end(conn, 'evicted');
        this.handleDecoded(d);
        return;
      }
      half.syn(seq);
      seq = (seq + 1) >>> 0;
    }
    if ((flags & ACK) !== 0) peer.acked(d.ack);
    if (payLen + payMissing > 0) half.segment(seq, buf, d.payloadOffset, payLen, payMissing, this.nowSec);
    if (half.holding) half.checkTimeout(this.nowSec);
    if (peer.holding) peer.checkTimeout(this.nowSec);
    if ((flags & FIN) !== 0) {
      half.finSeen = true;
      conn.finSeen = true;
      if (peer.finSeen) this.end(conn, 'fin');
    }
  }

  /**
   * An endpoint-mapper answer handed out `port` on `serverIp`: a later connection to it is
   * DCE/RPC. Bounded: the oldest endpoint is forgotten first (counted).
   */
  addDcerpcEndpoint(serverIp: string, port: number): void {
    if (!(port > 0 && port < 65536) || this.smbPort[port] === 1) return;
    const key = serverIp + '|' + port;
    if (this.endpoints.has(key)) return;
    if (this.endpoints.size >= this.opts.maxDcerpcEndpoints) {
      const oldest = this.endpoints.values().next().value as string;
      this.endpoints.delete(oldest);
      this.counters.dcerpcEndpointsEvicted++;
    }
    this.endpoints.add(key);
    if (this.rpcPort[port] === 0) this.rpcPort[port] = 2;
  }

  /**
   * A packet of no known connection with a DCE/RPC port on either side, or carrying a bind:
   * open it as an ncacn_ip_tcp connection (true: handled), or leave it to the NBSS checks.
   */
  private openDcerpc(hash: number, d: DecodedPacket, flags: number, payLen: number, payMissing: number): boolean {
    const c = this.counters;
    const sp = d.srcPort;
    const dp = d.dstPort;
    const buf = d.buf;
    const bind = payLen >= 16 && looksLikeDcerpcBind(buf, d.payloadOffset, d.payloadOffset + payLen);
    const srcIp = (): string => this.formatIp(buf, d.srcAddrOffset, d.ipVersion);
    const dstIp = (): string => this.formatIp(buf, d.dstAddrOffset, d.ipVersion);
    // which side is the server: the well-known/handed-out port, else the receiver of a bind
    let srcIsClient: boolean;
    if ((flags & SYN) !== 0) srcIsClient = (flags & ACK) === 0;
    else if (bind) srcIsClient = true;
    else if (this.isRpcServerPort(dp, dstIp)) srcIsClient = true;
    else if (this.isRpcServerPort(sp, srcIp)) srcIsClient = false;
    else srcIsClient = true;
    const serverPort = srcIsClient ? dp : sp;
    const known = this.isRpcServerPort(serverPort, srcIsClient ? dstIp : srcIp);
    if (!known && !bind) return false;
    if ((flags & RST) !== 0 || ((flags & SYN) === 0 && payLen + payMissing === 0)) {
      c.packetsNoConn++;
      return true;
    }
    const conn = this.open(hash, d, srcIsClient, true);
    c.connsDcerpc++;
    if (!known) c.connsDetectedOtherPort++;
    // a stream picked up by its bind (no SYN seen): that bind starts the byte stream
    if (bind && (flags & SYN) === 0) conn.halves[TO_SERVER].firstPayloadIsStart = true;
    this.handleDecoded(d);
    return true;
  }

  private isRpcServerPort(port: number, ip: () => string): boolean {
    const k = this.rpcPort[port];
    if (k === 1) return true;
    return k === 2 && this.endpoints.has(ip() + '|' + port);
  }

  /** Capture end: every open connection ends with 'capture_end', oldest first. */
  finish(): void {
    this.tsSec = this.nowSec < 0 ? 0 : this.nowSec;
    this.tsNsec = this.nowNsec;
    while (this.table.lruHead !== null) this.end(this.table.lruHead, 'capture_end');
  }

  private open(hash: number, d: DecodedPacket, srcIsClient: boolean, dcerpc = false): TcpConn {
    const c = this.counters;
    const t = this.table;
    while (t.size >= this.opts.maxFlows && t.lruHead !== null) {
      c.connsEndedEvicted++;
      this.end(t.lruHead, 'evicted', true);
    }
    const v = d.ipVersion;
    const cOff = srcIsClient ? d.srcAddrOffset : d.dstAddrOffset;
    const sOff = srcIsClient ? d.dstAddrOffset : d.srcAddrOffset;
    const conn = new TcpConn(
      this,
      this.nextId++,
      hash,
      v,
      d.buf,
      cOff,
      sOff,
      this.formatIp(d.buf, cOff, v),
      srcIsClient ? d.srcPort : d.dstPort,
      this.formatIp(d.buf, sOff, v),
      srcIsClient ? d.dstPort : d.srcPort,
      d.tsSec,
      d.tsNsec,
      dcerpc,
    );
    t.insert(conn);
    c.flows++;
    c.flowsOpen++;
    this.sink.onConnStart(conn);
    return conn;
  }

  private end(conn: TcpConn, reason: ConnEndReason, counted = false, atSec = this.tsSec, atNsec = this.tsNsec): void {
    if (conn.ended) return;
    conn.ended = true;
    const c = this.counters;
    this.table.remove(conn);
    c.flowsOpen--;
    conn.halves[TO_SERVER].end();
    conn.halves[TO_CLIENT].end();
    if (!counted) {
      switch (reason) {
        case 'fin': c.connsEndedFin++; break;
        case 'rst': c.connsEndedRst++; break;
        case 'idle_timeout': c.connsEndedIdle++; break;
        case 'capture_end': c.connsEndedCaptureEnd++; break;
        case 'evicted': c.connsEndedEvicted++; break;
      }
    }
    this.sink.onConnEnd(conn, reason, atSec, atNsec);
  }

  /**
   * Ends the connections with no packet for idleTimeoutSec, to the nanosecond: whole seconds
   * ended a connection up to a second early (a 4.96 s gap counted as 5 s), and a once-a-second
   * check missed an expiry followed by a packet of the same connection within that second.
   * Only the least recently seen connection is looked at per packet, so this is O(1) unless
   * something expires.
   */
  private expireIdle(nowSec: number, nowNsec: number): void {
    const t = this.table;
    const idleNs = this.opts.idleTimeoutSec * 1e9;
    let h = t.lruHead;
    while (h !== null && (nowSec - h.lastSec) * 1e9 + (nowNsec - h.lastNsec) >= idleNs) {
      if (h.finSeen) {
        // a connection that said FIN and then went quiet ended by FIN, at its last packet
        this.end(h, 'fin', false, h.lastSec, h.lastNsec);
      } else {
        // it ended when the timeout ran out (last packet + idle timeout), not at whichever later
        // packet noticed it: a quiet hour must not stretch a tree's duration by an hour
        const ns = h.lastNsec + idleNs;
        const sec = h.lastSec + Math.floor(ns / 1e9);
        this.end(h, 'idle_timeout', false, sec, ns - Math.floor(ns / 1e9) * 1e9);
      }
      h = t.lruHead;
    }
  }
}
