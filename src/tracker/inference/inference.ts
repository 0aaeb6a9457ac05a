/**
 * The inference room (contract: "Inference through SMB3 encryption"): per encrypted session, the
 * transform headers' (direction, time, OriginalMessageSize, chained or not) feed a
 * SessionInference; the trees it infers become `inferred-tree` records with the share name's
 * length, candidates and a confidence worked out from what the clear text said about the server.
 * Bounded like the rest of the tracker: sessions, servers, per-session requests and trees.
 */
import type { EndReason, Flow, InferredTreeRecord, Timestamp } from '../../shared/records';
import type { SessionState } from '../state';
import { candidatesOfLength, chooseLength, confidenceOf, lengthLikelihood, type ShareKnowledge } from './candidates';
import { PRIOR, ServerFacts, splitUncPath } from './server-names';
import { type InferenceOwner, type InferredTree, SessionInference } from './session-inference';
import { classifyShare } from '../../shared/share-class';

export interface InferenceOptions {
  /** config inference.known_shares: share names that exist (lower the confidence of same-length admin shares) */
  readonly knownShares: readonly string[];
  /** config share_classes.admin */
  readonly extraAdminShares: readonly string[];
  /** encrypted sessions inferred at once; beyond, the oldest ends (its trees as idle_timeout) */
  readonly maxSessions: number;
  /** servers whose clear-text names are remembered */
  readonly maxServers: number;
}

export const DEFAULT_INFERENCE_OPTIONS: InferenceOptions = {
  knownShares: [],
  extraAdminShares: [],
  maxSessions: 20_000,
  maxServers: 20_000,
};

/** Plain counters (summary and metrics read them). */
export class InferenceCounters {
  /** encrypted sessions being inferred now */
  sessions = 0;
  sessionsEvicted = 0;
  serversEvicted = 0;
  /** requests dropped unanswered from a full per-session list */
  pendingEvicted = 0;
  /** trees ended early by the per-session bound */
  treesEvicted = 0;
  /** transform headers whose OriginalMessageSize does not fit the NBSS message (lying sizes) */
  sizeMismatch = 0;
  /** NBSS messages carrying more than one transform (chained, compound) */
  chained = 0;
  treesInferred = 0;
  /** inferred trees no known server name leaves room for a share name in (not emitted) */
  unresolved = 0;
}

class SessionCtx {
  constructor(
    readonly session: SessionState,
    readonly flow: Flow,
    readonly serverIp: string,
    readonly si: SessionInference,
  ) {}
}

function laterOf(aSec: number, aNsec: number, bSec: number, bNsec: number): Timestamp {
  return aSec > bSec || (aSec === bSec && aNsec > bNsec) ? { sec: aSec, nsec: aNsec } : { sec: bSec, nsec: bNsec };
}

/** The transform header's size (MS-SMB2 2.2.41). */
const TRANSFORM_HEADER = 52;

export class Inference implements InferenceOwner {
  readonly counters = new InferenceCounters();
  private readonly opts: InferenceOptions;
  private readonly emit: (rec: InferredTreeRecord) => void;
  private readonly sessions = new Map<SessionState, SessionCtx>();
  private readonly bySi = new Map<SessionInference, SessionCtx>();
  private readonly servers = new Map<string, ServerFacts>();

  constructor(emit: (rec: InferredTreeRecord) => void, opts: Partial<InferenceOptions> = {}) {
    this.emit = emit;
    this.opts = { ...DEFAULT_INFERENCE_OPTIONS, ...opts };
  }

  // ---- what the clear text said -------------------------------------------------------------

  noteServerName(serverIp: string, name: string | null, weight: number): void {
    if (name === null || name === '' || name.startsWith('*')) return;
    this.facts(serverIp).noteName(name, weight);
  }

  /** a plaintext TREE_CONNECT to this server: its server part and share name */
  notePlainTree(serverIp: string, path: string): void {
    const parts = splitUncPath(path);
    if (parts === null) return;
    const f = this.facts(serverIp);
    f.noteName(parts[0], PRIOR.plaintextPath);
    f.noteShare(parts[1]);
  }

  // ---- encrypted messages -------------------------------------------------------------------

  /**
   * One transform message: `nbssLength` is the NBSS message length (the transform header plus
   * the encrypted payload, which AES-CCM/GCM keeps at OriginalMessageSize bytes exactly).
   */
  onTransform(s: SessionState, flow: Flow, toServer: boolean, sec: number, nsec: number, size: number, nbssLength: number): void {
    const payload = nbssLength - TRANSFORM_HEADER;
    if (size === 0 || size > payload) {
      this.counters.sizeMismatch++;
      return;
    }
    const chained = size < payload;
    if (chained) this.counters.chained++;
    const ctx = this.sessions.get(s) ?? this.open(s, flow, sec, nsec);
    if (toServer) ctx.si.request(size, chained, sec, nsec);
    else ctx.si.response(size, chained, sec, nsec);
  }

  /** The session ended (tracker): its inferred trees end too. */
  endSession(s: SessionState, reason: EndReason, ts: Timestamp): void {
    const ctx = this.sessions.get(s);
    if (ctx === undefined) return;
    this.close(ctx, reason, ts.sec, ts.nsec);
  }

