/**
 * The lower layer of the tracker: per connection, the requests still waiting for their final
 * response, one typed record per kind of request (Suricata's SMBTransaction, without its
 * grab-bag: a TREE_CONNECT remembers a path, a READ the handle it reads, nothing else).
 *
 * Keys: SMB2 MessageId (64 bits: the low 53 in the numeric key, the rest kept in `keyHi` and
 * compared, so two ids that fold to one key are a counted collision, never a wrong match);
 * SMB1 PID, MID and first command (ids.ts smb1TxKey). An SMB1 request may chain several commands (AndX): it is one AndXTx
 * holding a typed record per chained command. STATUS_PENDING interim responses leave the record
 * in place; the final response takes it out.
 *
 * Bounded per connection (oldest evicted, counted) and pooled: a READ-heavy connection opens one
 * record per READ, and the hot path allocates none.
 */
import type { AuthNote } from './auth-note';

interface TxCommon {
  tsSec: number;
  tsNsec: number;
  /** SMB2 SessionId of the request (two 32-bit halves) */
  sessionHi: number;
  sessionLo: number;
  /** TreeId (SMB2) / TID (SMB1) of the request */
  treeId: number;
  /** SMB1 UID of the request */
  uid: number;
  /** the part of the request's id that the numeric key does not hold (collision check) */
  keyHi: number;
  /** outstanding when its connection lost response bytes: its answer may be in the hole */
  beforeGap: boolean;
}

abstract class TxBase implements TxCommon {
  tsSec = 0;
  tsNsec = 0;
  sessionHi = 0;
  sessionLo = 0;
  treeId = 0;
  uid = 0;
  keyHi = 0;
  beforeGap = false;

  /** back to the pooled state (no reference kept to anything of the request) */
  reset(): void {
    this.sessionHi = this.sessionLo = this.treeId = this.uid = this.keyHi = 0;
    this.beforeGap = false;
    this.resetBody();
  }

  protected resetBody(): void {}
}

export class NegotiateTx extends TxBase {
  readonly kind = 'negotiate';
}

export class SessionSetupTx extends TxBase {
  readonly kind = 'session-setup';
  /** identity the request's security blob carried (NTLM AUTHENTICATE, AP-REQ), applied at the response */
  auth: AuthNote | null = null;
  protected override resetBody(): void {
    this.auth = null;
  }
}

export class LogoffTx extends TxBase {
  readonly kind = 'logoff';
}

export class TreeConnectTx extends TxBase {
  readonly kind = 'tree-connect';
  /** the UNC path asked for; null when the request could not be read */
  path: string | null = null;
  protected override resetBody(): void {
    this.path = null;
  }
}

export class TreeDisconnectTx extends TxBase {
  readonly kind = 'tree-disconnect';
}

export class CreateTx extends TxBase {
  readonly kind = 'create';
  /** share-relative name; null when the request could not be read */
  name: string | null = null;
  forWrite = false;
  protected override resetBody(): void {
    this.name = null;
    this.forWrite = false;
  }
}

/** A READ: the handle read, so the answer's bytes count for it and a pipe's data reach its RPC conversation. */
export class ReadTx extends TxBase {
  readonly kind = 'read';
  /** folded FileId (SMB2) / FID (SMB1); -1 when the request was not read */
  fileKey = -1;
  /** the FileId bits the key folds away (ids.ts idKeyHi) */
  fileKeyHi = 0;
  /** the handle is a named pipe (its data is DCE/RPC) */
  pipe = false;
  protected override resetBody(): void {
    this.fileKey = -1;
    this.fileKeyHi = 0;
    this.pipe = false;
  }
}

/** FSCTL_PIPE_TRANSCEIVE (SMB2 IOCTL) / TransactNmPipe (SMB1): a pipe write whose answer is the read. */
export class PipeTransceiveTx extends TxBase {
  readonly kind = 'pipe-transceive';
  fileKey = -1;
  fileKeyHi = 0;
  protected override resetBody(): void {
    this.fileKey = -1;
    this.fileKeyHi = 0;
  }
}

/** The typed records of an SMB1 AndX chain, in the order of the request's commands. */
export class AndXTx extends TxBase {
  readonly kind = 'andx';
  /** SMB1 command codes of the chain */
  readonly commands: number[] = [];
  /** the typed record of each command that has one (same index as `commands`), else null */
  readonly parts: (CommandTx | null)[] = [];

  /** the record of the first chained `command` of this kind, if the request had one */
  part<K extends CommandTx['kind']>(command: number, kind: K): TxOf<K> | null {
    const i = this.commands.indexOf(command);
    const p = i < 0 ? null : this.parts[i];
    return p !== null && p !== undefined && p.kind === kind ? (p as TxOf<K>) : null;
  }

  protected override resetBody(): void {
    this.commands.length = 0;
    this.parts.length = 0;
  }
}

/** one request's record, by kind */
export type CommandTx =
  | NegotiateTx
  | SessionSetupTx
  | LogoffTx
  | TreeConnectTx
  | TreeDisconnectTx
  | CreateTx
  | ReadTx
  | PipeTransceiveTx;
export type Transaction = CommandTx | AndXTx;
export type TxKind = Transaction['kind'];
export type TxOf<K extends TxKind> = Extract<Transaction, { kind: K }>;

