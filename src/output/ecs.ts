/**
 * Shapes an OutputRecord into the contract's ECS event: nested objects (`{"source":{"ip":…}}`),
 * keys always inserted in the same order so that JSON.stringify gives byte-identical lines for the
 * same input. Keys whose value is unknown (null) are left out, never written as null.
 *
 * Key order: @timestamp, event{kind,dataset,action,outcome,duration,severity,count}, rule{id,name},
 * message, threat, source, destination, network, user{name,domain}, smb{…}.
 *
 * event.outcome:
 * - smb-session-setup, smb-tree-connect: success/failure by the response status.
 * - smb-tree-disconnect: success when the client removed the tree (end_reason tree_disconnect or
 *   logoff: the tracker only records these on a request it saw and a success response, or a
 *   request whose answer never came before the connection ended); unknown for connection_close,
 *   connection_reset, idle_timeout, capture_end (nothing was asked or answered).
 * - smb-session-end: success for a LOGOFF answered with success, failure for one answered with an
 *   error, unknown otherwise (logoff request without a seen response, or any non-logoff end).
 * - smb-encrypted-session: unknown (the session's own exchanges are not visible).
 * - alerts: the outcome of the record they are about.
 *
 * user.domain: the NTLMSSP domain; for a Kerberos session without one, the Kerberos realm.
 * smb.kerberos.{realm,service}: extra (not in the contract), when the session used Kerberos.
 * Empty user names, domains and workstations (anonymous NTLMSSP) count as unknown: left out.
 * smb.auth: on every event where the session's authentication is known (the contract requires it
 * on smb-session-setup; elsewhere it is extra context).
 */
import type {
  Activity,
  AlertRecord,
  LifecycleRecord,
  Outcome,
  OutputRecord,
  SessionView,
  TreeView,
} from '../shared/records';
import { isoMicros } from './timestamp';

export const DATASET = 'sharewatch.smb';
export const THREAT_FRAMEWORK = 'MITRE ATT&CK';

/** event.action of a lifecycle record (`smb-` + kind) or of an alert (its rule name). */
export function actionOf(rec: OutputRecord): string {
  return rec.kind === 'alert' ? rec.ruleName : 'smb-' + rec.kind;
}

/** NT status STATUS_SUCCESS or SMB1 DOS class 0 (DOS:0x00:…) */
export function isSuccessStatus(status: string | null): boolean {
  return status === 'STATUS_SUCCESS' || (status !== null && status.startsWith('DOS:0x00:'));
}

export function outcomeOf(rec: OutputRecord): Outcome {
  switch (rec.kind) {
    case 'session-setup':
      return rec.success ? 'success' : 'failure';
    case 'tree-connect':
      return rec.tree.success ? 'success' : 'failure';
    case 'tree-disconnect':
      return rec.reason === 'tree_disconnect' || rec.reason === 'logoff' ? 'success' : 'unknown';
    case 'session-end':
      if (rec.reason !== 'logoff' || rec.status === null) return 'unknown';
      return isSuccessStatus(rec.status) ? 'success' : 'failure';
    case 'encrypted-session':
      return 'unknown';
    case 'alert':
      return outcomeOf(rec.about);
  }
}

/** user.domain: NTLMSSP domain, else the Kerberos realm (see the module comment). */
export function userDomain(s: SessionView): string | null {
  if (s.domain !== null && s.domain !== '') return s.domain;
  if (s.kerberosRealm !== null && s.kerberosRealm !== '') return s.kerberosRealm;
  return s.domain;
}

type Obj = Record<string, unknown>;

function durationOf(rec: LifecycleRecord): number | null {
  switch (rec.kind) {
    case 'session-end':
    case 'tree-disconnect':
    case 'encrypted-session':
      // integer nanoseconds (ECS event.duration is a long)
      return Math.trunc(rec.durationNs);
    default:
      return null;
  }
}

function activityObj(a: Activity): Obj {
  return {
    creates: a.creates,
    reads: a.reads,
    writes: a.writes,
    bytes_read: a.bytesRead,
    bytes_written: a.bytesWritten,
    ioctls: a.ioctls,
  };
}

function putTree(smb: Obj, t: TreeView): void {
  smb.tree_id = t.treeId;
  smb.share = t.share;
  smb.share_name = t.shareName;
  smb.share_class = t.shareClass;
  if (t.shareType !== null) smb.share_type = t.shareType;
  smb.status = t.status;
}

