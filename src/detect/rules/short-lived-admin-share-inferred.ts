/**
 * SW-0015 short-lived-admin-share-inferred: SW-0001 on trees inferred inside SMB3-encrypted
 * sessions (contract: "Inference through SMB3 encryption"). An inferred tree whose candidates
 * include an admin share, at confidence ≥ inference.min_confidence, removed (TREE_DISCONNECT,
 * LOGOFF, connection close or reset) within SW-0001's thresholds: one tier lower than SW-0001's
 * base tier (high → medium, medium → low, low stays low), +1 tier when WRITE sizes show bytes
 * written. The pipes a session opened are invisible under encryption, so that factor cannot apply.
 */
import type { ShortLivedAdminShareConfig, ShortLivedInferredConfig, SeverityName } from '../../shared/config';
import type { EndReason, InferredTreeRecord, LifecycleRecord } from '../../shared/records';
import { classifyShare } from '../../shared/share-class';
import { Allowlist } from '../allowlist';
import type { Candidate, Rule } from '../candidate';
import { seconds, sentenceStart, who } from '../describe';
import { escalate, SEVERITY, T1021_002, T1070_005, TIERS } from '../severity';

const REMOVAL_VERB: Partial<Record<EndReason, string>> = {
  tree_disconnect: 'disconnected it',
  logoff: 'logged off',
  connection_close: 'closed the connection',
  connection_reset: 'reset the connection',
};

const TECHNIQUES = [T1070_005, T1021_002];

function lower(tier: SeverityName): SeverityName {
  return TIERS[Math.max(0, TIERS.indexOf(tier) - 1)]!;
}

export class ShortLivedAdminShareInferred implements Rule {
  readonly id = 'SW-0015';
  readonly name = 'short-lived-admin-share-inferred';
  allowlisted = 0;
  private readonly highNs: number;
  private readonly mediumNs: number;
  private readonly lowNs: number;
  private readonly allowlist: Allowlist;
  private readonly allowShares: ReadonlySet<string>;

  constructor(
    private readonly cfg: ShortLivedInferredConfig,
    tiers: ShortLivedAdminShareConfig,
    private readonly minConfidence: number,
    private readonly extraAdmin: readonly string[],
  ) {
    this.highNs = Math.round(tiers.thresholds.high * 1e9);
    this.mediumNs = Math.round(tiers.thresholds.medium * 1e9);
    this.lowNs = Math.round(tiers.thresholds.low * 1e9);
    this.allowlist = new Allowlist(cfg.allowlist);
    this.allowShares = new Set(cfg.allowlist.shares.map((s) => s.toLowerCase()));
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'inferred-tree') return null;
    if (rec.confidence < this.minConfidence) return null;
    const admin = this.adminCandidates(rec);
    if (admin.length === 0) return null;
    const verb = REMOVAL_VERB[rec.reason];
    if (verb === undefined) return null;
    const base = this.tierOf(rec.durationNs);
    if (base === null) return null;
    // allowlisted by address or user, or when every admin candidate is an allowlisted share
    if (this.allowlist.matches(rec) || admin.every((a) => this.allowShares.has(a.toLowerCase()))) {
      this.allowlisted++;
      return null;
    }
    const wrote = rec.activity.bytesWritten > 0;
    const tier = wrote ? escalate(lower(base)) : lower(base);
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[tier],
      message: this.sentence(rec, verb, admin),
      techniques: TECHNIQUES,
      about: rec,
      // an inferred tree names no file (its writes are sizes only)
      names: [],
    };
  }

  private adminCandidates(rec: InferredTreeRecord): string[] {
    return rec.shareCandidates.filter((c) => classifyShare(c, this.extraAdmin) === 'admin');
  }

  private tierOf(ns: number): SeverityName | null {
    if (ns <= this.highNs) return 'high';
    if (ns <= this.mediumNs) return 'medium';
    if (ns <= this.lowNs) return 'low';
    return null;
  }

  /** `alice@CORP from 10.0.0.5 mounted a share of 6 characters (ADMIN$) on 10.0.0.9 and logged off after 0.026 s, writing 4145 bytes — inferred from encrypted message sizes (confidence 0.91)` */
  private sentence(rec: InferredTreeRecord, verb: string, admin: readonly string[]): string {
    const names = rec.shareCandidates.length === admin.length ? admin.join(' or ') : `${admin.join(' or ')}, or ${rec.shareCandidates.length - admin.length} other`;
    let s = `${sentenceStart(who(rec.session))} from ${rec.flow.clientIp} mounted a share of ${rec.shareNameLength} characters (${names}) on ${rec.flow.serverIp} and ${verb} after ${seconds(rec.durationNs)}`;
    if (rec.activity.bytesWritten > 0) s += `, writing ${rec.activity.bytesWritten} bytes`;
    return `${s}; inferred from encrypted SMB3 message sizes (confidence ${rec.confidence})`;
  }
}
