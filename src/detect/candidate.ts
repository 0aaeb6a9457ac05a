/** What a rule decides before suppression: an alert that may still be folded into a summary. */
import type { LateralMovement, LifecycleRecord, Technique, Timestamp } from '../shared/records';

export interface Candidate {
  readonly ts: Timestamp;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: number;
  readonly message: string;
  readonly techniques: readonly Technique[];
  /** the deciding record */
  readonly about: LifecycleRecord;
  /** SW-0012: the chain (id, steps, tool) */
  readonly lateralMovement?: LateralMovement;
  /**
   * the files / services / tasks the alert names: a repeat naming one not yet seen in its
   * suppression window is emitted, and summaries list the union of them
   */
  readonly names: readonly string[];
}

/** A rule: looks at every lifecycle record, returns an alert candidate or null. */
export interface Rule {
  readonly id: string;
  readonly name: string;
  process(rec: LifecycleRecord): Candidate | null;
}