const MAKE: { readonly [K in TxKind]: () => TxOf<K> } = {
  negotiate: () => new NegotiateTx(),
  'session-setup': () => new SessionSetupTx(),
  logoff: () => new LogoffTx(),
  'tree-connect': () => new TreeConnectTx(),
  'tree-disconnect': () => new TreeDisconnectTx(),
  create: () => new CreateTx(),
  read: () => new ReadTx(),
  'pipe-transceive': () => new PipeTransceiveTx(),
  andx: () => new AndXTx(),
};

const POOL_PER_KIND = 256;

/** Free records by kind, shared by every connection of one tracker. */
export class TxPool {
  // a plain object keyed by kind: one property load per acquire, not a Map lookup by string
  private readonly free: { [K in TxKind]: TxOf<K>[] } = {
    negotiate: [],
    'session-setup': [],
    logoff: [],
    'tree-connect': [],
    'tree-disconnect': [],
    create: [],
    read: [],
    'pipe-transceive': [],
    andx: [],
  };

  acquire<K extends TxKind>(kind: K): TxOf<K> {
    const tx = (this.free[kind] as TxOf<K>[]).pop();
    return tx !== undefined ? tx : MAKE[kind]();
  }

  release(tx: Transaction): void {
    if (tx.kind === 'andx') for (const p of tx.parts) if (p !== null) this.release(p);
    tx.reset();
    const list = this.free[tx.kind] as Transaction[];
    if (list.length < POOL_PER_KIND) list.push(tx);
  }
}

/** What the table counts (TrackerCounters has these fields). */
export interface TxCounters {
  pendingEvicted: number;
  txIdCollisions: number;
  txClosedAfterGap: number;
}

/** The requests of one connection waiting for their final response. */
export class TransactionTable {
  private readonly open = new Map<number, Transaction>();
  private readonly pool: TxPool;
  private readonly max: number;
  private readonly counters: TxCounters;
  /** response bytes were lost: records outstanding then are closed once the stream resumes */
  private sweepDue = false;

  constructor(pool: TxPool, maxOpen: number, counters: TxCounters) {
    this.pool = pool;
    this.max = maxOpen;
    this.counters = counters;
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * A request at `key`: its record, from the pool. A record still at the key (a request reusing
   * an id whose answer never came) is replaced; at the memcap the oldest record goes, counted.
   */
  begin<K extends TxKind>(kind: K, key: number, keyHi: number, tsSec: number, tsNsec: number): TxOf<K> {
    const old = this.open.get(key);
    if (old !== undefined) {
      this.open.delete(key);
      this.pool.release(old);
    } else if (this.open.size >= this.max) {
      const oldestKey = this.open.keys().next().value as number;
      this.pool.release(this.open.get(oldestKey)!);
      this.open.delete(oldestKey);
      this.counters.pendingEvicted++;
    }
    const tx = this.pool.acquire(kind);
    tx.tsSec = tsSec;
    tx.tsNsec = tsNsec;
    tx.keyHi = keyHi;
    this.open.set(key, tx);
    return tx;
  }

  /** A record for one command of an SMB1 chain (owned by its AndXTx, not by the table). */
  part<K extends CommandTx['kind']>(chain: AndXTx, kind: K): TxOf<K> {
    const tx: CommandTx = this.pool.acquire(kind);
    tx.tsSec = chain.tsSec;
    tx.tsNsec = chain.tsNsec;
    tx.uid = chain.uid;
    tx.treeId = chain.treeId;
    return tx as TxOf<K>;
  }

  /** The record at `key` without taking it (a response's first bytes: is it pipe data?). */
  peek(key: number, keyHi: number): Transaction | null {
    const tx = this.open.get(key);
    return tx !== undefined && tx.keyHi === keyHi ? tx : null;
  }

  /** The final response for `key`: its record leaves the table; hand it back with done(). */
  finish(key: number, keyHi: number): Transaction | null {
    const tx = this.open.get(key);
    if (tx === undefined) return null;
    if (tx.keyHi !== keyHi) {
      this.counters.txIdCollisions++;
      return null;
    }
    this.open.delete(key);
    return tx;
  }

  done(tx: Transaction): void {
    this.pool.release(tx);
  }

  /** The server-to-client stream lost bytes: what is outstanding now may never be answered. */
  responsesLost(): void {
    for (const tx of this.open.values()) tx.beforeGap = true;
    this.sweepDue = this.open.size > 0;
  }

  /**
   * After the first response past the hole was handled (answers sent before the hole's end came
   * in it or are lost): the records outstanding before the hole are closed, counted
   * (Suricata's post_gap_housekeeping). Returns how many.
   */
  closeLostAfterGap(): number {
    if (!this.sweepDue) return 0;
    this.sweepDue = false;
    let n = 0;
    for (const [key, tx] of this.open) {
      if (!tx.beforeGap) continue;
      this.open.delete(key);
      this.pool.release(tx);
      n++;
    }
    this.counters.txClosedAfterGap += n;
    return n;
  }

  /** The connection ended: every record goes back to the pool. */
  clear(): void {
    for (const tx of this.open.values()) this.pool.release(tx);
    this.open.clear();
    this.sweepDue = false;
  }
}