/** The smb object of a lifecycle record, in the fixed key order. */
function smbObj(rec: LifecycleRecord): Obj {
  const s = rec.session;
  const smb: Obj = {};
  if (s.version !== null) smb.version = s.version;
  if (s.sessionId !== null) smb.session_id = s.sessionId;
  const auth = rec.kind === 'session-setup' ? rec.auth : s.auth;
  if (auth !== null) smb.auth = auth;
  if (s.workstation !== null && s.workstation !== '') smb.workstation = s.workstation;
  if (s.kerberosRealm !== null || s.kerberosService !== null) {
    const k: Obj = {};
    if (s.kerberosRealm !== null) k.realm = s.kerberosRealm;
    if (s.kerberosService !== null) k.service = s.kerberosService;
    smb.kerberos = k;
  }
  switch (rec.kind) {
    case 'session-setup':
      smb.status = rec.status;
      break;
    case 'session-end':
      if (rec.status !== null) smb.status = rec.status;
      smb.end_reason = rec.reason;
      smb.trees = rec.trees;
      break;
    case 'tree-connect':
      putTree(smb, rec.tree);
      break;
    case 'tree-disconnect':
      putTree(smb, rec.tree);
      smb.end_reason = rec.reason;
      smb.activity = activityObj(rec.activity);
      smb.files = rec.files.length > 16 ? rec.files.slice(0, 16) : rec.files.slice();
      break;
    case 'encrypted-session':
      smb.end_reason = rec.reason;
      smb.messages = rec.messages;
      smb.bytes = rec.bytes;
      break;
  }
  return smb;
}

function userObj(s: SessionView): Obj | null {
  const name = s.user !== null && s.user !== '' ? s.user : null;
  const domain = userDomain(s);
  if (name === null && (domain === null || domain === '')) return null;
  const u: Obj = {};
  if (name !== null) u.name = name;
  if (domain !== null && domain !== '') u.domain = domain;
  return u;
}

/** Flow, user and smb fields shared by an event and the alert about it. */
function putContext(out: Obj, rec: LifecycleRecord): void {
  out.source = { ip: rec.flow.clientIp, port: rec.flow.clientPort };
  out.destination = { ip: rec.flow.serverIp, port: rec.flow.serverPort };
  out.network = { transport: 'tcp' };
  const user = userObj(rec.session);
  if (user !== null) out.user = user;
  out.smb = smbObj(rec);
}

function lifecycleEcs(rec: LifecycleRecord): Obj {
  const event: Obj = { kind: 'event', dataset: DATASET, action: actionOf(rec), outcome: outcomeOf(rec) };
  const dur = durationOf(rec);
  if (dur !== null) event.duration = dur;
  const out: Obj = { '@timestamp': isoMicros(rec.ts), event };
  putContext(out, rec);
  return out;
}

function alertEcs(a: AlertRecord): Obj {
  const event: Obj = { kind: 'alert', dataset: DATASET, action: a.ruleName, outcome: outcomeOf(a) };
  const dur = durationOf(a.about);
  if (dur !== null) event.duration = dur;
  event.severity = a.severity;
  if (a.count !== null) event.count = a.count;
  const out: Obj = {
    '@timestamp': isoMicros(a.ts),
    event,
    rule: { id: a.ruleId, name: a.ruleName },
    message: a.message,
    threat: {
      framework: THREAT_FRAMEWORK,
      technique: { id: a.techniques.map((t) => t.id), name: a.techniques.map((t) => t.name) },
    },
  };
  putContext(out, a.about);
  return out;
}

/** The ECS event object of a record (fresh object; safe to keep or serialise). */
export function toEcs(rec: OutputRecord): Record<string, unknown> {
  return rec.kind === 'alert' ? alertEcs(rec) : lifecycleEcs(rec);
}

/**
 * One NDJSON line (with the trailing newline): exactly JSON.stringify(toEcs(rec)) + '\n', byte for
 * byte, written out by hand (no intermediate objects; JSON.stringify of the nested event was the
 * top frame of the replay profile). Same key order as toEcs; a value that is undefined leaves its
 * key out, as JSON.stringify does; strings needing escapes (quote, backslash, C0 controls,
 * surrogates, paired or lone) go through JSON.stringify itself, so escaping cannot differ.
 */
export function toNdjsonLine(rec: OutputRecord): string {
  return rec.kind === 'alert' ? alertLine(rec) : lifecycleLine(rec);
}

