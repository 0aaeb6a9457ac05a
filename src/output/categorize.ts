/**
 * ECS categorization and the per-record values both serializers write (contract: Events):
 * event.category / event.type (ECS allowed values, from ECS's categorization tables — the README's
 * event table lists them), event.dataset, network.protocol, related.*.
 *
 * | event.action          | event.category              | event.type                 |
 * | smb-session-setup     | authentication, session     | start                      |
 * | smb-session-end       | session                     | end                        |
 * | smb-tree-connect      | network                     | access + allowed / denied  |
 * | smb-tree-disconnect   | network                     | end                        |
 * | smb-encrypted-session | network, session            | end                        |
 * | smb-inferred-tree     | network                     | end                        |
 * | dcerpc-call           | network                     | protocol                   |
 * | alerts (rule names)   | intrusion_detection, network| info                       |
 */
import type { LifecycleRecord, OutputRecord } from '../shared/records';
import { ipBytes } from './community-id';
import { DCERPC_DATASET } from './dcerpc-fields';

export const ECS_VERSION = '9.4.0';
export const DATASET_SMB = 'sharewatch.smb';
export const DATASET_DCERPC = DCERPC_DATASET;

const AUTH_SESSION = Object.freeze(['authentication', 'session']);
const SESSION = Object.freeze(['session']);
const NETWORK = Object.freeze(['network']);
const NETWORK_SESSION = Object.freeze(['network', 'session']);
const INTRUSION = Object.freeze(['intrusion_detection', 'network']);
const START = Object.freeze(['start']);
const END = Object.freeze(['end']);
const ALLOWED = Object.freeze(['access', 'allowed']);
const DENIED = Object.freeze(['access', 'denied']);
const PROTOCOL = Object.freeze(['protocol']);
const INFO = Object.freeze(['info']);

export function categoryOf(rec: OutputRecord): readonly string[] {
  switch (rec.kind) {
    case 'session-setup':
      return AUTH_SESSION;
    case 'session-end':
      return SESSION;
    case 'encrypted-session':
      return NETWORK_SESSION;
    case 'alert':
      return INTRUSION;
    default:
      return NETWORK;
  }
}

export function typeOf(rec: OutputRecord): readonly string[] {
  switch (rec.kind) {
    case 'session-setup':
      return START;
    case 'tree-connect':
      return rec.tree.success ? ALLOWED : DENIED;
    case 'dcerpc-call':
      return PROTOCOL;
    case 'alert':
      return INFO;
    default:
      return END;
  }
}

/** sharewatch.dcerpc for RPC calls and the alerts they decide, else sharewatch.smb */
export function datasetOf(rec: OutputRecord): string {
  const r = rec.kind === 'alert' ? rec.about : rec;
  return r.kind === 'dcerpc-call' ? DATASET_DCERPC : DATASET_SMB;
}

export function protocolOf(rec: LifecycleRecord): string {
  return rec.kind === 'dcerpc-call' ? 'dcerpc' : 'smb';
}

/** both addresses, client first, once each */
export function relatedIps(rec: LifecycleRecord): string[] {
  const f = rec.flow;
  return f.clientIp === f.serverIp ? [f.clientIp] : [f.clientIp, f.serverIp];
}

/** the session's user name, when known */
export function relatedUsers(rec: LifecycleRecord): string[] | null {
  const u = rec.session.user;
  return u !== null && u !== '' ? [u] : null;
}

/** `\\host\share` → `host` (null for a bare name) */
function uncHost(share: string): string | null {
  if (share.length < 3) return null;
  const c0 = share.charCodeAt(0);
  const c1 = share.charCodeAt(1);
  if ((c0 !== 0x5c && c0 !== 0x2f) || (c1 !== 0x5c && c1 !== 0x2f)) return null;
  let end = 2;
  while (end < share.length && share.charCodeAt(end) !== 0x5c && share.charCodeAt(end) !== 0x2f) end++;
  const host = share.slice(2, end);
  return host === '' ? null : host;
}

/** a UNC path's server name when it is a name (an IP address is in related.ip), else null */
function hostNameOf(share: string): string | null {
  const h = uncHost(share);
  return h !== null && ipBytes(h.replace(/^\[|\]$/g, '')) === null ? h : null;
}

/** tree share paths → hostNameOf, remembered (a tree's path comes with each of its records) */
const hostOfShare = new Map<string, string | null>();
const HOSTS_REMEMBERED = 4096;
/** longer paths are not remembered (the map stays small whatever the paths) */
const HOST_PATH_REMEMBERED = 256;

/** The server name related.hosts takes from a tree's UNC path, or null. */
export function treeHost(share: string): string | null {
  if (share.length > HOST_PATH_REMEMBERED) return hostNameOf(share);
  let h = hostOfShare.get(share);
  if (h === undefined) {
    h = hostNameOf(share);
    if (hostOfShare.size >= HOSTS_REMEMBERED) hostOfShare.clear();
    hostOfShare.set(share, h);
  }
  return h;
}

/**
 * Host names on the event: the server name from the UNC path (an IP address there is no name:
 * it is in related.ip) and the client workstation.
 */
export function relatedHosts(rec: LifecycleRecord): string[] | null {
  const out: string[] = [];
  if (rec.kind === 'tree-connect' || rec.kind === 'tree-disconnect') {
    const h = treeHost(rec.tree.share);
    if (h !== null) out.push(h);
  }
  const w = rec.session.workstation;
  if (w !== null && w !== '' && !out.includes(w)) out.push(w);
  return out.length > 0 ? out : null;
}
