/**
 * The tracker's state objects: one ConnState per TCP connection, Sessions keyed by server +
 * SessionId (SMB1: connection + UID) that may span connections, Trees per session + TreeId.
 * Mutable on purpose; lifecycle records are snapshots built from them when something ends.
 */
import type { Conn } from '../shared/stream';
import type {
  Activity,
  AuthKind,
  FileTimes,
  Flow,
  SessionView,
  ShareClass,
  ShareType,
  Timestamp,
} from '../shared/records';
import { treeIdString } from './ids';
import type { AuthNote } from './auth-note';
import type { RpcConversation } from './dcerpc/conversation';
import { TransactionTable, type TxCounters, type TxPool } from './transactions';

/** what a connection's tables count */
export type ConnCounters = TxCounters & { fileIdCollisions: number };

export const MAX_FILES_PER_TREE = 16;
const NO_FILES: readonly string[] = Object.freeze([]);

/**
 * An open tree. Kept small: a replay may hold a million of them (issue 9's state test), so the
 * TreeId string is made when a record needs it, the connect time is two numbers, and the list of
 * files exists only once a file is noted.
 */
export class TreeState {
  readonly session: SessionState;
  readonly tid: number;
  readonly share: string;
  readonly shareName: string;
  readonly shareClass: ShareClass;
  readonly shareType: ShareType | null;
  readonly status: string;
  readonly connectSec: number;
  readonly connectNsec: number;
  /** where the tree was connected (client/server of that connection) */
  readonly flow: Flow;
  creates = 0;
  reads = 0;
  writes = 0;
  bytesRead = 0;
  bytesWritten = 0;
  ioctls = 0;
  private fileList: string[] | null = null;
  private pipeList: string[] | null = null;
  wroteExecutable = false;
  wroteFiles = false;
  /** a TREE_DISCONNECT was requested but its response not (yet) seen */
  disconnectRequestedAt: Timestamp | null = null;
  ended = false;
  /** the tracker's list of open trees (connect order) */
  older: TreeState | null = null;
  newer: TreeState | null = null;
  listed = false;
  /** its session's connections lost bytes while it was open */
  gap = false;
  /** DCE/RPC conversations on pipes opened in this tree (ended with it) */
  rpcs: RpcConversation[] | null = null;
  constructor(
    session: SessionState,
    tid: number,
    share: string,
    shareName: string,
    shareClass: ShareClass,
    shareType: ShareType | null,
    status: string,
    connectTs: Timestamp,
    flow: Flow,
  ) {
    this.session = session;
    this.tid = tid;
    this.share = share;
    this.shareName = shareName;
    this.shareClass = shareClass;
    this.shareType = shareType;
    this.status = status;
    this.connectSec = connectTs.sec;
    this.connectNsec = connectTs.nsec;
    this.flow = flow;
  }

  /** TreeId as the contract writes it ('0x' + 8 hex digits) */
  get treeId(): string {
    return treeIdString(this.tid);
  }

  get connectTs(): Timestamp {
    return { sec: this.connectSec, nsec: this.connectNsec };
  }

  /** files noted (at most MAX_FILES_PER_TREE), in order */
  get files(): readonly string[] {
    return this.fileList ?? NO_FILES;
  }

  activity(): Activity {
    return {
      creates: this.creates,
      reads: this.reads,
      writes: this.writes,
      bytesRead: this.bytesRead,
      bytesWritten: this.bytesWritten,
      ioctls: this.ioctls,
    };
  }

  /** named pipes opened on this tree (at most MAX_FILES_PER_TREE), in order */
  get pipes(): readonly string[] {
    return this.pipeList ?? NO_FILES;
  }

  notePipe(name: string): void {
    const p = (this.pipeList ??= []);
    if (p.length < MAX_FILES_PER_TREE && !p.includes(name)) p.push(name);
  }

  noteFile(name: string): void {
    // SMB1 clients send share-relative names with a leading backslash; SMB2 ones without
    if (name.charCodeAt(0) === 0x5c) name = name.replace(/^\\+/, '');
    if (name === '') return; // the share root is no file
    const f = (this.fileList ??= []);
    if (f.length < MAX_FILES_PER_TREE && !f.includes(name)) f.push(name);
  }
}

export class SessionState {
  readonly key: string;
  readonly smb1: boolean;
  sessionId: string | null;
  version: string | null = null;
  user: string | null = null;
  domain: string | null = null;
  workstation: string | null = null;
  auth: AuthKind | null = null;
  kerberosRealm: string | null = null;
  kerberosService: string | null = null;
  readonly pipes: string[] = [];
  /** connections this session has been seen on and that are still open */
  readonly conns = new Set<ConnState>();
  readonly trees = new Map<number, TreeState>();
  readonly startTs: Timestamp;
  /** flow of the connection the session was first seen on */
  flow: Flow;
  /** SESSION_SETUP completed successfully (or the session was picked up in use) */
  established = false;
  treesConnected = 0;
  encryptedMessages = 0;
  encryptedBytes = 0;
  ended = false;
  /** a LOGOFF was requested but its response not (yet) seen */
  logoffRequestedAt: Timestamp | null = null;
  /** one of its connections lost bytes while it was open */
  gap = false;
  /** auth facts of the last SESSION_SETUP leg that carried any (NTLM AUTHENTICATE, AP-REQ) */
  lastNote: AuthNote | null = null;
  readonly serial: number;

