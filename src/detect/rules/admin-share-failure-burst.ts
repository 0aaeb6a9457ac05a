/**
 * SW-0002 admin-share-failure-burst: ≥ count (10) failures from one source IP within window
 * (60 s), sliding. A failure is a failed TREE_CONNECT on an admin or hidden share, or a failed
 * logon (SESSION_SETUP failure). A logon names no share, so the contract's "failed tree connects
 * or logons on admin/hidden shares" is read as: failed logons count whatever the share they were
 * meant for (password guessing against ADMIN$ fails at the logon, before any tree connect);
 * `count_logons: false` restricts the rule to tree connects. Failed ANONYMOUS logons (null
 * sessions) do not count: no credential was tried, and clients retry them in bursts as a matter
 * of course (zeek/smb3_multichannel.pcap: 10 refused null sessions in 0.4 s).
 * The alert fires on the record that makes the count reach the threshold; the source's window
 * then starts empty, so a continuing burst fires again after another `count` failures and those
 * repeats are folded by suppression into one summary.
 */
import type { FailureBurstConfig } from '../../shared/config';
import type { LifecycleRecord, Timestamp } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { Allowlist } from '../allowlist';
import { BoundedMap } from '../bounded-map';
import type { Candidate, Rule } from '../candidate';
import { plural, seconds, who } from '../describe';
import { SEVERITY, T1021_002, T1110 } from '../severity';

/** the last `count` failures of one source, oldest first (a ring) */
class FailureRing {
  readonly times: Timestamp[] = [];
  readonly logon: boolean[] = [];
  head = 0;

  push(ts: Timestamp, logon: boolean, cap: number): void {
    if (this.times.length < cap) {
      this.times.push(ts);
      this.logon.push(logon);
    } else {
      this.times[this.head] = ts;
      this.logon[this.head] = logon;
      this.head = (this.head + 1) % cap;
    }
  }

  /** oldest kept failure */
  oldest(): Timestamp {
    return this.times[this.head];
  }

  clear(): void {
    this.times.length = 0;
    this.logon.length = 0;
    this.head = 0;
  }
}

const TECHNIQUES = [T1021_002, T1110];

export class AdminShareFailureBurst implements Rule {
  readonly id = 'SW-0002';
  readonly name = 'admin-share-failure-burst';
  allowlisted = 0;
  private readonly windowNs: number;
  private readonly allowlist: Allowlist;
  readonly sources: BoundedMap<string, FailureRing>;

  constructor(private readonly cfg: FailureBurstConfig) {
    this.windowNs = Math.round(cfg.window * 1e9);
    this.allowlist = new Allowlist(cfg.allowlist);
    this.sources = new BoundedMap(cfg.maxSources);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled) return null;
    let logon: boolean;
    if (rec.kind === 'tree-connect') {
      const c = rec.tree.shareClass;
      if (rec.tree.success || (c !== 'admin' && c !== 'hidden')) return null;
      logon = false;
    } else if (rec.kind === 'session-setup') {
      if (rec.success || !this.cfg.countLogons || rec.auth === 'anonymous') return null;
      logon = true;
    } else {
      return null;
    }
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const n = this.cfg.count;
    const ring = this.sources.touch(rec.flow.clientIp, () => new FailureRing());
    ring.push(rec.ts, logon, n);
    if (ring.times.length < n || durationNs(ring.oldest(), rec.ts) > this.windowNs) return null;
    const logons = ring.logon.filter((l) => l).length;
    const spanNs = durationNs(ring.oldest(), rec.ts);
    ring.clear();
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[this.cfg.severity],
      message: this.sentence(rec, n - logons, logons, spanNs),
      techniques: TECHNIQUES,
      about: rec,
    };
  }

  private sentence(rec: LifecycleRecord, trees: number, logons: number, spanNs: number): string {
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
    return `${parts.join(' and ')} from ${rec.flow.clientIp} within ${seconds(spanNs)}; the last: ${last}`;
  }
}