  // ---- InferenceOwner -----------------------------------------------------------------------

  treeConnected(si: SessionInference, tree: InferredTree): void {
    const ctx = this.bySi.get(si);
    if (ctx === undefined) return;
    const k = this.knowledge(ctx.serverIp);
    // update the server-name posterior unless no name would be left standing
    let any = false;
    for (const [name, w] of si.serverWeights) if (w * lengthLikelihood(tree.pathChars - 3 - name.length, k) > 0) any = true;
    if (!any) return;
    for (const [name, w] of si.serverWeights) si.serverWeights.set(name, w * lengthLikelihood(tree.pathChars - 3 - name.length, k));
  }

  treeEnded(si: SessionInference, tree: InferredTree, reason: EndReason, sec: number, nsec: number): void {
    const ctx = this.bySi.get(si);
    if (ctx === undefined) return;
    const choice = chooseLength(tree.pathChars, si.serverWeights);
    if (choice === null) {
      this.counters.unresolved++;
      return;
    }
    const k = this.knowledge(ctx.serverIp);
    const candidates = candidatesOfLength(choice.length, k);
    let admin = candidates.length > 0;
    for (const c of candidates) if (classifyShare(c, this.opts.extraAdminShares) !== 'admin') admin = false;
    this.counters.treesInferred++;
    this.emit({
      kind: 'inferred-tree',
      // stamped when decided (never before what was already written); start and end are exact
      ts: laterOf(si.nowSec, si.nowNsec, sec, nsec),
      startTs: { sec: tree.connectSec, nsec: tree.connectNsec },
      endTs: { sec, nsec },
      flow: ctx.flow,
      session: ctx.session.view(),
      reason,
      durationNs: Math.max(0, (sec - tree.connectSec) * 1e9 + (nsec - tree.connectNsec)),
      shareNameLength: choice.length,
      shareCandidates: candidates,
      shareClass: admin ? 'admin' : 'unknown',
      confidence: confidenceOf(tree.structure, choice, candidates, k),
      activity: {
        creates: tree.creates,
        reads: 0,
        writes: tree.writes,
        bytesRead: 0,
        bytesWritten: tree.bytesWritten,
        ioctls: 0,
      },
    });
  }

  evicted(what: 'pending' | 'trees'): void {
    if (what === 'pending') this.counters.pendingEvicted++;
    else this.counters.treesEvicted++;
  }

  // ---- internals ----------------------------------------------------------------------------

  private open(s: SessionState, flow: Flow, sec: number, nsec: number): SessionCtx {
    if (this.sessions.size >= this.opts.maxSessions) {
      const oldest = this.sessions.values().next().value as SessionCtx;
      this.counters.sessionsEvicted++;
      this.close(oldest, 'idle_timeout', sec, nsec);
    }
    const si = new SessionInference(this);
    const ip = flow.serverIp;
    // names compare case-insensitively (NetBIOS SWSRV and DNS swsrv are one name): the largest prior
    const add = (name: string, w: number): void => {
      const key = name.toLowerCase();
      si.serverWeights.set(key, Math.max(w, si.serverWeights.get(key) ?? 0));
    };
    if (ip.includes(':')) {
      add(ip, PRIOR.ipv6Literal);
      add(ip.replace(/:/g, '-') + '.ipv6-literal.net', PRIOR.ipv6Literal);
    } else add(ip, PRIOR.address);
    const f = this.servers.get(ip);
    if (f !== undefined) for (const [name, w] of f.names) add(name, w);
    // Kerberos: the ticket names the server as the client called it (cifs/dc1.corp.example)
    const svc = s.kerberosService;
    if (svc !== null) {
      const host = svc.slice(svc.indexOf('/') + 1).replace(/[@:].*$/, '');
      if (host !== '') {
        add(host, PRIOR.kerberos);
        const label = host.split('.')[0]!; // split yields at least one part
        if (label !== host) add(label, PRIOR.netbios);
      }
    }
    const ctx = new SessionCtx(s, flow, ip, si);
    this.sessions.set(s, ctx);
    this.bySi.set(si, ctx);
    this.counters.sessions++;
    return ctx;
  }

  private close(ctx: SessionCtx, reason: EndReason, sec: number, nsec: number): void {
    ctx.si.end(reason, sec, nsec);
    this.sessions.delete(ctx.session);
    this.bySi.delete(ctx.si);
    this.counters.sessions--;
  }

  private facts(ip: string): ServerFacts {
    let f = this.servers.get(ip);
    if (f === undefined) {
      if (this.servers.size >= this.opts.maxServers) {
        this.servers.delete(this.servers.keys().next().value as string);
        this.counters.serversEvicted++;
      }
      f = new ServerFacts();
      this.servers.set(ip, f);
    }
    return f;
  }

  private knowledge(ip: string): ShareKnowledge {
    const f = this.servers.get(ip);
    return { seen: f ? f.shares : [], known: this.opts.knownShares, extraAdmin: this.opts.extraAdminShares };
  }
}
