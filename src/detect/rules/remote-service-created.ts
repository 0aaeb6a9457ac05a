/**
 * SW-0004 remote-service-created: svcctl RCreateService* (W, A, WOW64W, WOW64A) or
 * RChangeServiceConfigW/A, either outcome; a sealed stub alerts too (name and binary path
 * unknown). High; critical when the binary path runs a shell or script host, redirects output to
 * a share, or names a file the same source wrote to an admin share (command.ts).
 */
import type { CallRuleConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { commandRisk } from '../command';
import { actor, outcomeText, quoted, sealedText, strArg } from '../describe-call';
import { SEVERITY, T1021_002 } from '../severity';
import { T1543_003, T1569_002 } from '../techniques';

const OPS = new Set([
  'RCreateServiceW',
  'RCreateServiceA',
  'RCreateServiceWOW64W',
  'RCreateServiceWOW64A',
  'RChangeServiceConfigW',
  'RChangeServiceConfigA',
]);
const TECHNIQUES = [T1569_002, T1543_003, T1021_002];

export class RemoteServiceCreated implements Rule {
  readonly id = 'SW-0004';
  readonly name = 'remote-service-created';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;

  /** wrote(source, base name, rec): did the source write that file to an admin share lately */
  constructor(
    private readonly cfg: CallRuleConfig,
    private readonly wrote: (rec: LifecycleRecord, file: string) => boolean,
  ) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'svcctl' || !OPS.has(rec.operation)) return null;
    const name = strArg(rec, 'service_name');
    if (this.allowlist.matches(rec, name)) {
      this.allowlisted++;
      return null;
    }
    const bin = strArg(rec, 'binary_path');
    const risk = commandRisk(bin, (f) => this.wrote(rec, f));
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[risk !== null ? 'critical' : 'high'],
      message: this.sentence(rec, name, bin, risk),
      techniques: TECHNIQUES,
      about: rec,
      names: name !== null ? [name] : [],
    };
  }

  /** `10.0.0.5 (bob@CORP) created service BTOBTO on 10.0.0.9 running `…` (runs %COMSPEC% …)` */
  private sentence(rec: DcerpcCallRecord, name: string | null, bin: string | null, risk: string | null): string {
    const verb = rec.operation.startsWith('RChange') ? 'changed the configuration of' : 'created';
    let s = `${actor(rec)} ${verb} service ${name ?? '(name unknown)'} on ${rec.flow.serverIp}`;
    if (bin !== null) s += ` running ${quoted(bin)}`;
    if (risk !== null) s += ` — it ${risk}`;
    return s + sealedText(rec) + outcomeText(rec);
  }
}
