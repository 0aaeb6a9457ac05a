/**
 * --zeek-dir DIR: writes Zeek's smb_mapping, smb_files, dce_rpc, ntlm and notice logs beside the
 * main output. Fed every OutputRecord (like an EventWriter) and, through writeInternal, the tracker's
 * internal FileRecords, which are not events of their own.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import type { FileRecord, InternalRecord, OutputRecord, Timestamp } from '../../shared/records';
import { ZeekLogFile } from './log-file';
import {
  DCE_RPC_FIELDS,
  NOTICE_FIELDS,
  NTLM_FIELDS,
  SMB_FILES_FIELDS,
  SMB_MAPPING_FIELDS,
  dceRpcRow,
  fileRowIdent,
  fileRows,
  mappingRow,
  noticeRow,
  ntlmRow,
} from './logs';
import { connUid } from './ids';
import type { EventWriter } from '../writer';

export interface ZeekDirOptions {
  dir: string;
  json: boolean;
  /** the alert suppression window (notice.log suppress_for), seconds */
  suppressForSec: number;
  onError?: (message: string, code?: string) => void;
}

/** Zeek's SMB::State$recent_files expiry */
const RECENT_FILES_SEC = 180;
/** bound on remembered smb_files rows (oldest forgotten first) */
const RECENT_FILES_MAX = 65536;

/** Throws with a one-line message when DIR cannot be made or written. */
export function prepareZeekDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  accessSync(dir, constants.W_OK);
}

export class ZeekDirWriter {
  private readonly mapping: ZeekLogFile;
  private readonly files: ZeekLogFile;
  private readonly dceRpc: ZeekLogFile;
  private readonly ntlm: ZeekLogFile;
  private readonly notice: ZeekLogFile;
  private last: Timestamp = { sec: 0, nsec: 0 };
  /** recent smb_files rows by connection uid + row identity → capture second last seen */
  private readonly recent = new Map<string, number>();

  constructor(private readonly opts: ZeekDirOptions) {
    prepareZeekDir(opts.dir);
    const log = (name: string, fields: typeof SMB_MAPPING_FIELDS): ZeekLogFile =>
      new ZeekLogFile({ dir: opts.dir, name, fields, json: opts.json, onError: opts.onError });
    this.mapping = log('smb_mapping', SMB_MAPPING_FIELDS);
    this.files = log('smb_files', SMB_FILES_FIELDS);
    this.dceRpc = log('dce_rpc', DCE_RPC_FIELDS);
    this.ntlm = log('ntlm', NTLM_FIELDS);
    this.notice = log('notice', NOTICE_FIELDS);
  }

  private get all(): ZeekLogFile[] {
    return [this.mapping, this.files, this.dceRpc, this.ntlm, this.notice];
  }

  private tick(ts: Timestamp): void {
    if (ts.sec > this.last.sec || (ts.sec === this.last.sec && ts.nsec > this.last.nsec)) this.last = ts;
  }

  write(rec: OutputRecord): void {
    this.tick(rec.ts);
    switch (rec.kind) {
      case 'tree-disconnect':
        this.mapping.write(mappingRow(rec), rec.ts);
        return;
      case 'tree-connect':
        if (!rec.tree.success) this.mapping.write(mappingRow(rec), rec.ts);
        return;
      case 'session-setup': {
        const row = ntlmRow(rec);
        if (row) this.ntlm.write(row, rec.ts);
        return;
      }
      case 'dcerpc-call':
        this.dceRpc.write(dceRpcRow(rec), rec.ts);
        return;
      case 'alert':
        this.notice.write(noticeRow(rec, this.opts.suppressForSec), rec.ts);
        return;
      default:
        return;
    }
  }

  /** the tracker's internal records: file handles (smb_files) and NTLM of TCP binds (ntlm) */
  writeInternal(rec: InternalRecord): void {
    if (rec.kind === 'ntlm') {
      this.tick(rec.ts);
      const row = ntlmRow(rec);
      if (row) this.ntlm.write(row, rec.ts);
      return;
    }
    this.writeFile(rec);
  }

  writeFile(rec: FileRecord): void {
    this.tick(rec.ts);
    const uid = connUid(rec.flow);
    for (const row of fileRows(rec)) {
      const key = uid + '\u0000' + fileRowIdent(row);
      const seen = this.recent.get(key);
      const now = (row[0] as Timestamp).sec;
      if (seen !== undefined && now - seen <= RECENT_FILES_SEC) {
        // Zeek's &read_expire: a repeat keeps the entry alive
        this.recent.delete(key);
        this.recent.set(key, now);
        continue;
      }
      this.recent.delete(key);
      if (this.recent.size >= RECENT_FILES_MAX) this.recent.delete(this.recent.keys().next().value as string);
      this.recent.set(key, now);
      this.files.write(row, rec.ts);
    }
  }

  flushSync(): void {
    for (const f of this.all) f.flushSync();
  }

  /** SIGHUP: every open log gets its #close and is reopened. */
  reopen(): void {
    for (const f of this.all) f.reopen(this.last);
  }

  async close(): Promise<void> {
    for (const f of this.all) await f.close(this.last);
  }
}

/** The main writer and a ZeekDirWriter as one EventWriter (write, flush, SIGHUP and close reach both). */
export function withZeekDir(main: EventWriter, opts: ZeekDirOptions): EventWriter & { writeInternal(rec: InternalRecord): void } {
  const zeek = new ZeekDirWriter(opts);
  return {
    write(rec: OutputRecord): void {
      main.write(rec);
      zeek.write(rec);
    },
    writeInternal(rec: InternalRecord): void {
      zeek.writeInternal(rec);
    },
    flushSync(): void {
      main.flushSync();
      zeek.flushSync();
    },
    reopen(): void {
      main.reopen();
      zeek.reopen();
    },
    async close(): Promise<void> {
      await main.close();
      await zeek.close();
    },
  };
}
