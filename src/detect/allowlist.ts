/**
 * A rule's allowlist. A record is allowlisted when ANY list matches it (each list is a separate
 * exemption: a backup server's address, a service account, a share):
 * - sources / destinations: the client / server IP lies in one of the CIDR blocks;
 * - users: `alice` matches alice in any domain, `CORP\alice` or `alice@CORP` only in domain CORP
 *   (compared with the session's domain and its Kerberos realm), case-insensitive;
 * - machine_accounts: the user name ends in `$`;
 * - shares: `C$` matches the share name, `\\host\C$` (or `//host/C$`) the whole UNC path,
 *   case-insensitive; records without a tree (logons) never match a share entry.
 */
import type { AllowlistConfig } from '../shared/config';
import type { LifecycleRecord } from '../shared/records';
import { IpSet } from '../shared/ip';

interface UserEntry {
  readonly user: string;
  /** null: any domain */
  readonly domain: string | null;
}

function parseUser(entry: string): UserEntry {
  const e = entry.toLowerCase();
  const bs = e.indexOf('\\');
  if (bs !== -1) return { domain: e.slice(0, bs), user: e.slice(bs + 1) };
  const at = e.lastIndexOf('@');
  if (at > 0) return { user: e.slice(0, at), domain: e.slice(at + 1) };
  return { user: e, domain: null };
}

/** `//HOST/C$/` → `\\host\c$` */
function normUnc(p: string): string {
  return p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
}

export class Allowlist {
  private readonly sources: IpSet;
  private readonly destinations: IpSet;
  private readonly users: readonly UserEntry[];
  private readonly machineAccounts: boolean;
  private readonly shareNames: ReadonlySet<string>;
  private readonly uncPaths: ReadonlySet<string>;
  /** nothing configured: skip every check */
  readonly empty: boolean;

  constructor(cfg: AllowlistConfig) {
    this.sources = new IpSet(cfg.sources);
    this.destinations = new IpSet(cfg.destinations);
    this.users = cfg.users.map(parseUser);
    this.machineAccounts = cfg.machineAccounts;
    const names = new Set<string>();
    const paths = new Set<string>();
    for (const s of cfg.shares) {
      if (/[\\/]/.test(s.replace(/[\\/]+$/, ''))) paths.add(normUnc(s));
      else names.add(s.replace(/[\\/]+$/, '').toLowerCase());
    }
    this.shareNames = names;
    this.uncPaths = paths;
    this.empty =
      this.sources.size === 0 &&
      this.destinations.size === 0 &&
      this.users.length === 0 &&
      !this.machineAccounts &&
      names.size === 0 &&
      paths.size === 0;
  }

  matches(rec: LifecycleRecord): boolean {
    if (this.empty) return false;
    if (this.sources.has(rec.flow.clientIp)) return true;
    if (this.destinations.has(rec.flow.serverIp)) return true;
    const user = rec.session.user;
    if (user !== null && user !== '') {
      if (this.machineAccounts && user.endsWith('$')) return true;
      if (this.users.length > 0 && this.userListed(user.toLowerCase(), rec)) return true;
    }
    if ((rec.kind === 'tree-connect' || rec.kind === 'tree-disconnect') && (this.shareNames.size > 0 || this.uncPaths.size > 0)) {
      if (this.shareNames.has(rec.tree.shareName.toLowerCase())) return true;
      if (this.uncPaths.has(normUnc(rec.tree.share))) return true;
    }
    return false;
  }

  private userListed(user: string, rec: LifecycleRecord): boolean {
    const domain = rec.session.domain?.toLowerCase() ?? null;
    const realm = rec.session.kerberosRealm?.toLowerCase() ?? null;
    for (const u of this.users) {
      if (u.user !== user) continue;
      if (u.domain === null || u.domain === domain || u.domain === realm) return true;
    }
    return false;
  }
}
