/**
 * The five Zeek logs sharewatch writes with --zeek-dir: which records make rows, Zeek's columns in
 * Zeek's order and types, then sharewatch's own columns (which Zeek readers and zeek-cut ignore
 * unless asked for). Column lists are the README's; change both together.
 *
 * - smb_mapping: one row per tree, written when the tree ends (Zeek's columns + duration, end
 *   reason, activity), and one per failed TREE_CONNECT (Zeek logs none: `status` says why it is
 *   there). `ts` is the tree-connect time.
 * - smb_files: per file handle (not pipes), when it closes or its connection ends: a
 *   `SMB::FILE_OPEN` row (size and MAC times of the CREATE response, as Zeek), plus
 *   `SMB::FILE_DELETE` / `SMB::FILE_RENAME` rows when the handle deleted or renamed the file.
 *   A row equal to one already written on the same connection in the last 3 minutes, apart from
 *   its access time, is not repeated (Zeek's `recent_files`).
 * - dce_rpc: one row per `dcerpc-call`.
 * - ntlm: one row per SESSION_SETUP exchange that used NTLMSSP, and one per DCE/RPC-over-TCP
 *   connection whose binds carried NTLMSSP (written when it ends, as Zeek).
 * - notice: one row per alert (note = rule name).
 */
import type {
  AlertRecord,
  DcerpcArgValue,
  DcerpcCallRecord,
  FileRecord,
  Flow,
  NtlmAuthRecord,
  SessionSetupRecord,
  Timestamp,
  TreeConnectRecord,
  TreeDisconnectRecord,
} from '../../shared/records';
import { userDomain } from '../ecs';
import { subtractNs } from '../timestamp';
import { communityId, connUid } from './ids';
import type { ZeekField, ZeekValue } from './values';

const ID_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
];

function idCols(ts: Timestamp, f: Flow): ZeekValue[] {
  return [ts, connUid(f), f.clientIp, f.clientPort, f.serverIp, f.serverPort];
}

function nonEmpty(s: string | null | undefined): string | null {
  return s === null || s === undefined || s === '' ? null : s;
}

// ---- smb_mapping ------------------------------------------------------------------------------

export const SMB_MAPPING_ZEEK_COLUMNS = 10;
export const SMB_MAPPING_FIELDS: readonly ZeekField[] = [
  ...ID_FIELDS,
  ['path', 'string'],
  ['service', 'string'],
  ['native_file_system', 'string'],
  ['share_type', 'string'],
  // sharewatch
  ['community_id', 'string'],
  ['session_id', 'string'],
  ['tree_id', 'string'],
  ['smb_version', 'string'],
  ['user', 'string'],
  ['domain', 'string'],
  ['share_class', 'string'],
  ['status', 'string'],
  ['end_reason', 'string'],
  ['duration', 'interval'],
  ['creates', 'count'],
  ['reads', 'count'],
  ['writes', 'count'],
  ['bytes_read', 'count'],
  ['bytes_written', 'count'],
  ['ioctls', 'count'],
  ['files', 'vector[string]'],
];

export function mappingRow(rec: TreeConnectRecord | TreeDisconnectRecord): ZeekValue[] {
  const t = rec.tree;
  const s = rec.session;
  const ended = rec.kind === 'tree-disconnect' ? rec : null;
  const connectTs = ended ? subtractNs(rec.ts, ended.durationNs) : rec.ts;
  const a = ended ? ended.activity : null;
  return [
    ...idCols(connectTs, rec.flow),
    t.share,
    null,
    null,
    // Zeek: SMB2 share_types table; a failed connect has no type (Zeek's default is DISK)
    t.shareType === null ? null : t.shareType.toUpperCase(),
    communityId(rec.flow),
    s.sessionId,
    t.treeId,
    s.version,
    nonEmpty(s.user),
    nonEmpty(userDomain(s)),
    t.shareClass,
    t.status,
    ended ? ended.reason : null,
    ended ? ended.durationNs : null,
    a ? a.creates : null,
    a ? a.reads : null,
    a ? a.writes : null,
    a ? a.bytesRead : null,
    a ? a.bytesWritten : null,
    a ? a.ioctls : null,
    ended ? ended.files : null,
  ];
}

// ---- smb_files --------------------------------------------------------------------------------

