/**
 * Detection: lifecycle records in, alerts out through the `emit` callback, synchronously, the
 * moment the deciding record is processed. All time is capture time from the records (and from
 * onTime/finish), never the wall clock, so a replay always yields the same alerts.
 *
 * Order per record: expired suppression windows close first (their summaries come out before
 * anything the record decides), the session's service/task activity is noted, then the rules run
 * in a fixed order: SW-0001, SW-0002, SW-0003, SW-0006, SW-0015, then the DCE/RPC rules and the
 * lateral-movement chain (lateral-rules.ts). stamp() runs first, before the record is written: it
 * feeds the chain and returns the record with the chain's id.
 */
import type { Config } from '../shared/config';
import type { AlertRecord, LifecycleRecord, Timestamp } from '../shared/records';
import type { Rule } from './candidate';
import { ShortLivedAdminShare } from './rules/short-lived-admin-share';
import { AdminShareFailureBurst } from './rules/admin-share-failure-burst';
import { AdminShareFanout } from './rules/admin-share-fanout';
import { ShortLivedAdminShareInferred } from './rules/short-lived-admin-share-inferred';
import { ExecutableWrittenToAdminShare } from './rules/executable-written-to-admin-share';
import { SessionActivity } from './session-activity';
import { Suppressor } from './suppression';
import { lateralRules, type LateralRules } from './lateral-rules';

export interface DetectorOptions {
  /** live capture: summaries of folded repeats at most every suppression.summary_interval */
  readonly live?: boolean;
}

export interface DetectorOptions {
  /** live capture: summaries of folded repeats at most every suppression.summary_interval */
  readonly live?: boolean;
}

/** Plain counters (metrics and the summary read them). */
export interface DetectorCounters {
  readonly records: number;
  /** alerts emitted: first alerts + summaries */
  readonly alerts: number;
  /** repeats counted into a summary instead of emitted */
  readonly suppressed: number;
  /** repeats emitted inside a suppression window: more severe, or naming a new file/service */
  readonly repeatsEmitted: number;
  /** SW-0002: failures not counted, being repeats of the same attempt within 1 s */
  readonly burstRepeatsIgnored: number;
  readonly summaries: number;
  /** records a rule would have alerted on / counted, skipped by its allowlist, by rule name */
  readonly allowlisted: ReadonlyMap<string, number>;
  /** per-source rule state evicted by max_sources */
  readonly burstSourcesEvicted: number;
  readonly fanoutSourcesEvicted: number;
  /** suppression windows closed early by max_keys */
  readonly suppressionKeysEvicted: number;
  readonly suppressionWindowsOpen: number;
  /** lateral-movement: source/server pairs evicted by max_pairs, steps dropped by max_steps, chains */
  readonly chainPairsEvicted: number;
  readonly chainStepsDropped: number;
  readonly chainsEstablished: number;
  readonly zerologonSourcesEvicted: number;
}

export class Detector {
  private readonly shortLived: ShortLivedAdminShare;
  private readonly burst: AdminShareFailureBurst;
  private readonly fanout: AdminShareFanout;
  private readonly inferred: ShortLivedAdminShareInferred;
  private readonly lateral: LateralRules;
  private readonly executable: ExecutableWrittenToAdminShare;
  private readonly activity: SessionActivity;
  private readonly rules: readonly Rule[];
  private readonly suppressor: Suppressor;
  private records = 0;
  private alerts = 0;

  constructor(config: Config, emit: (alert: AlertRecord) => void, opts: DetectorOptions = {}) {
    this.activity = new SessionActivity(config.tracker.maxSessions);
    this.shortLived = new ShortLivedAdminShare(config.rules.shortLivedAdminShare, this.activity);
    this.burst = new AdminShareFailureBurst(config.rules.adminShareFailureBurst);
    this.fanout = new AdminShareFanout(config.rules.adminShareFanout);
    this.inferred = new ShortLivedAdminShareInferred(
      config.rules.shortLivedAdminShareInferred,
      config.rules.shortLivedAdminShare,
      config.inference.minConfidence,
      config.shareClasses.admin,
    );
    this.executable = new ExecutableWrittenToAdminShare(config.rules.executableWrittenToAdminShare);
    this.lateral = lateralRules(config);
    this.rules = [this.shortLived, this.burst, this.fanout, this.executable, this.inferred, ...this.lateral.rules];
    const sup = config.suppression;
    this.suppressor = new Suppressor(
      { window: sup.window, maxKeys: sup.maxKeys, summaryInterval: sup.summaryInterval, periodic: opts.live === true },
      (a) => {
        this.alerts++;
        emit(a);
      },
    );
  }

  process(rec: LifecycleRecord): void {
    this.records++;
    this.suppressor.closeExpired(rec.ts);
    this.activity.note(rec);
    for (let i = 0; i < this.rules.length; i++) {
      const c = this.rules[i]!.process(rec);
      if (c !== null) this.suppressor.offer(c);
    }
  }

  /**
   * Before the record is written: feeds the lateral-movement chain; a record that is a step of an
   * established chain comes back as a copy carrying the chain's id (lateral_movement.id).
   */
  stamp(rec: LifecycleRecord): LifecycleRecord {
    const id = this.lateral.chain.observe(rec);
    return id === null ? rec : { ...rec, lateralMovementId: id };
  }

  /** Capture time moved on (called per packet): closes expired suppression windows. */
  onTime(ts: Timestamp): void {
    this.suppressor.closeExpired(ts);
  }

  /** onTime without a Timestamp object (the per-packet call): one is made only if a window closes. */
  onTimeAt(sec: number, nsec: number): void {
    if (this.suppressor.expiresBy(sec, nsec)) this.suppressor.closeExpired({ sec, nsec });
  }

  /** Capture end: every open suppression window closes, summaries are flushed. */
  finish(ts: Timestamp): void {
    this.suppressor.closeAll(ts);
  }

  get counters(): DetectorCounters {
    const s = this.suppressor;
    return {
      records: this.records,
      alerts: this.alerts,
      suppressed: s.suppressed,
      repeatsEmitted: s.escalated,
      burstRepeatsIgnored: this.burst.repeatsIgnored,
      summaries: s.summaries,
      allowlisted: new Map([
        [this.shortLived.name, this.shortLived.allowlisted],
        [this.burst.name, this.burst.allowlisted],
        [this.fanout.name, this.fanout.allowlisted],
        [this.executable.name, this.executable.allowlisted],
        [this.inferred.name, this.inferred.allowlisted],
        ...this.lateral.rules.map((r): [string, number] => [r.name, r.allowlisted]),
      ]),
      burstSourcesEvicted: this.burst.sources.evicted,
      fanoutSourcesEvicted: this.fanout.sources.evicted,
      suppressionKeysEvicted: s.evicted,
      suppressionWindowsOpen: s.openWindows,
      chainPairsEvicted: this.lateral.chain.correlator.pairs.evicted,
      chainStepsDropped: this.lateral.chain.correlator.stepsDropped,
      chainsEstablished: this.lateral.chain.correlator.chainsEstablished,
      zerologonSourcesEvicted: this.lateral.zerologon.sources.evicted,
    };
  }
}
