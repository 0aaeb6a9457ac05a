/**
 * SW-0013 remote-wmi-execution: IWbemServices ExecMethod/ExecMethodAsync of
 * Win32_Process.Create over DCOM (wmiexec), either outcome. A sealed stub (wmiexec seals by
 * default) alerts too: the method is unknown then, the call is named as possibly Create. High;
 * critical under SW-0004's command conditions. T1047, T1021.003.
 */
import type { CallRuleConfig } from '../../shared/config';
import type { LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { commandRisk } from '../command';
import { isProcessCreate } from '../correlation/steps';
import { actor, outcomeText, quoted, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1021_003, T1047 } from '../techniques';

const TECHNIQUES = [T1047, T1021_003];

export class RemoteWmiExecution implements Rule {
  readonly id = 'SW-0013';
  readonly name = 'remote-wmi-execution';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;

  constructor(
    private readonly cfg: CallRuleConfig,
    private readonly wrote: (rec: LifecycleRecord, file: string) => boolean,
  ) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || !isProcessCreate(rec)) return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const cmd = strArg(rec, 'command');
    const risk = commandRisk(cmd, (f) => this.wrote(rec, f));
    let message = rec.encrypted
      ? `${actor(rec)} called WMI ${rec.operation} on ${rec.flow.serverIp} over an encrypted DCOM stub — as wmiexec's Win32_Process.Create does (method and command unknown)`
      : `${actor(rec)} started a process on ${rec.flow.serverIp} with WMI Win32_Process.Create`;
    if (cmd !== null) message += ` running ${quoted(cmd)}`;
    if (risk !== null) message += ` — it ${risk}`;
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[risk !== null ? 'critical' : 'high'],
      message: message + outcomeText(rec),
      techniques: TECHNIQUES,
      about: rec,
      names: cmd !== null ? [cmd] : [],
    };
  }
}
