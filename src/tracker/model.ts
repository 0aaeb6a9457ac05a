/**
 * The upper layer of the tracker: sessions keyed by server + SessionId (SMB1: connection + UID),
 * which may span connections, and their trees. The per-dialect handlers feed it what finished
 * transactions mean (a session set up, a tree connected, a disconnect, a logoff, a connection
 * gone) through the methods below, and it emits a lifecycle record when something starts or ends.
 * It knows no wire format and imports no handler.
 */
import type {
  AuthKind,
  DcerpcCallRecord,
  EndReason,
  FileRecord,
  LifecycleRecord,
  NtlmFacts,
  ShareType,
  Timestamp,
} from '../shared/records';
import { durationNs } from '../shared/records';
import { classifyShare, shareNameOf } from '../shared/share-class';
import { SessionState, TreeState, type ConnState, type OpenFile } from './state';
import { TrackerCounters, type TrackerOptions } from './options';
import type { RpcHost } from './dcerpc/conversation';
import { RpcCounters, type RpcLimits } from './dcerpc/limits';
import { Inference } from './inference/inference';
import { PRIOR } from './inference/server-names';
import { isPipeTree, serverFactsFromBlob } from './auth-note';
import type { FileSink, RecordSink } from './sinks';

export class SessionModel implements RpcHost {
  readonly counters = new TrackerCounters();
  readonly rpcCounters = new RpcCounters();
  readonly rpcLimits: RpcLimits;
  /** told when an endpoint-mapper answer hands out a TCP port (src/net then frames it as DCE/RPC) */
  onDcerpcEndpoint: ((serverIp: string, port: number) => void) | null = null;
  readonly opts: TrackerOptions;
  /** lifecycle records emitted, by kind */
  readonly emitted = new Map<string, number>();
  /** trees inferred inside encrypted sessions from transform-header sizes */
  readonly inference: Inference;
  private readonly emitRecord: RecordSink;
  /** where closed files' records go (smb_files.log), if anywhere */
  readonly onFileSink: FileSink | null;
  private readonly sessions = new Map<string, SessionState>();
  /**
   * open trees in connect order (oldest first), for the tree memcap: a list through the trees
   * themselves (a Set of a million trees cost ~50 MB and a large copy each time it grew)
   */
  private oldestTree: TreeState | null = null;
  private newestTree: TreeState | null = null;
  private openTreeCount = 0;
  private serial = 0;
  private nowSec = 0;
  private nowNsec = 0;

  constructor(emit: RecordSink, opts: TrackerOptions, onFile: FileSink | null) {
    this.emitRecord = emit;
    this.onFileSink = onFile;
    this.opts = opts;
    this.rpcLimits = opts.rpcLimits;
    this.inference = new Inference((rec) => this.emit(rec), {
      knownShares: opts.knownShares,
      extraAdminShares: opts.extraAdminShares,
      maxSessions: opts.maxInferenceSessions,
    });
  }

  /** capture time moved forward */
  setNow(sec: number, nsec: number): void {
    this.nowSec = sec;
    this.nowNsec = nsec;
  }

  /** the latest capture time seen */
  now(): Timestamp {
    return { sec: this.nowSec, nsec: this.nowNsec };
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

  // ---- sessions and trees -------------------------------------------------------------------

  emit(rec: LifecycleRecord): void {
    this.emitted.set(rec.kind, (this.emitted.get(rec.kind) ?? 0) + 1);
    this.emitRecord(rec);
  }

  /**
   * The handle `f` is closing (CLOSE, its connection ended, evicted, reused): for a file (not a
   * pipe) whose CREATE response was decoded, hand its FileRecord to the file sink. The caller
   * forgets the handle (and ends a pipe's conversation).
   */
  fileClosed(cs: ConnState, f: OpenFile, at: Timestamp | null): void {
    if (this.onFileSink === null || f.openTs === undefined || f.pipe || f.tree === null || isPipeTree(f.tree)) return;
    const actions: FileRecord['actions'][number][] = ['open'];
    if ((f.bytesRead ?? 0) > 0) actions.push('read');
    if ((f.bytesWritten ?? 0) > 0) actions.push('write');
    if (f.renameTs) actions.push('rename');
    if (f.deleteTs) actions.push('delete');
    const tree = f.tree;
    this.onFileSink({
      kind: 'file',
      ts: at ?? f.openTs,
      flow: cs.flow,
      session: tree.session.view(),
      treeId: tree.treeId,
      share: tree.share,
      name: f.name,
      actions,
      size: f.size ?? null,
      bytesRead: f.bytesRead ?? 0,
      bytesWritten: f.bytesWritten ?? 0,
      renamedTo: f.renamedTo ?? null,
      openTs: f.openTs,
      times: f.times ?? null,
      deleteTs: f.deleteTs ?? null,
      renameTs: f.renameTs ?? null,
    });
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
    const note = s.lastNote;
    const ntlm: NtlmFacts | null =
      (note && note.mech === 'ntlmssp') || cs.ntlmServer !== null
        ? {
            serverNbComputerName: cs.ntlmServer ? cs.ntlmServer.nb : null,
            serverDnsComputerName: cs.ntlmServer ? cs.ntlmServer.dns : null,
            serverTreeName: cs.ntlmServer ? cs.ntlmServer.tree : null,
            user: note && note.mech === 'ntlmssp' ? note.user : null,
            domain: note && note.mech === 'ntlmssp' ? note.domain : null,
            workstation: note && note.mech === 'ntlmssp' ? note.workstation : null,
            negState: cs.negState,
          }
        : null;
    this.emit({ kind: 'session-setup', ts, flow: cs.flow, session: s.view(), status, success, auth, ntlm });
    // a later re-authentication on this session starts its own exchange
    cs.ntlmServer = null;
    cs.negState = -1;
  }

  /**
   * A SESSION_SETUP response's security blob (decoded once): remember the CHALLENGE names and
   * negState for ntlm.log, and offer the names to inference as names a client may call the
   * server by.
   */
  noteServerAuth(cs: ConnState, blob: Buffer | null): void {
    const f = serverFactsFromBlob(blob, this.counters);
    if (!f) return;
    if (f.negState !== -1) cs.negState = f.negState;
    if (f.challenge === null) return;
    cs.ntlmServer = f.challenge;
    this.inference.noteServerName(cs.flow.serverIp, f.challenge.nb, PRIOR.netbios);
    this.inference.noteServerName(cs.flow.serverIp, f.challenge.dns, PRIOR.dns);
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
    if (path !== null) this.inference.notePlainTree(cs.flow.serverIp, path);
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
    this.inference.endSession(s, reason, ts);
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
