/**
 * One encrypted session's message sizes → inferred trees. Requests are kept (bounded) until a
 * response of a compatible size answers them; a TREE_CONNECT answered by 80 opens a tree, a
 * 68/68 exchange (TREE_DISCONNECT, LOGOFF — or ECHO, which has the same sizes) marks the newest
 * open tree as ending. The end is decided by what follows: a new TREE_CONNECT or the session's end
 * confirms it; other activity while no other tree is open refutes it (it was an ECHO: smbclient
 * sends one every few seconds when idle). No bytes are parsed here: sizes and times only.
 */
import type { EndReason } from '../../shared/records';
import {
  CLOSE_RESPONSE,
  ERROR_RESPONSE,
  RequestClass,
  SMALL_MESSAGE,
  TREE_CONNECT_RESPONSE,
  WRITE_REQUEST_BASE,
  QUERY_INFO_REQUEST,
  classifyRequest,
  isCreateSuccess,
  treeConnectPathChars,
} from './sizes';

/** outstanding requests kept per session (synchronous clients keep 1; Windows a few dozen) */
export const MAX_PENDING = 64;
/** open inferred trees per session; beyond, the oldest ends as idle_timeout (counted) */
export const MAX_OPEN_TREES = 64;
/** two 68/68 exchanges closer than this are a TREE_DISCONNECT then a LOGOFF, not ECHOes */
const ECHO_GAP_NS = 1e9;

export class InferredTree {
  readonly pathChars: number;
  /** probability that the TREE_CONNECT reading is right (another command may answer 80) */
  readonly structure: number;
  readonly connectSec: number;
  readonly connectNsec: number;
  creates = 0;
  writes = 0;
  bytesWritten = 0;
  /** a 68/68 exchange marked this tree as ending at this time (-1: none) */
  endSec = -1;
  endNsec = 0;
  constructor(pathChars: number, structure: number, sec: number, nsec: number) {
    this.pathChars = pathChars;
    this.structure = structure;
    this.connectSec = sec;
    this.connectNsec = nsec;
  }
}

/** Where a session's inference reports to (the inference room). */
export interface InferenceOwner {
  treeConnected(si: SessionInference, tree: InferredTree): void;
  /** the tree ended at sec/nsec (decided at si.nowSec/nowNsec, which may be later) */
  treeEnded(si: SessionInference, tree: InferredTree, reason: EndReason, sec: number, nsec: number): void;
  /** a bound was hit: 'pending' (request dropped unanswered) or 'trees' (tree ended early) */
  evicted(what: 'pending' | 'trees'): void;
}

const ns = (sec: number, nsec: number): number => sec * 1e9 + nsec;

export class SessionInference {
  private readonly owner: InferenceOwner;
  /** outstanding requests, oldest first */
  private readonly pendClass = new Uint8Array(MAX_PENDING);
  private readonly pendSize = new Uint32Array(MAX_PENDING);
  private pendCount = 0;
  /** open trees, oldest connected first */
  readonly open: InferredTree[] = [];
  private openFiles = 0;
  /** messages since the last 68/68 exchange (0: it was the last thing said) */
  private sinceSmall = -1;
  private smallSec = 0;
  private smallNsec = 0;
  /** request size of a WRITE answered by an error/interim response just now (-1: none) */
  private interimWrite = -1;
  /**
   * capture time of the message being handled: when an end is decided (a tree's end is often
   * known only at the next request), the record is stamped now, so output never goes back in time
   */
  nowSec = 0;
  nowNsec = 0;
  /** posterior weight per candidate server name (kept by the inference room) */
  readonly serverWeights = new Map<string, number>();
  trees = 0;

  constructor(owner: InferenceOwner) {
    this.owner = owner;
  }

  request(size: number, compound: boolean, sec: number, nsec: number): void {
    this.nowSec = sec;
    this.nowNsec = nsec;
    const cls = compound ? RequestClass.Other : classifyRequest(size, this.openFiles);
    if (cls !== RequestClass.Small) {
      if (this.sinceSmall >= 0) this.sinceSmall++;
      // a TREE_CONNECT's size is only confirmed by its answer (80): marks are settled then
      if (cls !== RequestClass.TreeConnect) this.settle(false);
    }
    if (this.pendCount === MAX_PENDING) {
      this.remove(0);
      this.owner.evicted('pending');
    }
    this.pendClass[this.pendCount] = cls;
    this.pendSize[this.pendCount] = size;
    this.pendCount++;
  }

