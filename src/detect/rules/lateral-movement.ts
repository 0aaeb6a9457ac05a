/**
 * SW-0012 lateral-movement: the chain of correlation/chains.ts established (two or more linked
 * steps from one source to one server within the window, one of them S, T or X). One alert when
 * it is established, about the step that established it, with the steps so far and the tool;
 * every later record of the chain (and alerts about it) carries the chain's id.
 *
 * Detection calls observe() before the record is written (so that the record can be stamped with
 * the id) and process() right after, which returns the alert of a chain observe() established.
 */
import type { LateralMovementConfig } from '../../shared/config';
import type { LateralMovement, LifecycleRecord, Technique } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { type Chain, Correlator } from '../correlation/chains';
import type { Step } from '../correlation/steps';
import { seconds, who } from '../describe';
import { SEVERITY, T1021_002, T1070_005, T1570 } from '../severity';
import * as T from '../techniques';

/** the union of the steps' techniques, in this order */
const ORDER: readonly Technique[] = [
  T1021_002,
  T1570,
  T.T1569_002,
  T.T1053_005,
  T.T1053_002,
  T.T1047,
  T.T1021_003,
  T.T1070_004,
  T1070_005,
];

export class LateralMovementRule implements Rule {
  readonly id = 'SW-0012';
  readonly name = 'lateral-movement';
  allowlisted = 0;
  readonly correlator: Correlator;
  private readonly allowlist: CallAllowlist;
  /** the chain observe() just established, for the record that established it */
  private due: { rec: LifecycleRecord; chain: Chain } | null = null;

  constructor(private readonly cfg: LateralMovementConfig) {
    this.correlator = new Correlator(cfg.window, cfg.maxPairs, cfg.maxSteps);
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  /** The chain id to stamp on `rec` (null: none). Remembers a chain `rec` establishes. */
  observe(rec: LifecycleRecord): string | null {
    if (!this.cfg.enabled) return null;
    const o = this.correlator.observe(rec, (s: Step) => {
      if (!this.allowlist.matches(s.rec, s.object)) return false;
      this.allowlisted++;
      return true;
    });
    if (o === null) return null;
    if (o.established) this.due = { rec, chain: o.chain };
    return o.chain.id;
  }

  process(rec: LifecycleRecord): Candidate | null {
    const due = this.due;
    if (due === null) return null;
    this.due = null;
    const chain = due.chain;
    const steps = chain.steps.slice(0, chain.established);
    const lm: LateralMovement = {
      id: chain.id,
      steps: steps.map((s) => ({ ts: s.ts, step: s.letter, summary: s.summary })),
      tool: chain.tool,
    };
    const ids = new Set(steps.flatMap((s) => s.techniques));
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY.critical,
      message: this.sentence(rec, steps, chain.tool),
      techniques: ORDER.filter((t) => ids.has(t.id)),
      about: rec,
      // a chain naming another service/task or file is not a repeat of this one
      names: [...new Set(steps.flatMap((s) => (s.object !== null ? [s.object, ...s.files] : s.files)))],
      lateralMovement: lm,
    };
  }

  /**
   * `192.168.10.31 (an unknown user of CONTOSO.LOCAL) moved laterally to 192.168.10.10: executable
   * written to \\dc1\ADMIN$ (PSEXESVC.exe), then service PSEXESVC created running
   * %SystemRoot%\PSEXESVC.exe 7.6 s later — psexec`
   */
  private sentence(rec: LifecycleRecord, steps: readonly Step[], tool: string | null): string {
    // an established chain has at least two steps
    let s = `${rec.flow.clientIp} (${who(steps[steps.length - 1]!.rec.session)}) moved laterally to ${rec.flow.serverIp}: ${steps[0]!.summary}`;
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i]!;
      s += `, then ${step.summary} ${seconds(durationNs(steps[i - 1]!.ts, step.ts))} later`;
    }
    return s + (tool !== null ? ` — ${tool}` : ' — tool not recognised');
  }
}
