/**
 * The session tracker: the only stateful room. It receives SMB messages from src/net (as a
 * StreamSink) and works in two layers: per connection a table of typed transactions
 * (transactions.ts: each request until its final response), filled and completed by the
 * per-dialect handlers, which call the pure dissectors; above it the session/tree model
 * (model.ts), which the handlers tell what finished transactions mean and which emits the
 * lifecycle records. This class only routes: messages to their dialect, connection and gap
 * events to both layers.
 */
import { TO_CLIENT, type Conn, type ConnEndReason, type Direction, type SmbMessage, type StreamSink } from '../shared/stream';
import type { EndReason, Timestamp } from '../shared/records';
import { decodeNetbiosSessionRequest } from '../../dissectors/nbss';
import { ConnState } from './state';
import { DEFAULT_TRACKER_OPTIONS, type TrackerCounters, type TrackerOptions } from './options';
import { Smb2Handler } from './smb2-handler';
import { Smb1Handler } from './smb1-handler';
import { bytesToKeep } from '../../dissectors/skip-policy';
import { RpcConversation } from './dcerpc/conversation';
import { TcpOwner } from './dcerpc/owners';
import type { RpcCounters, RpcLimits } from './dcerpc/limits';
import { keepPipeData } from './dcerpc/keep';
import type { Inference } from './inference/inference';
import { PRIOR } from './inference/server-names';
import { SessionModel } from './model';
import { TxPool } from './transactions';
import type { FileSink, RecordSink, TimeSink } from './sinks';

export type { FileSink, RecordSink, TimeSink } from './sinks';

const MAGIC_SMB2 = 0xfe534d42;
const MAGIC_SMB1 = 0xff534d42;
const MAGIC_TRANSFORM = 0xfd534d42;
const MAGIC_COMPRESSED = 0xfc534d42;

function connEndToReason(r: ConnEndReason): Exclude<EndReason, 'tree_disconnect' | 'logoff'> {
  switch (r) {
    case 'fin':
      return 'connection_close';
    case 'rst':
      return 'connection_reset';
    case 'capture_end':
      return 'capture_end';
    default:
      return 'idle_timeout';
  }
}

export class Tracker implements StreamSink {
  /** the session/tree model (upper layer) */
  readonly model: SessionModel;
  private readonly onTimeCb: TimeSink | null;
  private readonly txPool = new TxPool();
  private readonly smb2: Smb2Handler;
  private readonly smb1: Smb1Handler;

  constructor(emit: RecordSink, opts: Partial<TrackerOptions> = {}, onTime: TimeSink | null = null, onFile: FileSink | null = null) {
    this.model = new SessionModel(emit, { ...DEFAULT_TRACKER_OPTIONS, ...opts }, onFile);
    this.onTimeCb = onTime;
    this.smb2 = new Smb2Handler(this.model);
    this.smb1 = new Smb1Handler(this.model);
  }

  get counters(): TrackerCounters {
    return this.model.counters;
  }
  get rpcCounters(): RpcCounters {
    return this.model.rpcCounters;
  }
  get rpcLimits(): RpcLimits {
    return this.model.rpcLimits;
  }
  get opts(): TrackerOptions {
    return this.model.opts;
  }
  get inference(): Inference {
    return this.model.inference;
  }
  /** lifecycle records emitted, by kind */
  get emitted(): Map<string, number> {
    return this.model.emitted;
  }
  /** told when an endpoint-mapper answer hands out a TCP port (src/net then frames it as DCE/RPC) */
  get onDcerpcEndpoint(): ((serverIp: string, port: number) => void) | null {
    return this.model.onDcerpcEndpoint;
  }
  set onDcerpcEndpoint(f: ((serverIp: string, port: number) => void) | null) {
    this.model.onDcerpcEndpoint = f;
  }
  /** Sessions still open (for the summary and metrics). */
  get openSessions(): number {
    return this.model.openSessions;
  }
  /** the latest capture time seen */
  now(): Timestamp {
    return this.model.now();
  }

  // ---- StreamSink ---------------------------------------------------------------------------

  onConnStart(conn: Conn): void {
    conn.user = new ConnState(conn, this.txPool, this.model.opts.maxPendingPerConnection, this.model.counters);
  }

  keepBytes(head: Buffer, totalLength: number, conn?: Conn): number {
    const k = bytesToKeep(head, totalLength);
    if (k >= totalLength || conn === undefined) return k;
    // READ/WRITE data of a named pipe is DCE/RPC: kept whole (bounded by the framer's memcap)
    const cs = conn.user as ConnState | undefined;
    return cs !== undefined && keepPipeData(cs, head) ? totalLength : k;
  }

