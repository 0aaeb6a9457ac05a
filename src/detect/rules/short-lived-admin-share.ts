/**
 * SW-0001 short-lived-admin-share: a successful tree on an admin share removed (TREE_DISCONNECT,
 * LOGOFF, connection close or reset) soon after it was connected: ≤ high s → high, ≤ medium s →
 * medium, ≤ low s → low. Escalation factors stack, +1 tier each, capped at critical (contract
 * version 2): the tree wrote files; it wrote an executable; the same session opened
 * svcctl/atsvc/winreg or made a service/task/registry call (SessionActivity). Sysinternals PsExec's
 * ADMIN$ tree (~11 s, PSEXESVC.exe written) is medium +2 = critical.
 * idle_timeout and capture_end are no removal and never alert.
 */
import type { ShortLivedAdminShareConfig, SeverityName } from '../../shared/config';
import type { EndReason, LifecycleRecord, TreeDisconnectRecord } from '../../shared/records';
import { Allowlist } from '../allowlist';
import type { Candidate, Rule } from '../candidate';
import { listSome, plural, seconds, sentenceStart, who } from '../describe';
import type { SessionActivity } from '../session-activity';
import { escalate, SEVERITY, T1021_002, T1070_005 } from '../severity';

const REMOVAL_VERB: Partial<Record<EndReason, string>> = {
  tree_disconnect: 'disconnected it',
  logoff: 'logged off',
  connection_close: 'closed the connection',
  connection_reset: 'reset the connection',
};

const TECHNIQUES = [T1070_005, T1021_002];

export class ShortLivedAdminShare implements Rule {
  readonly id = 'SW-0001';
  readonly name = 'short-lived-admin-share';
  allowlisted = 0;
  private readonly highNs: number;
  private readonly mediumNs: number;
  private readonly lowNs: number;
  private readonly allowlist: Allowlist;

  constructor(
    private readonly cfg: ShortLivedAdminShareConfig,
    private readonly activity: SessionActivity,
  ) {
    this.highNs = Math.round(cfg.thresholds.high * 1e9);
    this.mediumNs = Math.round(cfg.thresholds.medium * 1e9);
    this.lowNs = Math.round(cfg.thresholds.low * 1e9);
    this.allowlist = new Allowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'tree-disconnect') return null;
    const tree = rec.tree;
    if (!tree.success || tree.shareClass !== 'admin') return null;
    const verb = REMOVAL_VERB[rec.reason];
    if (verb === undefined) return null;
    const base = this.tierOf(rec.durationNs);
    if (base === null) return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const channels = this.activity.executionChannels(rec);
    let tier = base;
    if (this.cfg.escalate) {
      if (rec.wroteFiles) tier = escalate(tier);
      if (rec.wroteExecutable) tier = escalate(tier);
      if (channels.length > 0) tier = escalate(tier);
    }
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[tier],
      message: this.sentence(rec, verb, channels),
      techniques: TECHNIQUES,
      about: rec,
      names: rec.files,
    };
  }

  private tierOf(ns: number): SeverityName | null {
    if (ns <= this.highNs) return 'high';
    if (ns <= this.mediumNs) return 'medium';
    if (ns <= this.lowNs) return 'low';
    return null;
  }

  /** `alice@CORP from 10.0.0.5 mounted \\srv\C$ and disconnected it after 1.2 s, writing 2 files (a.exe, b.txt)` */
  private sentence(rec: TreeDisconnectRecord, verb: string, channels: readonly string[]): string {
    let s = `${sentenceStart(who(rec.session))} from ${rec.flow.clientIp} mounted ${rec.tree.share} on ${rec.flow.serverIp} and ${verb} after ${seconds(rec.durationNs)}`;
    if (rec.files.length > 0) {
      s += `, writing ${plural(rec.files.length, 'file')} (${listSome(rec.files, 3)})`;
    } else if (rec.wroteFiles || rec.wroteExecutable) {
      s += ', writing to it';
    }
    if (rec.wroteExecutable) s += ', including an executable';
    if (channels.length > 0) s += `, in a session that used ${channels.join(', ')}`;
    return s;
  }
}
