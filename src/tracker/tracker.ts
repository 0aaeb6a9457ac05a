/**
 * The session tracker: the only stateful room. It receives SMB messages from src/net (as a
 * StreamSink), matches requests to responses, keeps connections → sessions → trees, and emits
 * lifecycle records when sessions and trees start and end. It never parses bytes itself: the
 * per-dialect handlers call the pure dissectors.
 */
import type { Conn, ConnEndReason, Direction, SmbMessage, StreamSink } from '../shared/stream';
import type {
  AuthKind,
  DcerpcCallRecord,
  EndReason,
  LifecycleRecord,
  ShareType,
  Timestamp,
} from '../shared/records';
import { durationNs } from '../shared/records';
import { classifyShare, shareNameOf } from '../shared/share-class';
import { decodeNetbiosSessionRequest } from '../../dissectors/nbss';
import { ConnState, PendingRequest, SessionState, TreeState } from './state';
import { DEFAULT_TRACKER_OPTIONS, TrackerCounters, type TrackerOptions } from './options';
import { Smb2Handler } from './smb2-handler';
import { Smb1Handler } from './smb1-handler';
import { bytesToKeep } from '../../dissectors/skip-policy';
import { RpcConversation, type RpcHost } from './dcerpc/conversation';
import { TcpOwner } from './dcerpc/owners';
import { RpcCounters, type RpcLimits } from './dcerpc/limits';
import { keepPipeData } from './dcerpc/keep';

const MAGIC_SMB2 = 0xfe534d42;
const MAGIC_SMB1 = 0xff534d42;
const MAGIC_TRANSFORM = 0xfd534d42;
const MAGIC_COMPRESSED = 0xfc534d42;

export type RecordSink = (rec: LifecycleRecord) => void;
/** capture time moved forward (numbers, not a Timestamp: called once per packet) */
export type TimeSink = (sec: number, nsec: number) => void;

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

export class Tracker implements StreamSink, RpcHost {
  readonly counters = new TrackerCounters();
  readonly rpcCounters = new RpcCounters();
  readonly rpcLimits: RpcLimits;
  /** told when an endpoint-mapper answer hands out a TCP port (src/net then frames it as DCE/RPC) */
  onDcerpcEndpoint: ((serverIp: string, port: number) => void) | null = null;
  readonly opts: TrackerOptions;
  private readonly emitRecord: RecordSink;
  private readonly onTimeCb: TimeSink | null;
  private readonly sessions = new Map<string, SessionState>();
  /**
   * open trees in connect order (oldest first), for the tree memcap: a list through the trees
   * themselves (a Set of a million trees cost ~50 MB and a large copy each time it grew)
   */
  private oldestTree: TreeState | null = null;
  private newestTree: TreeState | null = null;
  private openTreeCount = 0;
  private readonly pool: PendingRequest[] = [];
  private serial = 0;
  private nowSec = 0;
  private nowNsec = 0;
  private readonly smb2: Smb2Handler;
  private readonly smb1: Smb1Handler;
  /** lifecycle records emitted, by kind */
  readonly emitted = new Map<string, number>();

