/**
 * SW-0014 remote-printer-driver-install: spoolss RpcAddPrinterDriver(Ex) whose driver, data or
 * config file is a UNC path — PrintNightmare (CVE-2021-34527) loading a DLL from the attacker's
 * share into the spooler. Critical; T1210, T1547.012.
 */
import type { CallRuleConfig } from '../../shared/config';
import type { LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { actor, outcomeText, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1210, T1547_012 } from '../techniques';

const OPS = new Set(['RpcAddPrinterDriver', 'RpcAddPrinterDriverEx']);
const FILES = ['driver_path', 'data_file', 'config_file'];
const TECHNIQUES = [T1210, T1547_012];

export class RemotePrinterDriverInstall implements Rule {
  readonly id = 'SW-0014';
  readonly name = 'remote-printer-driver-install';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;

  constructor(private readonly cfg: CallRuleConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'spoolss' || !OPS.has(rec.operation)) return null;
    const unc: string[] = [];
    for (const k of FILES) {
      const v = strArg(rec, k);
      if (v !== null && /^\s*(\\\\|\/\/)/.test(v)) unc.push(v);
    }
    if (unc.length === 0) return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY.critical,
      message: `${actor(rec)} installed a printer driver on ${rec.flow.serverIp} with ${rec.operation} loading ${unc.join(', ')} from a remote share — PrintNightmare: the spooler runs that DLL as SYSTEM${outcomeText(rec)}`,
      techniques: TECHNIQUES,
      about: rec,
      names: unc,
    };
  }
}