  response(size: number, compound: boolean, sec: number, nsec: number): void {
    this.nowSec = sec;
    this.nowNsec = nsec;
    const interim = this.interimWrite;
    this.interimWrite = -1;
    const i = this.match(size);
    if (i < 0) {
      // the final answer to a WRITE that got a STATUS_PENDING interim answer first
      if (size === TREE_CONNECT_RESPONSE && interim >= 0 && !compound) this.wrote(interim);
      return;
    }
    const cls = this.pendClass[i] as RequestClass;
    const reqSize = this.pendSize[i]!; // match() returns an index below pendCount
    this.remove(i);
    if (cls !== RequestClass.Small && this.sinceSmall >= 0) this.sinceSmall++;
    if (compound) return;
    switch (cls) {
      case RequestClass.TreeConnect:
        // answered 80: a TREE_CONNECT, which confirms the marks; a CREATE is activity that may
        // refute one; an error (a failed TREE_CONNECT, or anything failing) decides nothing
        if (size === TREE_CONNECT_RESPONSE) {
          this.settle(true);
          this.connect(reqSize, sec, nsec);
        } else if (isCreateSuccess(reqSize, size)) {
          this.settle(false);
          this.created();
        }
        return;
      case RequestClass.Write:
        // counted when answered like a WRITE: QUERY_DIRECTORY and others share its request sizes
        if (size === TREE_CONNECT_RESPONSE) this.wrote(reqSize);
        else if (size === ERROR_RESPONSE) this.interimWrite = reqSize;
        else if (isCreateSuccess(reqSize, size)) this.created();
        return;
      case RequestClass.Small:
        if (size === SMALL_MESSAGE) this.smallExchange(sec, nsec);
        return;
      case RequestClass.Close:
        if (size === CLOSE_RESPONSE && this.openFiles > 0) this.openFiles--;
        return;
      case RequestClass.Other:
        if (isCreateSuccess(reqSize, size)) this.created();
        return;
      default:
        return;
    }
  }

  /** The session ended: every tree ends — at its 68/68 mark, at a final LOGOFF, or now. */
  end(reason: EndReason, sec: number, nsec: number): void {
    this.nowSec = sec;
    this.nowNsec = nsec;
    // nothing but 68-byte messages after the last 68/68 exchange: it was the LOGOFF
    const logoff = this.sinceSmall === 0;
    const ends: InferredTree[] = [];
    for (const t of this.open) {
      if (t.endSec < 0 && logoff) {
        t.endSec = this.smallSec;
        t.endNsec = this.smallNsec;
      }
      ends.push(t);
    }
    this.open.length = 0;
    ends.sort((a, b) => (a.endSec < 0 ? Infinity : ns(a.endSec, a.endNsec)) - (b.endSec < 0 ? Infinity : ns(b.endSec, b.endNsec)));
    for (const t of ends) {
      if (t.endSec >= 0) {
        const why: EndReason = logoff && t.endSec === this.smallSec && t.endNsec === this.smallNsec && ends.length > 1 ? 'logoff' : 'tree_disconnect';
        this.owner.treeEnded(this, t, why, t.endSec, t.endNsec);
      } else this.owner.treeEnded(this, t, reason, sec, nsec);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  /** index of the request this response answers, or -1 */
  private match(size: number): number {
    const n = this.pendCount;
    if (n === 0) return -1;
    // an error or interim answer comes right after its request (synchronous or not)
    if (size === ERROR_RESPONSE) return n - 1;
    let fallback = -1;
    for (let i = 0; i < n; i++) {
      const c = this.pendClass[i];
      if (size === SMALL_MESSAGE) {
        if (c === RequestClass.Small) return i;
      } else if (size === CLOSE_RESPONSE) {
        if (c === RequestClass.Close) return i;
      } else if (c === RequestClass.Small) {
        continue; // 68-byte requests are answered by 68 (or 73)
      } else if (size !== TREE_CONNECT_RESPONSE || c !== RequestClass.Close) {
        return i;
      }
      if (fallback < 0 && c !== RequestClass.Small) fallback = i;
    }
    return size === SMALL_MESSAGE || size === CLOSE_RESPONSE ? fallback : -1;
  }

  private remove(i: number): void {
    const n = this.pendCount - 1;
    this.pendClass.copyWithin(i, i + 1, n + 1);
    this.pendSize.copyWithin(i, i + 1, n + 1);
    this.pendCount = n;
  }

  private created(): void {
    this.openFiles++;
    const t = this.active();
    if (t !== null) t.creates++;
  }

  private wrote(reqSize: number): void {
    const t = this.active();
    if (t === null) return;
    t.writes++;
    t.bytesWritten += reqSize - WRITE_REQUEST_BASE;
  }

  /** the tree activity goes to: the newest open tree not marked as ending, else the newest */
  private active(): InferredTree | null {
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i]!.endSec < 0) return this.open[i]!;
    return this.open.length > 0 ? this.open[this.open.length - 1]! : null;
  }