  constructor(emit: RecordSink, opts: Partial<TrackerOptions> = {}, onTime: TimeSink | null = null) {
    this.emitRecord = emit;
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts };
    this.rpcLimits = this.opts.rpcLimits;
    this.onTimeCb = onTime;
    this.smb2 = new Smb2Handler(this);
    this.smb1 = new Smb1Handler(this);
  }

  // ---- StreamSink ---------------------------------------------------------------------------

  onConnStart(conn: Conn): void {
    conn.user = new ConnState(conn);
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
      conv = cs.rpc = new RpcConversation(this, new TcpOwner(cs.flow, this.counters));
      this.rpcCounters.conversations++;
    }
    if (afterGap) conv.noteGap();
    conv.pdu(dir, pdu, { sec, nsec });
  }

  // ---- RpcHost ------------------------------------------------------------------------------

  emitCall(rec: DcerpcCallRecord): void {
    const c = this.rpcCounters;
    c.calls++;
    const key = rec.interfaceName + '/' + rec.operation;
    c.byOperation.set(key, (c.byOperation.get(key) ?? 0) + 1);
    const ignored = this.opts.dcerpcIgnore.get(rec.interfaceName);
    if (ignored !== undefined && ignored.has(rec.operation)) {
      c.callsIgnored++;
      return;
    }
    this.emit(rec);
  }

  dcerpcEndpoint(serverIp: string, port: number): void {
    if (this.onDcerpcEndpoint) this.onDcerpcEndpoint(serverIp, port);
  }

  onSmbMessage(msg: SmbMessage): void {
    const cs = msg.conn.user as ConnState | undefined;
    if (!cs || cs.ended) return;
    this.counters.messages++;
    if (msg.truncated) this.counters.truncatedMessages++;
    const d = msg.data;
    if (d.length < 4) {
      this.counters.unknownMessages++;
      return;
    }
    switch (d.readUInt32BE(0)) {
      case MAGIC_SMB2:
        this.counters.smb2Messages++;
        this.smb2.handle(cs, msg);
        break;
      case MAGIC_SMB1:
        this.counters.smb1Messages++;
        this.smb1.handle(cs, msg);
        break;
      case MAGIC_TRANSFORM:
        this.counters.transformMessages++;
        this.smb2.handleTransform(cs, msg);
        break;
      case MAGIC_COMPRESSED:
        // Compressed payloads (SMB 3.1.1) are counted, not decompressed: lifecycle commands
        // are never worth compressing and clients do not compress them in practice.
        this.counters.compressedMessages++;
        break;
      default:
        this.counters.unknownMessages++;
    }
  }

  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer, _sec: number, _nsec: number): void {
    this.counters.nbssControl++;
    const cs = conn.user as ConnState | undefined;
    if (!cs || type !== 0x81 || dir !== 0) return;
    const names = decodeNetbiosSessionRequest(body);
    // the name without its NetBIOS suffix and padding (`HOST<00>` → `HOST`)
    if (names.ok) cs.netbiosCalling = names.callingName.name;
  }

  onGap(conn: Conn, _dir: Direction, bytes: number, _sec: number, _nsec: number): void {
    this.counters.gaps++;
    this.counters.gapBytes += bytes;
    const cs = conn.user as ConnState | undefined;
    if (!cs) return;
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
    const ts = { sec, nsec };
    const why = connEndToReason(reason);
    if (cs.rpc !== null) cs.rpc.end(ts);
    for (const f of cs.files.values()) if (f.rpc !== null) f.rpc.end(ts);
    for (const s of cs.sessions) {
      s.conns.delete(cs);
      if (s.conns.size === 0 && !s.ended) this.endSession(s, why, ts, null);
    }
    cs.sessions.clear();
    for (const p of cs.pending.values()) this.release(p);
    cs.pending.clear();
    cs.files.clear();
    cs.lastSession = null;
  }

  onTime(sec: number, nsec: number): void {
    this.nowSec = sec;
    this.nowNsec = nsec;
    if (this.onTimeCb) this.onTimeCb(sec, nsec);
  }

  /** the latest capture time seen */
  now(): Timestamp {
    return { sec: this.nowSec, nsec: this.nowNsec };
  }

  // ---- shared by the handlers ---------------------------------------------------------------

  emit(rec: LifecycleRecord): void {
    this.emitted.set(rec.kind, (this.emitted.get(rec.kind) ?? 0) + 1);
    this.emitRecord(rec);
  }

  acquirePending(cs: ConnState, key: number): PendingRequest {
    const old = cs.pending.get(key);
    if (old) {
      old.reset();
      return old;
    }
    if (cs.pending.size >= this.opts.maxPendingPerConnection) {
      const oldestKey = cs.pending.keys().next().value as number;
      const oldest = cs.pending.get(oldestKey)!;
      cs.pending.delete(oldestKey);
      this.release(oldest);
      this.counters.pendingEvicted++;
    }
    const p = this.pool.pop() ?? new PendingRequest();
    cs.pending.set(key, p);
    return p;
  }

  takePending(cs: ConnState, key: number): PendingRequest | null {
    const p = cs.pending.get(key);
    if (!p) return null;
    cs.pending.delete(key);
    return p;
  }

  release(p: PendingRequest): void {
    p.reset();
    if (this.pool.length < 1024) this.pool.push(p);
  }

  findSession(key: string): SessionState | undefined {
    return this.sessions.get(key);
  }

  /** Get or create a session and attach the connection to it. */
  session(cs: ConnState, key: string, smb1: boolean, sessionId: string, ts: Timestamp): SessionState {
    let s = this.sessions.get(key);
    if (!s || s.ended) {
      if (this.sessions.size >= this.opts.maxSessions) this.evictOldestSession(ts);
      s = new SessionState(key, smb1, sessionId, ts, cs.flow, ++this.serial);
      s.version = cs.version;
      if (cs.netbiosCalling) s.workstation = cs.netbiosCalling;
      this.sessions.set(key, s);
      this.counters.sessionsOpen++;
    }
    if (!s.conns.has(cs)) {
      s.conns.add(cs);
      cs.sessions.add(s);
    }
    if (s.version === null) s.version = cs.version;
    return s;
  }

  /** Forget a session whose SESSION_SETUP failed before it was ever established. */
  dropSession(s: SessionState): void {
    if (s.ended) return;
    s.ended = true;
    this.sessions.delete(s.key);
    this.counters.sessionsOpen--;
    this.detach(s);
  }

  emitSessionSetup(cs: ConnState, s: SessionState, ts: Timestamp, status: string, success: boolean, auth: AuthKind): void {
    this.emit({ kind: 'session-setup', ts, flow: cs.flow, session: s.view(), status, success, auth });
  }

  connectTree(
    cs: ConnState,
    s: SessionState,
    tid: number,
    treeId: string,
    path: string | null,
    shareType: ShareType | null,
    status: string,
    success: boolean,
    ts: Timestamp,
  ): TreeState | null {
    // path null: only the response was seen; the share is unknown (contract: share_class unknown)
    const shareName = path === null ? '' : shareNameOf(path);
    const shareClass = path === null ? 'unknown' : classifyShare(shareName, this.opts.extraAdminShares);
    const tree = new TreeState(s, tid, path ?? '', shareName, shareClass, shareType, status, ts, cs.flow);
    this.emit({
      kind: 'tree-connect',
      ts,
      flow: cs.flow,
      session: s.view(),
      tree: {
        treeId,
        share: path ?? '',
        shareName,
        shareClass,
        shareType,
        status,
        success,
      },
    });
    if (!success) return null;
    s.treesConnected++;
    const prior = s.trees.get(tid);
    if (prior) this.endTree(prior, 'tree_disconnect', ts);
    if (this.openTreeCount >= this.opts.maxTrees && this.oldestTree !== null) {
      const oldest = this.oldestTree;
      this.counters.treesEvicted++;
      this.endTree(oldest, 'idle_timeout', ts);
    }
    s.trees.set(tid, tree);
    tree.listed = true;
    tree.older = this.newestTree;
    if (this.newestTree !== null) this.newestTree.newer = tree;
    else this.oldestTree = tree;
    this.newestTree = tree;
    this.openTreeCount++;
    this.counters.treesOpen++;
    return tree;
  }

  endTree(tree: TreeState, reason: EndReason, ts: Timestamp): void {
    if (tree.ended) return;
    tree.ended = true;
    const s = tree.session;
    if (s.trees.get(tree.tid) === tree) s.trees.delete(tree.tid);
    if (tree.listed) {
      tree.listed = false;
      if (tree.older !== null) tree.older.newer = tree.newer;
      else this.oldestTree = tree.newer;
      if (tree.newer !== null) tree.newer.older = tree.older;
      else this.newestTree = tree.older;
      tree.older = tree.newer = null;
      this.openTreeCount--;
    }
    this.counters.treesOpen--;
    if (tree.rpcs !== null) {
      for (const conv of tree.rpcs) conv.end(ts);
      tree.rpcs = null;
    }
    this.emit({
      kind: 'tree-disconnect',
      ts,
      flow: tree.flow,
      session: s.view(),
      tree: {
        treeId: tree.treeId,
        share: tree.share,
        shareName: tree.shareName,
        shareClass: tree.shareClass,
        shareType: tree.shareType,
        status: tree.status,
        success: true,
      },
      reason,
      durationNs: Math.max(0, (ts.sec - tree.connectSec) * 1e9 + (ts.nsec - tree.connectNsec)),
      activity: tree.activity(),
      files: tree.files.slice(),
      pipes: tree.pipes.slice(),
      wroteExecutable: tree.wroteExecutable,
      wroteFiles: tree.wroteFiles,
      gap: tree.gap,
    });
  }

  endSession(
    s: SessionState,
    reason: Exclude<EndReason, 'tree_disconnect'>,
    ts: Timestamp,
    status: string | null,
    evicted = false,
  ): void {
    if (s.ended) return;
    // A LOGOFF whose response never came (the connection closed or reset first) still was a
    // logoff: the session and its trees end by it, at the request — decided before the trees end,
    // so they agree with the session and no event is stamped earlier than one written before it.
    if (s.logoffRequestedAt && reason !== 'logoff') {
      ts = s.logoffRequestedAt;
      reason = 'logoff';
    }
    for (const tree of [...s.trees.values()]) {
      // A disconnect whose response never came still was a disconnect (the client removed it).
      if (tree.disconnectRequestedAt && reason !== 'logoff') this.endTree(tree, 'tree_disconnect', tree.disconnectRequestedAt);
      else this.endTree(tree, reason, ts);
    }
    s.ended = true;
    this.sessions.delete(s.key);
    this.counters.sessionsOpen--;
    this.detach(s);
    const view = s.view();
    const dur = Math.max(0, durationNs(s.startTs, ts));
    if (evicted || s.established || s.treesConnected > 0 || s.encryptedMessages > 0) {
      this.emit({ kind: 'session-end', ts, flow: s.flow, session: view, reason, durationNs: dur, trees: s.treesConnected, status, gap: s.gap });
    }
    if (s.encryptedMessages > 0) {
      this.emit({
        kind: 'encrypted-session',
        ts,
        flow: s.flow,
        session: view,
        reason,
        durationNs: dur,
        messages: s.encryptedMessages,
        bytes: s.encryptedBytes,
      });
    }
  }

  /** Unlink a finished session from its connections and the session table. */
  private detach(s: SessionState): void {
    for (const cs of s.conns) {
      cs.sessions.delete(s);
      if (cs.lastSession === s) cs.lastSession = null;
    }
    s.conns.clear();
  }

  private evictOldestSession(ts: Timestamp): void {
    const oldest = this.sessions.values().next().value as SessionState | undefined;
    if (!oldest) return;
    this.counters.sessionsEvicted++;
    this.endSession(oldest, 'idle_timeout', ts, null, true); // never silent, even mid-setup
  }

  /** Sessions still open (for the summary and metrics). */
  get openSessions(): number {
    return this.sessions.size;
  }
}
