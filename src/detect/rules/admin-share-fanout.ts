/**
 * SW-0003 admin-share-fanout: one source IP opens admin shares (successful TREE_CONNECT, class
 * admin) on ≥ servers (5) distinct server IPs within window (300 s), sliding. Fires on the tree
 * connect that reaches the count; the source's set then starts empty (repeats go to suppression).
 */
import type { FanoutConfig } from '../../shared/config';
import type { LifecycleRecord, Timestamp, TreeConnectRecord } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { Allowlist } from '../allowlist';
import { BoundedMap } from '../bounded-map';
import type { Candidate, Rule } from '../candidate';
import { listSome, seconds, who } from '../describe';
import { SEVERITY, T1021_002, T1570 } from '../severity';

const TECHNIQUES = [T1021_002, T1570];

export class AdminShareFanout implements Rule {
  readonly id = 'SW-0003';
  readonly name = 'admin-share-fanout';
  allowlisted = 0;
  private readonly windowNs: number;
  private readonly allowlist: Allowlist;
  /** source IP → server IP → last admin tree connect, oldest first */
  readonly sources: BoundedMap<string, Map<string, Timestamp>>;

  constructor(private readonly cfg: FanoutConfig) {
    this.windowNs = Math.round(cfg.window * 1e9);
    this.allowlist = new Allowlist(cfg.allowlist);
    this.sources = new BoundedMap(cfg.maxSources);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'tree-connect') return null;
    if (!rec.tree.success || rec.tree.shareClass !== 'admin') return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const servers = this.sources.touch(rec.flow.clientIp, () => new Map());
    // keep insertion order = time order: a server seen again moves to the back
    servers.delete(rec.flow.serverIp);
    servers.set(rec.flow.serverIp, rec.ts);
    for (const [ip, ts] of servers) {
      if (durationNs(ts, rec.ts) <= this.windowNs) break;
      servers.delete(ip);
    }
    if (servers.size < this.cfg.servers) return null;
    let first: Timestamp = rec.ts;
    for (const ts of servers.values()) {
      first = ts;
      break;
    }
    const list = [...servers.keys()];
    servers.clear();
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[this.cfg.severity],
      message: this.sentence(rec, list, durationNs(first, rec.ts)),
      techniques: TECHNIQUES,
      about: rec,
      names: [],
    };
  }

  private sentence(rec: TreeConnectRecord, servers: readonly string[], spanNs: number): string {
    return (
      `${rec.flow.clientIp} opened admin shares on ${servers.length} servers within ${seconds(spanNs)} ` +
      `(${listSome(servers, 8)}); the last: ${who(rec.session)} on ${rec.tree.share} at ${rec.flow.serverIp}`
    );
  }
}