  onDcerpcPdu(conn: Conn, dir: Direction, pdu: Buffer, afterGap: boolean, sec: number, nsec: number): void {
    const cs = conn.user as ConnState | undefined;
    if (!cs || cs.ended) return;
    let conv = cs.rpc;
    if (conv === null) {
      const m = this.model;
      conv = cs.rpc = new RpcConversation(m, new TcpOwner(cs.flow, m.counters, m.onFileSink, () => m.now()));
      m.rpcCounters.conversations++;
    }
    if (afterGap) conv.noteGap();
    conv.pdu(dir, pdu, { sec, nsec });
  }

  onSmbMessage(msg: SmbMessage): void {
    const cs = msg.conn.user as ConnState | undefined;
    if (!cs || cs.ended) return;
    const counters = this.model.counters;
    counters.messages++;
    if (msg.truncated) counters.truncatedMessages++;
    const d = msg.data;
    if (d.length < 4) {
      counters.unknownMessages++;
    } else {
      switch (d.readUInt32BE(0)) {
        case MAGIC_SMB2:
          counters.smb2Messages++;
          this.smb2.handle(cs, msg);
          break;
        case MAGIC_SMB1:
          counters.smb1Messages++;
          this.smb1.handle(cs, msg);
          break;
        case MAGIC_TRANSFORM:
          counters.transformMessages++;
          this.smb2.handleTransform(cs, msg);
          break;
        case MAGIC_COMPRESSED:
          // Compressed payloads (SMB 3.1.1) are counted, not decompressed: lifecycle commands
          // are never worth compressing and clients do not compress them in practice.
          counters.compressedMessages++;
          break;
        default:
          counters.unknownMessages++;
      }
    }
    // the first message past a hole in the responses is handled: what was waiting before the
    // hole and is still unanswered never will be (post-gap housekeeping)
    if (msg.afterGap && msg.dir === TO_CLIENT) cs.txs.closeLostAfterGap();
  }

  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer, _sec: number, _nsec: number): void {
    this.model.counters.nbssControl++;
    const cs = conn.user as ConnState | undefined;
    if (!cs || type !== 0x81 || dir !== 0) return;
    const names = decodeNetbiosSessionRequest(body);
    if (!names.ok) return;
    // the name without its NetBIOS suffix and padding (`HOST<00>` → `HOST`)
    cs.netbiosCalling = names.callingName.name;
    this.model.inference.noteServerName(conn.serverIp, names.calledName.name, PRIOR.nbssCalled);
  }

  onGap(conn: Conn, dir: Direction, bytes: number, _sec: number, _nsec: number): void {
    const counters = this.model.counters;
    counters.gaps++;
    counters.gapBytes += bytes;
    const cs = conn.user as ConnState | undefined;
    if (!cs) return;
    if (dir === TO_CLIENT) cs.txs.responsesLost();
    // what is open now may be partial (smb.gap): sessions on this connection and their trees
    for (const s of cs.sessions) {
      s.gap = true;
      for (const tree of s.trees.values()) tree.gap = true;
    }
    if (cs.rpc !== null) cs.rpc.noteGap();
    for (const f of cs.files.values()) if (f.rpc !== null) f.rpc.noteGap();
  }

  onConnEnd(conn: Conn, reason: ConnEndReason, sec: number, nsec: number): void {
    const cs = conn.user as ConnState | undefined;
    if (!cs || cs.ended) return;
    cs.ended = true;
    const m = this.model;
    const ts = { sec, nsec };
    const why = connEndToReason(reason);
    if (cs.rpc !== null) cs.rpc.end(ts);
    for (const f of cs.files.values()) if (f.rpc !== null) f.rpc.end(ts);
    // handles still open end with their connection, before its trees (file rows first)
    if (m.onFileSink !== null) for (const f of cs.files.values()) m.fileClosed(cs, f, ts);
    for (const s of cs.sessions) {
      s.conns.delete(cs);
      if (s.conns.size === 0 && !s.ended) m.endSession(s, why, ts, null);
    }
    cs.sessions.clear();
    cs.txs.clear();
    cs.files.clear();
    cs.lastSession = null;
  }

  onTime(sec: number, nsec: number): void {
    this.model.setNow(sec, nsec);
    if (this.onTimeCb) this.onTimeCb(sec, nsec);
  }
}
