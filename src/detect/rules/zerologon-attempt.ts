/**
 * SW-0010 zerologon-attempt (CVE-2020-1472): ≥ count (5) netlogon NetrServerAuthenticate2/3 with
 * an all-zero client credential from one source within window (60 s), or a
 * NetrServerPasswordSet2 following any of them (the exploit resetting the DC's machine password).
 * Critical, T1210. One alert per burst: after the count is reached, further zero-credential
 * attempts of the same burst (each within window of the previous) are only counted; a password
 * set after them is a new candidate (it names what the attempts were for).
 */
import type { ZerologonConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord, Timestamp } from '../../shared/records';
import { durationNs } from '../../shared/records';
import { BoundedMap } from '../bounded-map';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { seconds } from '../describe';
import { actor, outcomeText, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1210 } from '../techniques';

const TECHNIQUES = [T1210];
const AUTH = new Set(['NetrServerAuthenticate2', 'NetrServerAuthenticate3']);

interface Source {
  /** zero-credential attempts in the window, oldest first */
  times: Timestamp[];
  /** the burst already alerted */
  fired: boolean;
  /** attempts in the current burst */
  total: number;
  first: Timestamp;
  last: Timestamp;
}

export class ZerologonAttempt implements Rule {
  readonly id = 'SW-0010';
  readonly name = 'zerologon-attempt';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;
  private readonly windowNs: number;
  readonly sources: BoundedMap<string, Source>;

  constructor(private readonly cfg: ZerologonConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
    this.windowNs = Math.round(cfg.window * 1e9);
    this.sources = new BoundedMap(cfg.maxSources);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'netlogon') return null;
    const auth = AUTH.has(rec.operation) && rec.args.zero_credential === true;
    const pwset = rec.operation === 'NetrServerPasswordSet2';
    if (!auth && !pwset) return null;
    const key = `${rec.flow.clientIp} ${rec.flow.serverIp}`;
    if (pwset) {
      if (!this.sources.has(key)) return null;
      const src = this.sources.touch(key, () => this.fresh(rec.ts));
      if (src.total === 0 || durationNs(src.last, rec.ts) > this.windowNs) return null;
      if (this.allowlist.matches(rec)) {
        this.allowlisted++;
        return null;
      }
      return this.candidate(rec, src, true);
    }
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const src = this.sources.touch(key, () => this.fresh(rec.ts));
    if (src.total > 0 && durationNs(src.last, rec.ts) > this.windowNs) Object.assign(src, this.fresh(rec.ts));
    src.total++;
    src.last = rec.ts;
    src.times.push(rec.ts);
    while (src.times.length > 0 && durationNs(src.times[0]!, rec.ts) > this.windowNs) src.times.shift();
    if (src.fired || src.times.length < this.cfg.count) return null;
    src.fired = true;
    src.times = [];
    return this.candidate(rec, src, false);
  }

  private fresh(ts: Timestamp): Source {
    return { times: [], fired: false, total: 0, first: ts, last: ts };
  }

  private candidate(rec: DcerpcCallRecord, src: Source, pwset: boolean): Candidate {
    const account = strArg(rec, 'account') ?? strArg(rec, 'computer');
    const span = seconds(durationNs(src.first, rec.ts));
    const message = pwset
      ? `${actor(rec)} set the machine password${account !== null ? ` of ${account}` : ''} on ${rec.flow.serverIp} with NetrServerPasswordSet2 after ${src.total} netlogon authentications with a zero credential in ${span} — Zerologon exploitation; the domain controller's account may now have an empty password${outcomeText(rec)}`
      : `${actor(rec)} tried ${src.total} netlogon authentications with an all-zero client credential against ${rec.flow.serverIp} in ${span}${account !== null ? ` as ${account}` : ''} — a Zerologon (CVE-2020-1472) attempt`;
    return { ts: rec.ts, ruleId: this.id, ruleName: this.name, severity: SEVERITY.critical, message, techniques: TECHNIQUES, about: rec, names: account !== null ? [account] : [] };
  }
}
