/** Identities the report groups events by, all from the contract's fields. */
import { type EventObj, num, str } from './event';

/**
 * The SMB session an event belongs to (server, client, session id), or its TCP connection when it
 * has no session (DCE/RPC over TCP).
 */
export function sessionKey(ev: EventObj): string {
  const src = str(ev, 'source.ip') ?? '?';
  const dst = str(ev, 'destination.ip') ?? '?';
  const sid = str(ev, 'smb.session_id');
  if (sid !== undefined) return `${dst}|${src}|${sid}`;
  return `${src}:${num(ev, 'source.port') ?? ''}|${dst}:${num(ev, 'destination.port') ?? ''}|${str(ev, 'network.community_id') ?? ''}`;
}

/** A tree on its connection: flow, session and tree id. */
export function treeKey(ev: EventObj): string {
  return `${str(ev, 'source.ip')}|${num(ev, 'source.port')}|${str(ev, 'destination.ip')}|${num(ev, 'destination.port')}|${str(ev, 'smb.session_id')}|${str(ev, 'smb.tree_id')}`;
}

/** `DOMAIN\name`, `name`, `DOMAIN\?` (a Kerberos realm without a name), or '' when the event names no user. */
export function userLabel(ev: EventObj): string {
  const name = str(ev, 'user.name') ?? '';
  const domain = str(ev, 'user.domain') ?? '';
  if (name === '') return domain === '' ? '' : `${domain}\\?`;
  return domain === '' ? name : `${domain}\\${name}`;
}

/** The server name a UNC path (`\\NAME\share`) gives, when it is not the address itself. */
export function uncHost(share: string | undefined, ip: string): string | null {
  if (share === undefined || !share.startsWith('\\\\')) return null;
  const end = share.indexOf('\\', 2);
  const host = end < 0 ? share.slice(2) : share.slice(2, end);
  if (host === '' || host === ip || host === `[${ip}]`) return null;
  return host;
}

/** FNV-1a (32 bit): a stable hash, so the sample is the same on every run. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export type RpcKind = 1 | 2 | 3 | 4 | 5;

const TASK_IFACES = new Set(['atsvc', 'ITaskSchedulerService']);
const MARKED_IFACES = new Set([
  'samr',
  'drsuapi',
  'netlogon',
  'efsrpc',
  'spoolss',
  'dfsnm',
  'IWbemServices',
  'ISystemActivator',
]);

/** Tick kind of a dcerpc-call: 2 service (svcctl), 3 task, 4 registry, 5 other sensitive interface, 1 routine. */
export function rpcKind(ev: EventObj): RpcKind {
  const iface = str(ev, 'dcerpc.interface.name') ?? '';
  if (iface === 'svcctl') return 2;
  if (TASK_IFACES.has(iface)) return 3;
  if (iface === 'winreg') return 4;
  if (MARKED_IFACES.has(iface)) return 5;
  return 1;
}

const CREATE_SERVICE = /^(RCreateService(WOW64)?[WA]|RChangeServiceConfig[WA])$/;

/** 'service' / 'task' when a dcerpc-call creates or changes one, else null. */
export function createsServiceOrTask(ev: EventObj): 'service' | 'task' | null {
  const iface = str(ev, 'dcerpc.interface.name');
  const op = str(ev, 'dcerpc.operation') ?? '';
  if (iface === 'svcctl' && CREATE_SERVICE.test(op)) return 'service';
  if (iface === 'atsvc' && op === 'NetrJobAdd') return 'task';
  if (iface === 'ITaskSchedulerService' && op === 'SchRpcRegisterTask') return 'task';
  return null;
}

export function severityName(n: number): string {
  if (n >= 99) return 'critical';
  if (n >= 73) return 'high';
  if (n >= 47) return 'medium';
  if (n >= 21) return 'low';
  return 'info';
}

/** Epoch ms (µs in the fraction) → ISO 8601 UTC with microseconds, as the contract writes @timestamp. */
export function isoFromMs(ms: number): string {
  const whole = Math.floor(ms);
  let us = Math.round((ms - whole) * 1000);
  let base = whole;
  if (us >= 1000) {
    base += 1;
    us -= 1000;
  }
  const d = new Date(base);
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString(); // …SS.mmmZ
  return iso.slice(0, 23) + String(us).padStart(3, '0') + 'Z';
}