  constructor(key: string, smb1: boolean, sessionId: string | null, startTs: Timestamp, flow: Flow, serial: number) {
    this.key = key;
    this.smb1 = smb1;
    this.sessionId = sessionId;
    this.startTs = startTs;
    this.flow = flow;
    this.serial = serial;
  }

  view(): SessionView {
    return {
      sessionId: this.sessionId,
      version: this.version,
      user: this.user,
      domain: this.domain,
      workstation: this.workstation,
      auth: this.auth,
      kerberosRealm: this.kerberosRealm,
      kerberosService: this.kerberosService,
      pipes: this.pipes.slice(),
    };
  }

  notePipe(name: string): void {
    if (!this.pipes.includes(name)) this.pipes.push(name);
  }
}

/** An open file handle (CREATE response → CLOSE), so WRITEs can be attributed. */
export interface OpenFile {
  /** the FileId bits its key folds away (ids.ts idKeyHi; 0 for SMB1 FIDs) */
  readonly keyHi: number;
  readonly name: string;
  /** null only for a named pipe opened in a tree whose connect the capture missed */
  readonly tree: TreeState | null;
  readonly forWrite: boolean;
  /** a named pipe (its data is DCE/RPC) */
  readonly pipe: boolean;
  /** the session of a pipe opened in an unseen tree, if known; its id as the contract writes it */
  readonly session: SessionState | null;
  readonly sessionId: string | null;
  /** the DCE/RPC conversation on this pipe open (pipes only), made at the first pipe data */
  rpc: RpcConversation | null;
  /** for the FileRecord (smb_files.log): set by the handlers where they know it */
  openTs?: Timestamp;
  size?: number | null;
  times?: FileTimes | null;
  bytesRead?: number;
  bytesWritten?: number;
  deleteTs?: Timestamp | null;
  renamedTo?: string | null;
  renameTs?: Timestamp | null;
}

/**
 * The handles open on one connection, by idKey of the volatile FileId (SMB2) or by FID (SMB1).
 * A lookup also compares the bits the key folds away: a handle whose FileId only folds like the
 * one asked for is not it (counted), rather than a file that gets another file's writes.
 */
export class OpenFiles {
  private readonly map = new Map<number, OpenFile>();
  private readonly counters: { fileIdCollisions: number };

  constructor(counters: { fileIdCollisions: number }) {
    this.counters = counters;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: number, keyHi: number): OpenFile | undefined {
    const f = this.map.get(key);
    if (f === undefined || f.keyHi === keyHi) return f;
    this.counters.fileIdCollisions++;
    return undefined;
  }

  set(key: number, f: OpenFile): void {
    this.map.set(key, f);
  }

  delete(key: number): void {
    this.map.delete(key);
  }

  /** the key of the longest-open handle (for the memcap), -1 when none */
  oldestKey(): number {
    const k = this.map.keys().next();
    return k.done === true ? -1 : k.value;
  }

  /** the handle at `key` whatever its folded bits (the connection's own bookkeeping) */
  at(key: number): OpenFile | undefined {
    return this.map.get(key);
  }

  keys(): IterableIterator<number> {
    return this.map.keys();
  }

  values(): IterableIterator<OpenFile> {
    return this.map.values();
  }

  clear(): void {
    this.map.clear();
  }
}

export class ConnState {
  readonly conn: Conn;
  readonly flow: Flow;
  /** dialect negotiated on this connection ('1', '2.1', '3.1.1', …) */
  version: string | null = null;
  /** requests waiting for their final response */
  readonly txs: TransactionTable;
  readonly sessions = new Set<SessionState>();
  /** open files by folded FileId (SMB2) or FID (SMB1) */
  readonly files: OpenFiles;
  /** one-entry cache of the last SMB2 session looked up on this connection */
  lastSessionHi = -1;
  lastSessionLo = -1;
  lastSession: SessionState | null = null;
  /** DCE/RPC conversation of an ncacn_ip_tcp connection */
  rpc: RpcConversation | null = null;
  /** NetBIOS calling name from a session request on port 139 */
  netbiosCalling: string | null = null;
  /**
   * the server's NTLM CHALLENGE names and SPNEGO negState of the SESSION_SETUP exchange under way
   * on this connection (ntlm.log); per connection, as multichannel binds run one per channel
   */
  ntlmServer: { nb: string | null; dns: string | null; tree: string | null } | null = null;
  negState = -1;
  ended = false;

  constructor(conn: Conn, pool: TxPool, maxPending: number, counters: ConnCounters) {
    this.conn = conn;
    this.txs = new TransactionTable(pool, maxPending, counters);
    this.files = new OpenFiles(counters);
    this.flow = {
      clientIp: conn.clientIp,
      clientPort: conn.clientPort,
      serverIp: conn.serverIp,
      serverPort: conn.serverPort,
      startSec: conn.startSec,
      startNsec: conn.startNsec,
    };
  }
}