/** A JSON string literal: JSON.stringify(s) for any string, quoted directly when nothing needs escaping. */
function jstr(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** JSON of any value the records hold (undefined is handled by the callers: the key is left out). */
function jval(v: unknown): string {
  if (typeof v === 'string') return jstr(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  return JSON.stringify(v) as string;
}

/** `,"key":value`, or '' when value is undefined (JSON.stringify drops such keys) */
function kv(key: string, v: unknown): string {
  return v === undefined ? '' : ',"' + key + '":' + jval(v);
}

/** `{` + members + `}` from `,"k":v` pieces (the first comma dropped) */
function obj(members: string): string {
  return members === '' ? '{}' : '{' + members.slice(1) + '}';
}

/** a JSON array of strings (elements as JSON.stringify writes them: undefined → null) */
function jarr(a: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (i > 0) out += ',';
    out += v === undefined || typeof v === 'function' ? 'null' : jval(v);
  }
  return out + ']';
}

function treeMembers(t: TreeView): string {
  return (
    kv('tree_id', t.treeId) +
    kv('share', t.share) +
    kv('share_name', t.shareName) +
    kv('share_class', t.shareClass) +
    (t.shareType !== null ? kv('share_type', t.shareType) : '') +
    kv('status', t.status)
  );
}

/** the smb object of smbObj(), as JSON */
function smbJson(rec: LifecycleRecord): string {
  const s = rec.session;
  let m = '';
  if (s.version !== null) m += kv('version', s.version);
  if (s.sessionId !== null) m += kv('session_id', s.sessionId);
  const auth = rec.kind === 'session-setup' ? rec.auth : s.auth;
  if (auth !== null) m += kv('auth', auth);
  if (s.workstation !== null && s.workstation !== '') m += kv('workstation', s.workstation);
  if (s.kerberosRealm !== null || s.kerberosService !== null) {
    let k = '';
    if (s.kerberosRealm !== null) k += kv('realm', s.kerberosRealm);
    if (s.kerberosService !== null) k += kv('service', s.kerberosService);
    m += ',"kerberos":' + obj(k);
  }
  switch (rec.kind) {
    case 'session-setup':
      m += kv('status', rec.status);
      break;
    case 'session-end':
      if (rec.status !== null) m += kv('status', rec.status);
      m += kv('end_reason', rec.reason) + kv('trees', rec.trees);
      break;
    case 'tree-connect':
      m += treeMembers(rec.tree);
      break;
    case 'tree-disconnect': {
      const a = rec.activity;
      m +=
        treeMembers(rec.tree) +
        kv('end_reason', rec.reason) +
        ',"activity":' +
        obj(
          kv('creates', a.creates) +
            kv('reads', a.reads) +
            kv('writes', a.writes) +
            kv('bytes_read', a.bytesRead) +
            kv('bytes_written', a.bytesWritten) +
            kv('ioctls', a.ioctls),
        ) +
        ',"files":' +
        jarr(rec.files.length > 16 ? rec.files.slice(0, 16) : rec.files);
      break;
    }
    case 'encrypted-session':
      m += kv('end_reason', rec.reason) + kv('messages', rec.messages) + kv('bytes', rec.bytes);
      break;
  }
  return obj(m);
}

/** source, destination, network, user, smb of putContext(), as `,"k":v` members */
function contextMembers(rec: LifecycleRecord): string {
  const f = rec.flow;
  let m =
    ',"source":' +
    obj(kv('ip', f.clientIp) + kv('port', f.clientPort)) +
    ',"destination":' +
    obj(kv('ip', f.serverIp) + kv('port', f.serverPort)) +
    ',"network":{"transport":"tcp"}';
  const s = rec.session;
  const name = s.user !== null && s.user !== '' ? s.user : null;
  const domain = userDomain(s);
  if (name !== null || (domain !== null && domain !== '')) {
    let u = '';
    if (name !== null) u += kv('name', name);
    if (domain !== null && domain !== '') u += kv('domain', domain);
    m += ',"user":' + obj(u);
  }
  return m + ',"smb":' + smbJson(rec);
}

function lifecycleLine(rec: LifecycleRecord): string {
  const dur = durationOf(rec);
  return (
    '{"@timestamp":' +
    jstr(isoMicros(rec.ts)) +
    ',"event":{"kind":"event","dataset":"' +
    DATASET +
    '"' +
    kv('action', actionOf(rec)) +
    kv('outcome', outcomeOf(rec)) +
    (dur !== null ? kv('duration', dur) : '') +
    '}' +
    contextMembers(rec) +
    '}\n'
  );
}

function alertLine(a: AlertRecord): string {
  const dur = durationOf(a.about);
  let ids = '';
  let names = '';
  for (let i = 0; i < a.techniques.length; i++) {
    const t = a.techniques[i];
    ids += ',' + (t.id === undefined ? 'null' : jval(t.id));
    names += ',' + (t.name === undefined ? 'null' : jval(t.name));
  }
  return (
    '{"@timestamp":' +
    jstr(isoMicros(a.ts)) +
    ',"event":{"kind":"alert","dataset":"' +
    DATASET +
    '"' +
    kv('action', a.ruleName) +
    kv('outcome', outcomeOf(a)) +
    (dur !== null ? kv('duration', dur) : '') +
    kv('severity', a.severity) +
    (a.count !== null ? kv('count', a.count) : '') +
    '},"rule":' +
    obj(kv('id', a.ruleId) + kv('name', a.ruleName)) +
    kv('message', a.message) +
    ',"threat":{"framework":"' +
    THREAT_FRAMEWORK +
    '","technique":{"id":[' +
    ids.slice(1) +
    '],"name":[' +
    names.slice(1) +
    ']}}' +
    contextMembers(a.about) +
    '}\n'
  );
}
