/**
 * The allowlist of the DCE/RPC rules: the common lists (allowlist.ts) plus service/task name
 * patterns (`*` any run, `?` one character, case-insensitive), which include the service names of
 * the admin tools named in `admin_tools` (config.ts ADMIN_TOOL_SERVICES).
 */
import type { CallAllowlistConfig } from '../shared/config';
import type { LifecycleRecord } from '../shared/records';
import { Allowlist } from './allowlist';

/** `PDQDeployRunner*` → /^PDQDeployRunner.*$/i */
export function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export class CallAllowlist {
  private readonly common: Allowlist;
  private readonly services: readonly RegExp[];

  constructor(cfg: CallAllowlistConfig) {
    this.common = new Allowlist(cfg);
    this.services = cfg.services.map(globRegExp);
  }

  /** the record (its flow, user, share) or the object it names (service/task) is exempt */
  matches(rec: LifecycleRecord, objectName: string | null = null): boolean {
    if (this.common.matches(rec)) return true;
    if (objectName === null || objectName === '' || this.services.length === 0) return false;
    // a task path `\Microsoft\Foo` is matched by its last part as well as whole
    const i = objectName.lastIndexOf('\\');
    const last = i === -1 ? objectName : objectName.slice(i + 1);
    for (const re of this.services) if (re.test(objectName) || re.test(last)) return true;
    return false;
  }
}
