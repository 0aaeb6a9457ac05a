/**
 * SW-0002 admin-share-failure-burst: ≥ count (10) DISTINCT failed attempts from one source IP
 * within window (60 s), sliding. A failure is a failed TREE_CONNECT on an admin or hidden share,
 * or a failed logon (SESSION_SETUP failure). An attempt repeated on the same session, share and
 * status within `repeat` (1 s) of its previous occurrence counts once: Windows Explorer retrying
 * `\\host\C$` with DFS referrals sends 14 identical TREE_CONNECTs in 68 ms, one user action.
 * Failed logons count whatever the share they were meant for (password guessing against ADMIN$
 * fails at the logon, before any tree connect); `count_logons: false` restricts the rule to tree
 * connects. Failed ANONYMOUS logons (null sessions) do not count: no credential was tried, and
 * clients retry them in bursts as a matter of course (zeek/smb3_multichannel.pcap).
 * Techniques: T1021.002; + T1110 (Brute Force) only when failed logons are among the attempts;
 * + T1135 (Network Share Discovery) when every attempt was a tree connect refused with
 * STATUS_ACCESS_DENIED (only share access was denied). Severity medium; high when the attempts
 * went to ≥ 3 servers. The alert fires on the record that makes the count reach the threshold;
 * the source's window then starts empty, so a continuing burst fires again after another
 * `count` attempts and suppression folds those repeats.
 */
import type { FailureBurstConfig } from '../../shared/config';
import type { LifecycleRecord, Timestamp } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { Allowlist } from '../allowlist';
import { BoundedMap } from '../bounded-map';
import type { Candidate, Rule } from '../candidate';
import { plural, seconds, who } from '../describe';
import { SEVERITY, T1021_002, T1110, T1135 } from '../severity';

/** an attempt repeated within this many ns of its previous occurrence counts once */
const REPEAT_NS = 1e9;
/** servers that make the burst high */
const MANY_SERVERS = 3;

/** kinds of attempts, for the techniques */
const LOGON = 1;
const DENIED = 2;
const OTHER = 3;

/** the last `count` distinct attempts of one source, oldest first (a ring), + recent attempt keys */
class AttemptRing {
  readonly times: Timestamp[] = [];
  readonly kinds: number[] = [];
  readonly servers: string[] = [];
  head = 0;
  /** attempt key (session, share, status) → time of its last occurrence */
  readonly recent = new Map<string, Timestamp>();

  push(ts: Timestamp, kind: number, server: string, cap: number): void {
    if (this.times.length < cap) {
      this.times.push(ts);
      this.kinds.push(kind);
      this.servers.push(server);
    } else {
      this.times[this.head] = ts;
      this.kinds[this.head] = kind;
      this.servers[this.head] = server;
      this.head = (this.head + 1) % cap;
    }
  }

  /** Is this a repeat of an attempt seen within REPEAT_NS? Remembers it either way. */
  repeat(key: string, ts: Timestamp, cap: number): boolean {
    const last = this.recent.get(key);
    this.recent.delete(key);
    this.recent.set(key, ts);
    if (this.recent.size > cap) {
      // drop the oldest keys (insertion order = last occurrence order)
      for (const [k, t] of this.recent) {
        if (this.recent.size <= cap && durationNs(t, ts) < REPEAT_NS) break;
        this.recent.delete(k);
      }
    }
    return last !== undefined && durationNs(last, ts) < REPEAT_NS;
  }

  /** oldest kept attempt (called after a push: head < times.length) */
  oldest(): Timestamp {
    return this.times[this.head]!;
  }

  clear(): void {
    this.times.length = 0;
    this.kinds.length = 0;
    this.servers.length = 0;
    this.head = 0;
  }
}

export class AdminShareFailureBurst implements Rule {
  readonly id = 'SW-0002';
  readonly name = 'admin-share-failure-burst';
  allowlisted = 0;
  /** failures not counted: repeats of the same attempt within 1 s */
  repeatsIgnored = 0;
  private readonly windowNs: number;
  private readonly allowlist: Allowlist;
  readonly sources: BoundedMap<string, AttemptRing>;

  constructor(private readonly cfg: FailureBurstConfig) {
    this.windowNs = Math.round(cfg.window * 1e9);
    this.allowlist = new Allowlist(cfg.allowlist);
    this.sources = new BoundedMap(cfg.maxSources);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled) return null;
    let kind: number;
    let share = '';
    let status: string;
    if (rec.kind === 'tree-connect') {
      const c = rec.tree.shareClass;
      if (rec.tree.success || (c !== 'admin' && c !== 'hidden')) return null;
      kind = rec.tree.status === 'STATUS_ACCESS_DENIED' ? DENIED : OTHER;
      share = rec.tree.shareName.toLowerCase();
      status = rec.tree.status;
    } else if (rec.kind === 'session-setup') {
      if (rec.success || !this.cfg.countLogons || rec.auth === 'anonymous') return null;
      kind = LOGON;
      status = rec.status;
    } else {
      return null;
    }
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const n = this.cfg.count;
    const ring = this.sources.touch(rec.flow.clientIp, () => new AttemptRing());
    const key = `${rec.flow.serverIp}\u0000${rec.session.sessionId ?? ''}\u0000${share}\u0000${status}`;
    if (ring.repeat(key, rec.ts, 4 * n)) {
      this.repeatsIgnored++;
      return null;
    }
    ring.push(rec.ts, kind, rec.flow.serverIp, n);
    if (ring.times.length < n || durationNs(ring.oldest(), rec.ts) > this.windowNs) return null;
    let logons = 0;
    let denied = 0;
    for (const k of ring.kinds) {
      if (k === LOGON) logons++;
      else if (k === DENIED) denied++;
    }
    const servers = new Set(ring.servers).size;
    const spanNs = durationNs(ring.oldest(), rec.ts);
    ring.clear();
    const techniques = [T1021_002];
    if (logons > 0) techniques.push(T1110);
    else if (denied === n) techniques.push(T1135);
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: servers >= MANY_SERVERS ? Math.max(SEVERITY.high, SEVERITY[this.cfg.severity]) : SEVERITY[this.cfg.severity],
      message: this.sentence(rec, n - logons, logons, servers, spanNs),
      techniques,
      about: rec,
      names: [],
    };
  }

  private sentence(rec: LifecycleRecord, trees: number, logons: number, servers: number, spanNs: number): string {
    const parts: string[] = [];
    if (trees > 0) parts.push(`${plural(trees, 'failed tree connect')} to admin/hidden shares`);
    if (logons > 0) parts.push(plural(logons, 'failed logon'));
    let last: string;
    if (rec.kind === 'tree-connect') {
      last = `${who(rec.session)} on ${rec.tree.share} at ${rec.flow.serverIp}: ${rec.tree.status}`;
    } else if (rec.kind === 'session-setup') {
      last = `logon of ${who(rec.session)} at ${rec.flow.serverIp}: ${rec.status}`;
    } else {
      last = '';
    }
    const where = servers > 1 ? ` on ${servers} servers` : '';
    return `${parts.join(' and ')} (distinct attempts) from ${rec.flow.clientIp}${where} within ${seconds(spanNs)}; the last: ${last}`;
  }
}