export const SMB_FILES_ZEEK_COLUMNS = 16;
export const SMB_FILES_FIELDS: readonly ZeekField[] = [
  ...ID_FIELDS,
  ['fuid', 'string'],
  ['action', 'enum'],
  ['path', 'string'],
  ['name', 'string'],
  ['size', 'count'],
  ['prev_name', 'string'],
  ['times.modified', 'time'],
  ['times.accessed', 'time'],
  ['times.created', 'time'],
  ['times.changed', 'time'],
  // sharewatch
  ['community_id', 'string'],
  ['session_id', 'string'],
  ['tree_id', 'string'],
  ['user', 'string'],
  ['actions', 'set[string]'],
  ['bytes_read', 'count'],
  ['bytes_written', 'count'],
  ['close_ts', 'time'],
];

/** Zeek's name for the share root (a CREATE with an empty name). */
export const SHARE_ROOT = '<share_root>';

/** The rows one closed file handle contributes: FILE_OPEN, then FILE_DELETE / FILE_RENAME. */
export function fileRows(rec: FileRecord): ZeekValue[][] {
  const bare = rec.name.replace(/^\\+/, '');
  const name = bare === '' ? SHARE_ROOT : bare;
  const t = rec.times ?? null;
  const tail = (): ZeekValue[] => [
    communityId(rec.flow),
    rec.session.sessionId,
    rec.treeId,
    nonEmpty(rec.session.user),
    rec.actions.slice(),
    rec.bytesRead,
    rec.bytesWritten,
    rec.ts,
  ];
  const row = (ts: Timestamp, action: string, n: string, prev: string | null): ZeekValue[] => [
    ...idCols(ts, rec.flow),
    null,
    action,
    nonEmpty(rec.share),
    n,
    rec.size ?? 0,
    prev,
    t ? t.modified : null,
    t ? t.accessed : null,
    t ? t.created : null,
    t ? t.changed : null,
    ...tail(),
  ];
  const rows = [row(rec.openTs, 'SMB::FILE_OPEN', name, null)];
  if (rec.actions.includes('rename') && rec.renamedTo !== null) {
    rows.push(row(rec.renameTs ?? rec.ts, 'SMB::FILE_RENAME', rec.renamedTo.replace(/^\\+/, ''), name));
  }
  if (rec.actions.includes('delete')) {
    const n = rec.renamedTo !== null && rec.actions.includes('rename') ? rec.renamedTo.replace(/^\\+/, '') : name;
    rows.push(row(rec.deleteTs ?? rec.ts, 'SMB::FILE_DELETE', n, null));
  }
  return rows;
}

/** Zeek's recent_files key of a smb_files row: everything Zeek compares, access time left out. */
export function fileRowIdent(row: readonly ZeekValue[]): string {
  // action, name, path, size, modified, created, changed (fuid is never set here)
  return [row[7], row[9], row[8], row[10], row[12], row[14], row[15]].map((v) => String(v)).join('\u0000');
}

// ---- dce_rpc ----------------------------------------------------------------------------------

export const DCE_RPC_ZEEK_COLUMNS = 10;
export const DCE_RPC_FIELDS: readonly ZeekField[] = [
  ...ID_FIELDS,
  ['rtt', 'interval'],
  ['named_pipe', 'string'],
  ['endpoint', 'string'],
  ['operation', 'string'],
  // sharewatch
  ['community_id', 'string'],
  ['transport', 'string'],
  ['session_id', 'string'],
  ['user', 'string'],
  ['domain', 'string'],
  ['interface_uuid', 'string'],
  ['interface_version', 'string'],
  ['opnum', 'count'],
  ['auth_level', 'string'],
  ['encrypted', 'bool'],
  ['return_code', 'string'],
  ['fault', 'string'],
  ['outcome', 'string'],
  ['args', 'vector[string]'],
];

function argText(v: DcerpcArgValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join('|');
  return String(v);
}

/**
 * rtt as Zeek computes it: the difference of two packet times that were doubles of
 * seconds + µs/1e6 (so the sixth decimal rounds like Zeek's).
 */
export function zeekRtt(end: Timestamp, durationNs: number): { seconds: number } {
  const start = subtractNs(end, durationNs);
  const d = (t: Timestamp): number => t.sec + Math.floor(t.nsec / 1000) / 1e6;
  return { seconds: d(end) - d(start) };
}

export function dceRpcRow(rec: DcerpcCallRecord): ZeekValue[] {
  const s = rec.session;
  const start = rec.durationNs === null ? rec.ts : subtractNs(rec.ts, rec.durationNs);
  // Zeek's named_pipe is the bind_ack's secondary address; without it, what it usually says:
  // `\PIPE\name` over SMB, the server port over TCP
  const namedPipe =
    rec.secondaryAddress ?? (rec.pipe !== null ? '\\PIPE\\' + rec.pipe : String(rec.flow.serverPort));
  return [
    ...idCols(start, rec.flow),
    rec.durationNs === null ? null : zeekRtt(rec.ts, rec.durationNs),
    namedPipe,
    rec.interfaceName,
    rec.operation,
    communityId(rec.flow),
    rec.transport,
    s.sessionId,
    nonEmpty(s.user),
    nonEmpty(userDomain(s)),
    rec.interfaceUuid,
    rec.interfaceVersion,
    rec.opnum,
    rec.authLevel,
    rec.encrypted,
    rec.returnCode,
    rec.fault,
    rec.outcome,
    Object.keys(rec.args)
      .filter((k) => rec.args[k] !== null)
      .map((k) => `${k}=${argText(rec.args[k]!)}`),
  ];
}

