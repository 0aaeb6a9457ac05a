/**
 * SW-0011 remote-account-created: samr SamrCreateUser2InDomain/SamrCreateUserInDomain, or
 * SamrAddMemberToAlias/Group on an admin group (config `admin_groups`, by name or by the
 * well-known RID the alias/group handle was opened with). High; T1136.002 (Domain Account) for an
 * account created on a domain, T1136.001 (Local Account) when the server's own SAM is meant
 * (the call's `domain` argument is Builtin or the server's name), T1098 for group changes.
 */
import type { AccountCreatedConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { actor, outcomeText, sealedText, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1098, T1136_001, T1136_002 } from '../techniques';

const CREATE = new Set(['SamrCreateUser2InDomain', 'SamrCreateUserInDomain']);
const ADD = new Set(['SamrAddMemberToAlias', 'SamrAddMemberToGroup']);

/** well-known RIDs of admin groups (MS-SAMR 2.2.1.14 and MS-DTYP 2.4.2.4) */
const RIDS: Record<number, string> = {
  512: 'domain admins',
  518: 'schema admins',
  519: 'enterprise admins',
  544: 'administrators',
  548: 'account operators',
  549: 'server operators',
  551: 'backup operators',
  555: 'remote desktop users',
  580: 'remote management users',
};

export class RemoteAccountCreated implements Rule {
  readonly id = 'SW-0011';
  readonly name = 'remote-account-created';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;
  private readonly groups: ReadonlySet<string>;

  constructor(private readonly cfg: AccountCreatedConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
    this.groups = new Set(cfg.adminGroups.map((g) => g.toLowerCase()));
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'samr') return null;
    const create = CREATE.has(rec.operation);
    if (!create && !ADD.has(rec.operation)) return null;
    const group = create ? null : this.adminGroup(rec);
    if (!create && group === null) return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const account = strArg(rec, 'account');
    let message: string;
    let techniques;
    if (create) {
      const local = this.isLocal(rec);
      techniques = [local ? T1136_001 : T1136_002, T1098];
      message = `${actor(rec)} created ${local ? 'local ' : ''}account ${account ?? '(name unknown)'} on ${rec.flow.serverIp} over SAMR${sealedText(rec)}${outcomeText(rec)}`;
    } else {
      techniques = [T1098];
      const member = strArg(rec, 'member_sid') ?? (typeof rec.args.member_rid === 'number' ? `RID ${rec.args.member_rid}` : account);
      message = `${actor(rec)} added ${member ?? 'a member'} to ${group} on ${rec.flow.serverIp} over SAMR${outcomeText(rec)}`;
    }
    const name = create ? account : group;
    return { ts: rec.ts, ruleId: this.id, ruleName: this.name, severity: SEVERITY.high, message, techniques, about: rec, names: name !== null ? [name] : [] };
  }

  /** the admin group the call adds to (its name as configured), or null */
  private adminGroup(rec: DcerpcCallRecord): string | null {
    const rid = rec.args.group_rid;
    if (typeof rid === 'number' && RIDS[rid] !== undefined && this.groups.has(RIDS[rid])) return RIDS[rid];
    for (const k of ['group', 'alias', 'group_name']) {
      const g = strArg(rec, k);
      if (g !== null && this.groups.has(g.toLowerCase())) return g;
    }
    return null;
  }

  private isLocal(rec: DcerpcCallRecord): boolean {
    const d = strArg(rec, 'domain');
    return d !== null && d.toLowerCase() === 'builtin';
  }
}
