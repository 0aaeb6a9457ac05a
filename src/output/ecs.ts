/**
 * Shapes an OutputRecord into the contract's ECS event: nested objects (`{"source":{"ip":…}}`),
 * keys always inserted in the same order so that JSON.stringify gives byte-identical lines for the
 * same input. Keys whose value is unknown (null) are left out, never written as null.
 *
 * Two serializers, one shape: toEcs() builds the event as objects — the ORACLE, kept for tests and
 * tools (test/output-ndjson-exact checks every corpus record against it) — and writeNdjsonLine()
 * writes the same bytes by hand for speed (JSON.stringify of the nested event was the top frame of
 * the replay profile). Both take the per-record values from categorize.ts and the per-run
 * observer; a change to the shape is made in both, and the exactness test says when one is missed.
 *
 * Key order: @timestamp, event{kind,category,type,dataset,action,outcome,duration,severity,count,
 * start,end}, rule{id,name}, message, threat, ecs{version}, source, destination,
 * network{transport,protocol,community_id}, related{ip,user,hosts}, observer{product,type,version,
 * hostname,ingress.interface.name}, user{name,domain}, smb{…}.
 *
 * event.outcome:
 * - smb-session-setup, smb-tree-connect: success/failure by the response status.
 * - smb-tree-disconnect: success when the client removed the tree (end_reason tree_disconnect or
 *   logoff: the tracker only records these on a request it saw and a success response, or a
 *   request whose answer never came before the connection ended); unknown for connection_close,
 *   connection_reset, idle_timeout, capture_end (nothing was asked or answered).
 * - smb-session-end: success for a LOGOFF answered with success, failure for one answered with an
 *   error, unknown otherwise (logoff request without a seen response, or any non-logoff end).
 * - smb-encrypted-session, smb-inferred-tree: unknown (the session's own exchanges are not visible).
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
  AlertSummary,
  LifecycleRecord,
  Outcome,
  OutputRecord,
  SessionView,
  TreeView,
} from '../shared/records';
import { isoMicros, writeIsoMicros } from './timestamp';
import { ByteOut } from './byte-out';
import {
  categoryOf,
  datasetOf,
  ECS_VERSION,
  protocolOf,
  relatedHosts,
  relatedIps,
  relatedUsers,
  treeHost,
  typeOf,
} from './categorize';
import { flowCommunityId } from './community-id';
import { defaultObserver, OBSERVER_PRODUCT, OBSERVER_TYPE, type Observer } from './observer';
import { dcerpcObj } from './dcerpc-fields';
import { lateralObj } from './lateral-fields';
import type { Flow } from '../shared/records';

export const THREAT_FRAMEWORK = 'MITRE ATT&CK';
/** smb.files and smb.pipes list at most this many names */
export const MAX_LISTED = 16;