  private connect(reqSize: number, sec: number, nsec: number): void {
    // a QUERY_INFO without input (104) on an open file may answer 80 as well
    const structure = reqSize === QUERY_INFO_REQUEST && this.openFiles > 0 ? 0.5 : 1;
    if (this.open.length >= MAX_OPEN_TREES) {
      const oldest = this.open.shift()!;
      this.owner.evicted('trees');
      this.owner.treeEnded(this, oldest, 'idle_timeout', sec, nsec);
    }
    const t = new InferredTree(treeConnectPathChars(reqSize), structure, sec, nsec);
    this.open.push(t);
    this.trees++;
    this.owner.treeConnected(this, t);
  }

  private smallExchange(sec: number, nsec: number): void {
    this.sinceSmall = 0;
    const prevSec = this.smallSec;
    const prevNsec = this.smallNsec;
    this.smallSec = sec;
    this.smallNsec = nsec;
    for (let i = this.open.length - 1; i >= 0; i--) {
      const t = this.open[i]!;
      if (t.endSec < 0) {
        t.endSec = sec;
        t.endNsec = nsec;
        return;
      }
    }
    // every open tree is already marked: a second exchange long after the first means the first
    // was an ECHO (the newest mark moves here); shortly after, it is the LOGOFF that follows a
    // TREE_DISCONNECT, and the mark stays
    const last = this.latestMarked();
    if (last !== null && ns(sec, nsec) - ns(prevSec, prevNsec) > ECHO_GAP_NS) {
      last.endSec = sec;
      last.endNsec = nsec;
    }
  }

  private latestMarked(): InferredTree | null {
    let best: InferredTree | null = null;
    for (const t of this.open) {
      if (t.endSec >= 0 && (best === null || ns(t.endSec, t.endNsec) > ns(best.endSec, best.endNsec))) best = t;
    }
    return best;
  }

  /**
   * A non-68 request arrived: trees marked as ending are decided. A TREE_CONNECT confirms them all;
   * other activity refutes the newest mark when no unmarked tree is open to take that activity.
   */
  private settle(treeConnect: boolean): void {
    let marked = 0;
    let unmarked = 0;
    for (const t of this.open) {
      if (t.endSec >= 0) marked++;
      else unmarked++;
    }
    if (marked === 0) return;
    if (!treeConnect && unmarked === 0) {
      const echo = this.latestMarked()!;
      echo.endSec = -1;
      marked--;
      if (marked === 0) return;
    }
    const ended = this.open.filter((t) => t.endSec >= 0);
    ended.sort((a, b) => ns(a.endSec, a.endNsec) - ns(b.endSec, b.endNsec));
    for (const t of ended) {
      this.open.splice(this.open.indexOf(t), 1);
      this.owner.treeEnded(this, t, 'tree_disconnect', t.endSec, t.endNsec);
    }
  }
}
