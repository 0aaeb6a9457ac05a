/**
 * SW-0001 short-lived-admin-share: a successful tree on an admin share removed (TREE_DISCONNECT,
 * LOGOFF, connection close or reset) soon after it was connected: ≤ high s → high, ≤ medium s →
 * medium, ≤ low s → low. One escalation (+1 tier, low→medium→high→critical) when ANY of: the tree
 * wrote files, it wrote an executable, the session opened svcctl/atsvc/winreg. The reasons do not
 * stack: "+1 tier when …" is one condition with three ways to meet it, so the worst case of a
 * ≤ 30 s tree is high and only a ≤ 5 s tree can become critical.
 * idle_timeout and capture_end are no removal and never alert.
 */
import type { ShortLivedAdminShareConfig, SeverityName } from '../../shared/config';
import type { EndReason, LifecycleRecord, TreeDisconnectRecord } from '../../shared/records';
import { Allowlist } from '../allowlist';
import type { Candidate, Rule } from '../candidate';
import { listSome, plural, seconds, sentenceStart, who } from '../describe';
import { escalate, SEVERITY, T1021_002, T1070_005 } from '../severity';

const REMOVAL_VERB: Partial<Record<EndReason, string>> = {
  tree_disconnect: 'disconnected it',
  logoff: 'logged off',
  connection_close: 'closed the connection',
  connection_reset: 'reset the connection',
};

/** service control, task scheduler, remote registry: remote execution and persistence */
const EXECUTION_PIPES = ['svcctl', 'atsvc', 'winreg'];

/** `\PIPE\svcctl`, `svcctl` → `svcctl` */
function pipeBase(p: string): string {
  const i = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'));
  return (i === -1 ? p : p.slice(i + 1)).toLowerCase();
}

const TECHNIQUES = [T1070_005, T1021_002];

export class ShortLivedAdminShare implements Rule {
  readonly id = 'SW-0001';
  readonly name = 'short-lived-admin-share';
  allowlisted = 0;
  private readonly highNs: number;
  private readonly mediumNs: number;
  private readonly lowNs: number;
  private readonly allowlist: Allowlist;

  constructor(private readonly cfg: ShortLivedAdminShareConfig) {
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
    const pipes = this.executionPipes(rec);
    const raise = this.cfg.escalate && (rec.wroteFiles || rec.wroteExecutable || pipes.length > 0);
    const tier = raise ? escalate(base) : base;
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[tier],
      message: this.sentence(rec, verb, pipes),
      techniques: TECHNIQUES,
      about: rec,
    };
  }

  private tierOf(ns: number): SeverityName | null {
    if (ns <= this.highNs) return 'high';
    if (ns <= this.mediumNs) return 'medium';
    if (ns <= this.lowNs) return 'low';
    return null;
  }

  private executionPipes(rec: TreeDisconnectRecord): string[] {
    const out: string[] = [];
    for (const p of rec.session.pipes) {
      const b = pipeBase(p);
      if (EXECUTION_PIPES.includes(b) && !out.includes(b)) out.push(b);
    }
    return out;
  }

  /** `alice@CORP from 10.0.0.5 mounted \\srv\C$ and disconnected it after 1.2 s, writing 2 files (a.exe, b.txt)` */
  private sentence(rec: TreeDisconnectRecord, verb: string, pipes: readonly string[]): string {
    let s = `${sentenceStart(who(rec.session))} from ${rec.flow.clientIp} mounted ${rec.tree.share} on ${rec.flow.serverIp} and ${verb} after ${seconds(rec.durationNs)}`;
    if (rec.files.length > 0) {
      s += `, writing ${plural(rec.files.length, 'file')} (${listSome(rec.files, 3)})`;
    } else if (rec.wroteFiles || rec.wroteExecutable) {
      s += ', writing to it';
    }
    if (rec.wroteExecutable) s += ', including an executable';
    if (pipes.length > 0) s += `, in a session that opened ${pipes.join(', ')}`;
    return s;
  }
}