/** event.action of a lifecycle record (`smb-` + kind) or of an alert (its rule name). */
export function actionOf(rec: OutputRecord): string {
  // literals, not 'smb-' + kind: actionOf runs twice per record (output and the summary's counts)
  switch (rec.kind) {
    case 'alert':
      return rec.ruleName;
    case 'dcerpc-call':
      return 'dcerpc-call';
    case 'session-setup':
      return 'smb-session-setup';
    case 'session-end':
      return 'smb-session-end';
    case 'tree-connect':
      return 'smb-tree-connect';
    case 'tree-disconnect':
      return 'smb-tree-disconnect';
    case 'encrypted-session':
      return 'smb-encrypted-session';
    case 'inferred-tree':
      return 'smb-inferred-tree';
    default:
      return 'smb-' + (rec as { kind: string }).kind;
  }
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
    case 'inferred-tree':
      return 'unknown';
    case 'dcerpc-call':
      return rec.outcome;
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
    case 'inferred-tree':
      // integer nanoseconds (ECS event.duration is a long)
      return Math.trunc(rec.durationNs);
    case 'dcerpc-call':
      return rec.durationNs === null ? null : Math.trunc(rec.durationNs);
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

/** a tree whose TREE_CONNECT request was not seen has no share name (share_class unknown) */
const shareKnown = (t: TreeView): boolean => !(t.shareClass === 'unknown' && t.share === '');

function putTree(smb: Obj, t: TreeView): void {
  smb.tree_id = t.treeId;
  if (shareKnown(t)) {
    smb.share = t.share;
    smb.share_name = t.shareName;
  }
  smb.share_class = t.shareClass;
  if (t.shareType !== null) smb.share_type = t.shareType;
  smb.status = t.status;
}

/** The smb object of a lifecycle record, in the fixed key order; `summary` replaces the files. */
function smbObj(rec: LifecycleRecord, summary: AlertSummary | null): Obj {
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
      if (rec.gap) smb.gap = true;
      break;
    case 'tree-connect':
      putTree(smb, rec.tree);
      break;
    case 'tree-disconnect':
      putTree(smb, rec.tree);
      smb.end_reason = rec.reason;
      smb.activity = activityObj(rec.activity);
      if (summary !== null) {
        smb.files = summary.names.slice(0, MAX_LISTED);
        smb.files_omitted = summary.namesOmitted + Math.max(0, summary.names.length - MAX_LISTED);
      } else {
        smb.files = rec.files.length > MAX_LISTED ? rec.files.slice(0, MAX_LISTED) : rec.files.slice();
      }
      smb.pipes = rec.pipes.length > MAX_LISTED ? rec.pipes.slice(0, MAX_LISTED) : rec.pipes.slice();
      if (rec.gap) smb.gap = true;
      break;
    case 'encrypted-session':
      smb.end_reason = rec.reason;
      smb.messages = rec.messages;
      smb.bytes = rec.bytes;
      break;
    case 'dcerpc-call':
      if (rec.gap) smb.gap = true;
      break;
    case 'inferred-tree':
      // only what message sizes tell: no reads or ioctls, no file names
      smb.inferred = true;
      smb.share_name_length = rec.shareNameLength;
      smb.share_candidates = rec.shareCandidates.slice();
      smb.share_class = rec.shareClass;
      smb.end_reason = rec.reason;
      smb.activity = { creates: rec.activity.creates, writes: rec.activity.writes, bytes_written: rec.activity.bytesWritten };
      smb.inference = { confidence: rec.confidence };
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

function observerObj(ob: Observer): Obj {
  const o: Obj = { product: OBSERVER_PRODUCT, type: OBSERVER_TYPE, version: ob.version, hostname: ob.hostname };
  if (ob.ingressInterface !== null) o.ingress = { interface: { name: ob.ingressInterface } };
  return o;
}

/** ecs, flow, related, observer, user and smb fields shared by an event and the alert about it. */
function putContext(out: Obj, rec: LifecycleRecord, ob: Observer, summary: AlertSummary | null): void {
  out.ecs = { version: ECS_VERSION };
  out.source = { ip: rec.flow.clientIp, port: rec.flow.clientPort };
  out.destination = { ip: rec.flow.serverIp, port: rec.flow.serverPort };
  const network: Obj = { transport: 'tcp', protocol: protocolOf(rec) };
  const cid = flowCommunityId(rec.flow);
  if (cid !== null) network.community_id = cid;
  out.network = network;
  const related: Obj = { ip: relatedIps(rec) };
  const users = relatedUsers(rec);
  if (users !== null) related.user = users;
  const hosts = relatedHosts(rec);
  if (hosts !== null) related.hosts = hosts;
  out.related = related;
  out.observer = observerObj(ob);
  const user = userObj(rec.session);
  if (user !== null) out.user = user;
  if (rec.kind !== 'dcerpc-call' || rec.transport === 'smb' || rec.gap) out.smb = smbObj(rec, summary);
  if (rec.kind === 'dcerpc-call') out.dcerpc = dcerpcObj(rec);
}

/** event.start / event.end: an inferred tree's exact start and end (its @timestamp is when its end was decided) */
function putSpan(event: Obj, rec: LifecycleRecord): void {
  if (rec.kind !== 'inferred-tree') return;
  event.start = isoMicros(rec.startTs);
  event.end = isoMicros(rec.endTs);
}

function lifecycleEcs(rec: LifecycleRecord, ob: Observer): Obj {
  const event: Obj = {
    kind: 'event',
    category: categoryOf(rec).slice(),
    type: typeOf(rec).slice(),
    dataset: datasetOf(rec),
    action: actionOf(rec),
    outcome: outcomeOf(rec),
  };
  const dur = durationOf(rec);
  if (dur !== null) event.duration = dur;
  putSpan(event, rec);
  const out: Obj = { '@timestamp': isoMicros(rec.ts), event };
  putContext(out, rec, ob, null);
  const lm = lateralObj(rec);
  if (lm !== null) out.lateral_movement = lm;
  return out;
}

function alertEcs(a: AlertRecord, ob: Observer): Obj {
  const event: Obj = {
    kind: 'alert',
    category: categoryOf(a).slice(),
    type: typeOf(a).slice(),
    dataset: datasetOf(a),
    action: a.ruleName,
    outcome: outcomeOf(a),
  };
  const dur = durationOf(a.about);
  if (dur !== null) event.duration = dur;
  const summary = a.summary ?? null;
  // a summary's span is its repeats'; a single alert about an inferred tree carries the tree's
  if (summary === null) putSpan(event, a.about);
  event.severity = a.severity;
  if (a.count !== null) event.count = a.count;
  if (summary !== null) {
    event.start = isoMicros(summary.start);
    event.end = isoMicros(summary.end);
  }
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
  putContext(out, a.about, ob, summary);
  const lm = lateralObj(a);
  if (lm !== null) out.lateral_movement = lm;
  return out;
}

/**
 * The ECS event object of a record (fresh object; safe to keep or serialise): the oracle of the
 * NDJSON byte writer below.
 */
export function toEcs(rec: OutputRecord, ob: Observer = defaultObserver()): Record<string, unknown> {
  return rec.kind === 'alert' ? alertEcs(rec, ob) : lifecycleEcs(rec, ob);
}

/**
 * One NDJSON line (with the trailing newline): exactly JSON.stringify(toEcs(rec)) + '\n'.
 * (The same bytes writeNdjsonLine writes, decoded.)
 */
export function toNdjsonLine(rec: OutputRecord, ob: Observer = defaultObserver()): string {
  const o = scratch;
  o.pos = 0;
  writeNdjsonLine(rec, o, ob);
  return o.toString();
}

const scratch = new ByteOut(4096);

/**
 * Writes the NDJSON line of a record (with '\n') into `o` as UTF-8: byte for byte the UTF-8 of
 * JSON.stringify(toEcs(rec)) + '\n', without the intermediate objects and strings (JSON.stringify
 * of the nested event was the top frame of the replay profile). Same key order as toEcs; a value
 * that is undefined at run time leaves its key out, as JSON.stringify does; ByteOut.str escapes
 * strings exactly as JSON.stringify does (it falls back to it for anything but plain ASCII).
 */
export function writeNdjsonLine(rec: OutputRecord, o: ByteOut, ob: Observer = defaultObserver()): void {
  if (rec.kind === 'alert') alertLine(rec, o, ob);
  else lifecycleLine(rec, o, ob);
}

/** `},"observer":{…}` (closing related) as UTF-8, made once per observer */
const observerJson = new WeakMap<Observer, Uint8Array>();
function observerBytes(ob: Observer): Uint8Array {
  let t = observerJson.get(ob);
  if (t === undefined) {
    t = Buffer.from('},"observer":' + JSON.stringify(observerObj(ob)), 'utf8');
    observerJson.set(ob, t);
  }
  return t;
}

/**
 * `,"ecs":{…},"source":{…},"destination":{…},"network":{…},"related":{"ip":[…]` of a flow, as
 * UTF-8, made once per Flow object and protocol (every record of a connection shares its Flow,
 * which is never mutated): the same bytes the member writers below give.
 */
const flowSmb = new WeakMap<Flow, Uint8Array>();
const flowDcerpc = new WeakMap<Flow, Uint8Array>();
const fragOut = new ByteOut(1024);
function flowBytes(rec: LifecycleRecord): Uint8Array {
  const f = rec.flow;
  const cache = rec.kind === 'dcerpc-call' ? flowDcerpc : flowSmb;
  let t = cache.get(f);
  if (t === undefined) {
    const o = fragOut;
    o.pos = 0;
    o.lit(',"ecs":{"version":');
    o.str(ECS_VERSION);
    o.lit('},"source":{');
    m(o, m(o, true, 'ip', f.clientIp), 'port', f.clientPort);
    o.lit('},"destination":{');
    m(o, m(o, true, 'ip', f.serverIp), 'port', f.serverPort);
    o.lit('},"network":{"transport":"tcp","protocol":');
    o.str(protocolOf(rec));
    const cid = flowCommunityId(f);
    if (cid !== null) {
      o.lit(',"community_id":');
      o.str(cid);
    }
    o.lit('},"related":{"ip":');
    strArr(o, relatedIps(rec));
    t = Uint8Array.prototype.slice.call(o.buf, 0, o.pos) as Uint8Array;
    cache.set(f, t);
  }
  return t;
}

/** `[…]` of strings as JSON.stringify writes them */
function strArr(o: ByteOut, a: readonly string[]): void {
  arr(o, a, a.length);
}

/** member `"k":v` of an object, after a comma unless the object is still empty; undefined v is left
 * out. Returns whether the object is still empty. */
function m(o: ByteOut, empty: boolean, k: string, v: unknown): boolean {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return empty;
  if (!empty) o.byte(0x2c);
  o.key(k);
  o.val(v);
  return false;
}

/** a JSON array as JSON.stringify writes it (undefined and functions → null) */
function arr(o: ByteOut, a: readonly unknown[], n: number): void {
  o.byte(0x5b);
  for (let i = 0; i < n; i++) {
    if (i > 0) o.byte(0x2c);
    item(o, a[i]);
  }
  o.byte(0x5d);
}

/** one array element as JSON.stringify writes it */
function item(o: ByteOut, v: unknown): void {
  if (typeof v === 'string') o.str(v);
  else if (v === undefined || typeof v === 'function') o.lit('null');
  else o.val(v);
}

function treeMembers(o: ByteOut, empty: boolean, t: TreeView): boolean {
  empty = m(o, empty, 'tree_id', t.treeId);
  if (shareKnown(t)) {
    empty = m(o, empty, 'share', t.share);
    empty = m(o, empty, 'share_name', t.shareName);
  }
  empty = m(o, empty, 'share_class', t.shareClass);
  if (t.shareType !== null) empty = m(o, empty, 'share_type', t.shareType);
  return m(o, empty, 'status', t.status);
}

/** the smb object of smbObj() */
function smbJson(rec: LifecycleRecord, o: ByteOut, summary: AlertSummary | null): void {
  const s = rec.session;
  o.byte(0x7b);
  let e = true;
  if (s.version !== null) e = m(o, e, 'version', s.version);
  if (s.sessionId !== null) e = m(o, e, 'session_id', s.sessionId);
  const auth = rec.kind === 'session-setup' ? rec.auth : s.auth;
  if (auth !== null) e = m(o, e, 'auth', auth);
  if (s.workstation !== null && s.workstation !== '') e = m(o, e, 'workstation', s.workstation);
  if (s.kerberosRealm !== null || s.kerberosService !== null) {
    if (!e) o.byte(0x2c);
    e = false;
    o.lit('"kerberos":{');
    let k = true;
    if (s.kerberosRealm !== null) k = m(o, k, 'realm', s.kerberosRealm);
    if (s.kerberosService !== null) m(o, k, 'service', s.kerberosService);
    o.byte(0x7d);
  }
  switch (rec.kind) {
    case 'session-setup':
      m(o, e, 'status', rec.status);
      break;
    case 'session-end':
      if (rec.status !== null) e = m(o, e, 'status', rec.status);
      e = m(o, e, 'end_reason', rec.reason);
      e = m(o, e, 'trees', rec.trees);
      if (rec.gap) m(o, e, 'gap', true);
      break;
    case 'tree-connect':
      treeMembers(o, e, rec.tree);
      break;
    case 'tree-disconnect': {
      e = treeMembers(o, e, rec.tree);
      e = m(o, e, 'end_reason', rec.reason);
      if (!e) o.byte(0x2c);
      const a = rec.activity;
      o.lit('"activity":{');
      let x = m(o, true, 'creates', a.creates);
      x = m(o, x, 'reads', a.reads);
      x = m(o, x, 'writes', a.writes);
      x = m(o, x, 'bytes_read', a.bytesRead);
      x = m(o, x, 'bytes_written', a.bytesWritten);
      m(o, x, 'ioctls', a.ioctls);
      o.lit('},"files":');
      if (summary !== null) {
        const n = summary.names;
        arr(o, n, n.length > MAX_LISTED ? MAX_LISTED : n.length);
        o.lit(',"files_omitted":');
        o.val(summary.namesOmitted + Math.max(0, n.length - MAX_LISTED));
      } else {
        arr(o, rec.files, rec.files.length > MAX_LISTED ? MAX_LISTED : rec.files.length);
      }
      o.lit(',"pipes":');
      arr(o, rec.pipes, rec.pipes.length > MAX_LISTED ? MAX_LISTED : rec.pipes.length);
      if (rec.gap) o.lit(',"gap":true');
      break;
    }
    case 'encrypted-session':
      e = m(o, e, 'end_reason', rec.reason);
      e = m(o, e, 'messages', rec.messages);
      m(o, e, 'bytes', rec.bytes);
      break;
    case 'dcerpc-call':
      if (rec.gap) m(o, e, 'gap', true);
      break;
    case 'inferred-tree': {
      e = m(o, e, 'inferred', true);
      e = m(o, e, 'share_name_length', rec.shareNameLength);
      if (!e) o.byte(0x2c);
      o.lit('"share_candidates":');
      arr(o, rec.shareCandidates, rec.shareCandidates.length);
      e = m(o, false, 'share_class', rec.shareClass);
      e = m(o, e, 'end_reason', rec.reason);
      o.lit(',"activity":{');
      const a = rec.activity;
      m(o, m(o, m(o, true, 'creates', a.creates), 'writes', a.writes), 'bytes_written', a.bytesWritten);
      o.lit('},"inference":{');
      m(o, true, 'confidence', rec.confidence);
      o.byte(0x7d);
      break;
    }
  }
  o.byte(0x7d);
}

/** ecs, source, destination, network, related, observer, user, smb of putContext(), each after a comma */
function contextMembers(rec: LifecycleRecord, o: ByteOut, ob: Observer, summary: AlertSummary | null): void {
  o.bytes(flowBytes(rec));
  const s = rec.session;
  // related.user and related.hosts as relatedUsers() and relatedHosts() give them, without arrays
  const name = s.user !== null && s.user !== '' ? s.user : null;
  if (name !== null) {
    o.lit(',"user":[');
    item(o, name);
    o.byte(0x5d);
  }
  const h = rec.kind === 'tree-connect' || rec.kind === 'tree-disconnect' ? treeHost(rec.tree.share) : null;
  const w = s.workstation;
  const ws = w !== null && w !== '' && w !== h;
  if (h !== null || ws) {
    o.lit(',"hosts":[');
    if (h !== null) item(o, h);
    if (ws) {
      if (h !== null) o.byte(0x2c);
      item(o, w);
    }
    o.byte(0x5d);
  }
  o.bytes(observerBytes(ob));
  const domain = userDomain(s);
  if (name !== null || (domain !== null && domain !== '')) {
    o.lit(',"user":{');
    let u = true;
    if (name !== null) u = m(o, u, 'name', name);
    if (domain !== null && domain !== '') m(o, u, 'domain', domain);
    o.byte(0x7d);
  }
  if (rec.kind !== 'dcerpc-call' || rec.transport === 'smb' || rec.gap) {
    o.lit(',"smb":');
    smbJson(rec, o, summary);
  }
  if (rec.kind === 'dcerpc-call') {
    o.lit(',"dcerpc":');
    o.val(dcerpcObj(rec));
  }
}

/** event.start, event.end of putSpan(), each after a comma */
function spanMembers(rec: LifecycleRecord, o: ByteOut): void {
  if (rec.kind !== 'inferred-tree') return;
  o.lit(',"start":');
  writeIsoMicros(o, rec.startTs);
  o.lit(',"end":');
  writeIsoMicros(o, rec.endTs);
}

/** `,"lateral_movement":{…}` when the record belongs to a chain */
function lateralMember(rec: OutputRecord, o: ByteOut): void {
  const lm = lateralObj(rec);
  if (lm === null) return;
  o.lit(',"lateral_movement":');
  o.val(lm);
}

/** `"category":[…],"type":[…],"dataset":"…"` of an event object, after its kind */
function categorization(rec: OutputRecord, o: ByteOut): void {
  o.lit(',"category":');
  strArr(o, categoryOf(rec));
  o.lit(',"type":');
  strArr(o, typeOf(rec));
  o.lit(',"dataset":');
  o.str(datasetOf(rec));
}

function lifecycleLine(rec: LifecycleRecord, o: ByteOut, ob: Observer): void {
  const dur = durationOf(rec);
  o.lit('{"@timestamp":');
  writeIsoMicros(o, rec.ts);
  o.lit(',"event":{"kind":"event"');
  categorization(rec, o);
  m(o, false, 'action', actionOf(rec));
  m(o, false, 'outcome', outcomeOf(rec));
  if (dur !== null) m(o, false, 'duration', dur);
  spanMembers(rec, o);
  o.byte(0x7d);
  contextMembers(rec, o, ob, null);
  lateralMember(rec, o);
  o.lit('}\n');
}

function alertLine(a: AlertRecord, o: ByteOut, ob: Observer): void {
  const dur = durationOf(a.about);
  o.lit('{"@timestamp":');
  writeIsoMicros(o, a.ts);
  o.lit(',"event":{"kind":"alert"');
  categorization(a, o);
  m(o, false, 'action', a.ruleName);
  m(o, false, 'outcome', outcomeOf(a));
  if (dur !== null) m(o, false, 'duration', dur);
  if ((a.summary ?? null) === null) spanMembers(a.about, o);
  m(o, false, 'severity', a.severity);
  if (a.count !== null) m(o, false, 'count', a.count);
  const summary = a.summary ?? null;
  if (summary !== null) {
    o.lit(',"start":');
    writeIsoMicros(o, summary.start);
    o.lit(',"end":');
    writeIsoMicros(o, summary.end);
  }
  o.lit('},"rule":{');
  m(o, m(o, true, 'id', a.ruleId), 'name', a.ruleName);
  o.byte(0x7d);
  m(o, false, 'message', a.message);
  o.lit(',"threat":{"framework":');
  o.str(THREAT_FRAMEWORK);
  o.lit(',"technique":{"id":[');
  const t = a.techniques;
  for (let i = 0; i < t.length; i++) {
    if (i > 0) o.byte(0x2c);
    const id = t[i]?.id;
    if (id === undefined) o.lit('null');
    else o.val(id);
  }
  o.lit('],"name":[');
  for (let i = 0; i < t.length; i++) {
    if (i > 0) o.byte(0x2c);
    const name = t[i]?.name;
    if (name === undefined) o.lit('null');
    else o.val(name);
  }
  o.lit(']}}');
  contextMembers(a.about, o, ob, summary);
  lateralMember(a, o);
  o.lit('}\n');
}
