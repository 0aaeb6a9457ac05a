/**
 * SW-0008 authentication-coercion: an MS-EFSR EfsRpc* call (efsrpc over \pipe\efsrpc, or the same
 * operations over \pipe\lsarpc: PetitPotam), spoolss RpcRemoteFindFirstPrinterChangeNotification(Ex)
 * (PrinterBug) or dfsnm NetrDfsAddStdRoot/NetrDfsRemoveStdRoot (DFSCoerce) whose `path` names a
 * host other than the server: the server is made to authenticate to it. High, T1187. A sealed
 * stub (path unknown) alerts too for the EFSR calls, which have no business being remote.
 */
import type { CallRuleConfig } from '../../shared/config';
import type { DcerpcCallRecord, LifecycleRecord } from '../../shared/records';
import { CallAllowlist } from '../call-allowlist';
import type { Candidate, Rule } from '../candidate';
import { actor, outcomeText, sealedText, strArg } from '../describe-call';
import { SEVERITY } from '../severity';
import { T1187 } from '../techniques';

const SPOOLSS = new Set(['RpcRemoteFindFirstPrinterChangeNotification', 'RpcRemoteFindFirstPrinterChangeNotificationEx']);
const DFSNM = new Set(['NetrDfsAddStdRoot', 'NetrDfsRemoveStdRoot']);
const TECHNIQUES = [T1187];

/** `\\10.0.0.5\share\x`, `\\attacker@80/x` → `10.0.0.5`, `attacker@80`; null for a local path */
export function uncHost(path: string): string | null {
  const m = /^\s*(?:\\\\|\/\/)([^\\/]+)/.exec(path);
  return m === null ? null : m[1]!;
}

function isEfs(rec: DcerpcCallRecord): boolean {
  return (rec.interfaceName === 'efsrpc' || rec.interfaceName === 'efsrpc2' || rec.interfaceName === 'lsarpc') && rec.operation.startsWith('Efs');
}

export class AuthenticationCoercion implements Rule {
  readonly id = 'SW-0008';
  readonly name = 'authentication-coercion';
  allowlisted = 0;
  private readonly allowlist: CallAllowlist;

  constructor(private readonly cfg: CallRuleConfig) {
    this.allowlist = new CallAllowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'dcerpc-call') return null;
    const efs = isEfs(rec);
    const what = efs
      ? 'MS-EFSR (PetitPotam)'
      : rec.interfaceName === 'spoolss' && SPOOLSS.has(rec.operation)
        ? 'the print spooler (PrinterBug)'
        : rec.interfaceName === 'dfsnm' && DFSNM.has(rec.operation)
          ? 'MS-DFSNM (DFSCoerce)'
          : null;
    if (what === null) return null;
    const path = strArg(rec, 'path');
    let host: string | null = null;
    if (path !== null) {
      host = uncHost(path);
      if (host === null || this.isServer(rec, host)) return null;
    } else if (!(rec.encrypted && efs)) {
      return null;
    }
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    const target = host !== null ? `${host} (${path})` : 'a host the encrypted stub hides';
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY.high,
      message: `${actor(rec)} called ${rec.operation} of ${what} on ${rec.flow.serverIp}, asking it to reach ${target} — the server's machine account would authenticate there (relay or coercion)${sealedText(rec)}${outcomeText(rec)}`,
      techniques: TECHNIQUES,
      about: rec,
      names: path !== null ? [path] : [],
    };
  }

  private isServer(rec: DcerpcCallRecord, host: string): boolean {
    const h = host.toLowerCase().replace(/@.*$/, '');
    return h === rec.flow.serverIp.toLowerCase() || h === 'localhost' || h === '127.0.0.1' || h === '::1' || h === '.';
  }
}
