/**
 * SW-0007 remote-registry-write: winreg create/set/delete under a persistence or security key
 * (config `keys`: Run/RunOnce, Services, Winlogon, IFEO, LSA, policies), or BaseRegSaveKey(Ex)
 * of SAM/SECURITY/SYSTEM (config `save_keys`). High; critical for the hive save (T1003.002).
 * A sealed stub names no key: create/set/delete then never alert (nothing to compare), a sealed
 * SaveKey alerts high (which hive is unknown; saving hives remotely is itself rare and loud).
 */
import type { RegistryWriteConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord } from '../../shared/records';
import { CallAllowlist, globRegExp } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { actor, outcomeText, quoted, sealedText, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1003_002, T1112, T1547_001 } from '../techniques';

const WRITES = new Set(['BaseRegCreateKey', 'BaseRegSetValue', 'BaseRegDeleteKey', 'BaseRegDeleteKeyEx', 'BaseRegDeleteValue', 'BaseRegRestoreKey']);
const SAVES = new Set(['BaseRegSaveKey', 'BaseRegSaveKeyEx']);
const HIVES: Record<string, string> = {
  hkey_local_machine: 'hklm',
  hkey_users: 'hku',
  hkey_current_user: 'hkcu',
  hkey_classes_root: 'hkcr',
  hkey_current_config: 'hkcc',
};

/** `HKEY_LOCAL_MACHINE\Software\…\` → [`hklm`, `software`, …] */
function parts(key: string): string[] {
  const p = key.toLowerCase().split('\\').filter((x) => x !== '');
  // own keys only: a key from the wire named `constructor` or `__proto__` is no hive
  if (p.length > 0 && Object.hasOwn(HIVES, p[0]!)) p[0] = HIVES[p[0]!]!;
  // `HKLM\HKLM\SOFTWARE\…`: a hive named twice (the handle join of BaseRegSetValue on a key
  // opened by its full path does this today) is one hive; no real key has a subkey named HKLM
  while (p.length > 1 && p[1] === p[0] && /^hk/.test(p[0]!)) p.splice(1, 1);
  return p;
}

/** key prefix patterns: each part a glob over one path part */
class KeyList {
  private readonly patterns: RegExp[][];
  constructor(list: readonly string[]) {
    this.patterns = list.map((k) => parts(k).map(globRegExp));
  }
  /** the key lies at or below one of the listed keys */
  has(key: string): boolean {
    const p = parts(key);
    next: for (const pat of this.patterns) {
      if (p.length < pat.length) continue;
      for (let i = 0; i < pat.length; i++) if (!pat[i]!.test(p[i]!)) continue next;
      return true;
    }
    return false;
  }
}

const WRITE_TECHNIQUES = [T1112, T1547_001];
const SAVE_TECHNIQUES = [T1003_002, T1112];

const VERBS: Record<string, string> = {
  BaseRegCreateKey: 'created registry key',
  BaseRegSetValue: 'set a value under',
  BaseRegDeleteKey: 'deleted registry key',
  BaseRegDeleteKeyEx: 'deleted registry key',
  BaseRegDeleteValue: 'deleted a value under',
  BaseRegRestoreKey: 'restored a hive file into',
};

export class RemoteRegistryWrite implements Rule {
  readonly id = 'SW-0007';
  readonly name = 'remote-registry-write';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;
  private readonly keys: KeyList;
  private readonly saveKeys: KeyList;

  constructor(private readonly cfg: RegistryWriteConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
    this.keys = new KeyList(cfg.keys);
    this.saveKeys = new KeyList(cfg.saveKeys);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call' || rec.interfaceName !== 'winreg') return null;
    const save = SAVES.has(rec.operation);
    if (!save && !WRITES.has(rec.operation)) return null;
    const key = strArg(rec, 'key');
    let critical = false;
    if (save) {
      if (key !== null && !this.saveKeys.has(key)) return null;
      if (key === null && !rec.encrypted) return null;
      critical = key !== null;
    } else if (key === null || !this.keys.has(key)) {
      return null;
    }
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[critical ? 'critical' : 'high'],
      message: this.sentence(rec, save, key),
      techniques: save ? SAVE_TECHNIQUES : WRITE_TECHNIQUES,
      about: rec,
      names: key === null ? [] : [strArg(rec, 'value_name') !== null ? `${key}\\${strArg(rec, 'value_name')}` : key],
    };
  }

  private sentence(rec: DcerpcCallRecord, save: boolean, key: string | null): string {
    if (save) {
      const file = strArg(rec, 'file');
      return (
        `${actor(rec)} saved registry hive ${key ?? '(unknown)'} on ${rec.flow.serverIp}` +
        (file !== null ? ` to ${file}` : '') +
        (key !== null ? ' — offline credential extraction' : '') +
        sealedText(rec) +
        outcomeText(rec)
      );
    }
    let s = `${actor(rec)} ${VERBS[rec.operation]} ${key} on ${rec.flow.serverIp}`;
    const name = strArg(rec, 'value_name');
    const data = rec.args.value_data;
    if (name !== null) s += `: ${name}`;
    if (typeof data === 'string' && data !== '') s += ` = ${quoted(data)}`;
    else if (typeof data === 'number') s += ` = ${data}`;
    return s + outcomeText(rec);
  }
}