// ---- ntlm -------------------------------------------------------------------------------------

export const NTLM_ZEEK_COLUMNS = 13;
export const NTLM_FIELDS: readonly ZeekField[] = [
  ...ID_FIELDS,
  ['username', 'string'],
  ['hostname', 'string'],
  ['domainname', 'string'],
  ['server_nb_computer_name', 'string'],
  ['server_dns_computer_name', 'string'],
  ['server_tree_name', 'string'],
  ['success', 'bool'],
  // sharewatch
  ['community_id', 'string'],
  ['session_id', 'string'],
  ['smb_version', 'string'],
  ['status', 'string'],
  ['auth', 'string'],
];

/** The ntlm.log row of a SESSION_SETUP exchange (null when it did not use NTLMSSP) or of a TCP connection's binds. */
export function ntlmRow(rec: SessionSetupRecord | NtlmAuthRecord): ZeekValue[] | null {
  const n = rec.ntlm;
  if (!n) return null;
  return [
    ...idCols(rec.ts, rec.flow),
    nonEmpty(n.user),
    nonEmpty(n.workstation),
    nonEmpty(n.domain),
    n.serverNbComputerName,
    n.serverDnsComputerName,
    n.serverTreeName,
    // Zeek: from SPNEGO's negResult (accept-completed / reject); unset without SPNEGO
    n.negState === 0 ? true : n.negState === 2 ? false : null,
    communityId(rec.flow),
    rec.session.sessionId,
    rec.session.version,
    rec.kind === 'session-setup' ? rec.status : null,
    rec.kind === 'session-setup' ? rec.auth : 'ntlmssp',
  ];
}

// ---- notice -----------------------------------------------------------------------------------

export const NOTICE_ZEEK_COLUMNS = 26;
export const NOTICE_FIELDS: readonly ZeekField[] = [
  ...ID_FIELDS,
  ['fuid', 'string'],
  ['file_mime_type', 'string'],
  ['file_desc', 'string'],
  ['proto', 'enum'],
  ['note', 'enum'],
  ['msg', 'string'],
  ['sub', 'string'],
  ['src', 'addr'],
  ['dst', 'addr'],
  ['p', 'port'],
  ['n', 'count'],
  ['peer_descr', 'string'],
  ['actions', 'set[enum]'],
  ['email_dest', 'set[string]'],
  ['suppress_for', 'interval'],
  ['remote_location.country_code', 'string'],
  ['remote_location.region', 'string'],
  ['remote_location.city', 'string'],
  ['remote_location.latitude', 'double'],
  ['remote_location.longitude', 'double'],
  // sharewatch
  ['community_id', 'string'],
  ['rule_id', 'string'],
  ['severity', 'count'],
  ['techniques', 'vector[string]'],
  ['session_id', 'string'],
  ['user', 'string'],
  ['domain', 'string'],
  ['share', 'string'],
  ['dcerpc_operation', 'string'],
];

export function noticeRow(a: AlertRecord, suppressForSec: number): ZeekValue[] {
  const r = a.about;
  const f = r.flow;
  const s = r.session;
  const share = r.kind === 'tree-connect' || r.kind === 'tree-disconnect' ? r.tree.share : null;
  const op = r.kind === 'dcerpc-call' ? `${r.interfaceName}::${r.operation}` : null;
  return [
    ...idCols(a.ts, f),
    null,
    null,
    null,
    'tcp',
    a.ruleName,
    a.message,
    // the techniques in words: Zeek's sub-message is free text
    a.techniques.map((t) => `${t.id} ${t.name}`).join('; ') || null,
    f.clientIp,
    f.serverIp,
    f.serverPort,
    a.count,
    null,
    ['Notice::ACTION_LOG'],
    [],
    suppressForSec * 1e9,
    null,
    null,
    null,
    null,
    null,
    communityId(f),
    a.ruleId,
    a.severity,
    a.techniques.map((t) => t.id),
    s.sessionId,
    nonEmpty(s.user),
    nonEmpty(userDomain(s)),
    share,
    op,
  ];
}
