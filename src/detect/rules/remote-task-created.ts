/**
 * SW-0005 remote-task-created: atsvc NetrJobAdd or ITaskSchedulerService SchRpcRegisterTask,
 * either outcome, sealed stubs too. High; critical under SW-0004's command conditions.
 * T1053.002 (At) for atsvc, T1053.005 (Scheduled Task) for the task scheduler; T1021.002.
 */
import type { CallRuleConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { commandRisk } from '../command';
import { actor, outcomeText, quoted, sealedText, strArg } from '../describe-call';
import { SEVERITY, T1021_002 } from '../severity';
import { T1053_002, T1053_005 } from '../techniques';

const AT = [T1053_002, T1021_002];
const TASK = [T1053_005, T1021_002];

export class RemoteTaskCreated implements Rule {
  readonly id = 'SW-0005';
  readonly name = 'remote-task-created';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;

  constructor(
    private readonly cfg: CallRuleConfig,
    private readonly wrote: (rec: LifecycleRecord, file: string) => boolean,
  ) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call') return null;
    const at = rec.interfaceName === 'atsvc' && rec.operation === 'NetrJobAdd';
    const task = rec.interfaceName === 'ITaskSchedulerService' && rec.operation === 'SchRpcRegisterTask';
    if (!at && !task) return null;
    const path = strArg(rec, 'task_path');
    if (this.allowlist.matches(rec, path)) {
      this.allowlisted++;
      return null;
    }
    const cmd = strArg(rec, 'command');
    const args = strArg(rec, 'arguments');
    const line = cmd !== null && args !== null ? `${cmd} ${args}` : (cmd ?? args);
    const risk = commandRisk(line, (f) => this.wrote(rec, f));
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[risk !== null ? 'critical' : 'high'],
      message: this.sentence(rec, at, path, line, risk),
      techniques: at ? AT : TASK,
      about: rec,
      names: path !== null ? [path] : line !== null ? [line] : [],
    };
  }

  private sentence(rec: DcerpcCallRecord, at: boolean, path: string | null, line: string | null, risk: string | null): string {
    let s = at
      ? `${actor(rec)} scheduled an at job on ${rec.flow.serverIp}`
      : `${actor(rec)} registered scheduled task ${path ?? '(name unknown)'} on ${rec.flow.serverIp}`;
    if (line !== null) s += ` running ${quoted(line)}`;
    const runAs = strArg(rec, 'run_as');
    if (runAs !== null) s += ` as ${runAs}`;
    if (risk !== null) s += ` — it ${risk}`;
    return s + sealedText(rec) + outcomeText(rec);
  }
}
