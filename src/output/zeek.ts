/**
 * `--format zeek`: a Zeek-style ASCII log shaped like Zeek's smb_mapping.log, so zeek-cut and
 * Zeek log tooling read it. The first ten columns are Zeek's smb_mapping columns in Zeek's order;
 * sharewatch's own columns follow (zeek-cut selects by name, extra columns are harmless).
 *
 * Rows: one per tree — written when the tree ends (smb-tree-disconnect, with its duration,
 * end reason and activity; smb-inferred-tree likewise, see inferredRow) — plus one per failed
 * TREE_CONNECT (which never gets a disconnect),
 * so every mapping attempt Zeek would log appears once. `ts` is the tree-connect response time
 * (disconnect time minus the tree's duration), as Zeek's ts is the mapping's time.
 * Session events and alerts are not mapping rows and are not written in this format (use ndjson
 * or pretty for them; they still count in the summary and metrics).
 *
 * uid: Zeek's uid names a connection; here it is "C" + base62 of a 64-bit FNV-1a hash of the
 * 4-tuple, deterministic across replays (two connections reusing one 4-tuple share a uid).
 * #open/#close: capture time (UTC) of the first row's record / the last record seen, not the wall
 * clock, so replays are byte-identical. service and native_file_system are not tracked: unset.
 */
import type { Flow, InferredTreeRecord, OutputRecord, TreeConnectRecord, TreeDisconnectRecord } from '../shared/records';
import type { Timestamp } from '../shared/records';
import { userDomain } from './ecs';
import { zeekString } from './escape';
import { subtractNs, zeekHeaderTime, zeekInterval, zeekTime } from './timestamp';

const FIELDS: readonly (readonly [string, string])[] = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
  ['path', 'string'],
  ['service', 'string'],
  ['native_file_system', 'string'],
  ['share_type', 'string'],
  // sharewatch columns
  ['session_id', 'string'],
  ['tree_id', 'string'],
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

export const ZEEK_PATH = 'smb_mapping';
const UNSET = '-';

/** The header block, #open stamped with `open` (capture time). */
export function zeekHeader(open: Timestamp): string {
  return (
    '#separator \\x09\n' +
    '#set_separator\t,\n' +
    '#empty_field\t(empty)\n' +
    '#unset_field\t-\n' +
    `#path\t${ZEEK_PATH}\n` +
    `#open\t${zeekHeaderTime(open)}\n` +
    `#fields\t${FIELDS.map((f) => f[0]).join('\t')}\n` +
    `#types\t${FIELDS.map((f) => f[1]).join('\t')}\n`
  );
}

export function zeekFooter(close: Timestamp): string {
  return `#close\t${zeekHeaderTime(close)}\n`;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const M64 = (1n << 64n) - 1n;

/** Zeek-like connection uid from the 4-tuple (see the module comment). */
export function flowUid(f: Flow): string {
  const key = `${f.clientIp}|${f.clientPort}|${f.serverIp}|${f.serverPort}`;
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) {
    h ^= BigInt(key.charCodeAt(i));
    h = (h * FNV_PRIME) & M64;
  }
  let s = '';
  while (h > 0n) {
    s = B62[Number(h % 62n)] + s;
    h /= 62n;
  }
  return 'C' + s.padStart(11, '0');
}

function opt(s: string | null): string {
  return s === null ? UNSET : zeekString(s);
}

function mappingRow(rec: TreeConnectRecord | TreeDisconnectRecord): string {
  const f = rec.flow;
  const t = rec.tree;
  const s = rec.session;
  const ended = rec.kind === 'tree-disconnect' ? rec : null;
  const connectTs = ended ? subtractNs(rec.ts, ended.durationNs) : rec.ts;
  const cols = [
    zeekTime(connectTs),
    flowUid(f),
    f.clientIp,
    String(f.clientPort),
    f.serverIp,
    String(f.serverPort),
    zeekString(t.share),
    UNSET,
    UNSET,
    t.shareType === null ? UNSET : t.shareType.toUpperCase(),
    opt(s.sessionId),
    zeekString(t.treeId),
    opt(s.user),
    opt(userDomain(s)),
    t.shareClass,
    zeekString(t.status),
  ];
  if (ended) {
    const a = ended.activity;
    cols.push(
      ended.reason,
      zeekInterval(ended.durationNs),
      String(a.creates),
      String(a.reads),
      String(a.writes),
      String(a.bytesRead),
      String(a.bytesWritten),
      String(a.ioctls),
      ended.files.length === 0 ? '(empty)' : ended.files.slice(0, 16).map((n) => zeekString(n, true)).join(','),
    );
  } else {
    for (let i = 0; i < 9; i++) cols.push(UNSET);
  }
  return cols.join('\t') + '\n';
}

/**
 * An inferred tree (inside an encrypted session): a mapping whose path, tree id and status were
 * never visible — unset — with the inferred share class (`admin`/`unknown`), its end, duration and
 * the activity message sizes tell (creates, writes, bytes written; reads and ioctls unset).
 * The candidates and confidence are in the ndjson and pretty formats.
 */
function inferredRow(rec: InferredTreeRecord): string {
  const f = rec.flow;
  const s = rec.session;
  const a = rec.activity;
  return [
    zeekTime(rec.startTs),
    flowUid(f),
    f.clientIp,
    String(f.clientPort),
    f.serverIp,
    String(f.serverPort),
    UNSET,
    UNSET,
    UNSET,
    UNSET,
    opt(s.sessionId),
    UNSET,
    opt(s.user),
    opt(userDomain(s)),
    rec.shareClass,
    UNSET,
    rec.reason,
    zeekInterval(rec.durationNs),
    String(a.creates),
    UNSET,
    String(a.writes),
    UNSET,
    String(a.bytesWritten),
    UNSET,
    '(empty)',
  ].join('\t') + '\n';
}

/** The row a record contributes to the log, or null when it is not a mapping row. */
export function zeekRow(rec: OutputRecord): string | null {
  if (rec.kind === 'tree-disconnect') return mappingRow(rec);
  if (rec.kind === 'inferred-tree') return inferredRow(rec);
  if (rec.kind === 'tree-connect' && !rec.tree.success) return mappingRow(rec);
  return null;
}

/** Header on the first row, rows, #close on finish; restart after a reopen (new file). */
export class ZeekLog {
  private headerDone = false;
  private last: Timestamp | null = null;

  /** Text to write for this record ('' when none). */
  add(rec: OutputRecord): string {
    this.last = rec.ts;
    const row = zeekRow(rec);
    if (row === null) return '';
    if (this.headerDone) return row;
    this.headerDone = true;
    return zeekHeader(rec.ts) + row;
  }

  /** #close for a file that got a header ('' otherwise); the next row starts a new header. */
  finish(): string {
    if (!this.headerDone || this.last === null) return '';
    this.headerDone = false;
    return zeekFooter(this.last);
  }
}
