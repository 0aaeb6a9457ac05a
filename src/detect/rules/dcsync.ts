/**
 * SW-0009 dcsync: drsuapi DRSGetNCChanges (directory replication: every password hash) from a
 * source that is not an allowlisted domain controller (config `domain_controllers`). Critical,
 * T1003.006. Replication stubs are normally sealed; the operation is known by its opnum.
 */
import type { DcsyncConfig } from '../../shared/config';
import type { LifecycleRecord } from '../../shared/records';
import { IpSet } from '../../shared/ip';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { actor, outcomeText } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1003_006 } from '../techniques';

const TECHNIQUES = [T1003_006];

export class Dcsync implements Rule {
  readonly id = 'SW-0009';
  readonly name = 'dcsync';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;
  private readonly dcs: IpSet;

  constructor(private readonly cfg: DcsyncConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
    this.dcs = new IpSet(cfg.domainControllers);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'drsuapi' || rec.operation !== 'DRSGetNCChanges') return null;
    if (this.dcs.has(rec.flow.clientIp) || this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY.critical,
      message: `${actor(rec)}, not a listed domain controller, asked ${rec.flow.serverIp} to replicate directory changes (DRSGetNCChanges) — DCSync pulls account password hashes${outcomeText(rec)}`,
      techniques: TECHNIQUES,
      about: rec,
      names: [],
    };
  }
}
