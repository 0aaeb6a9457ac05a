/**
 * One Zeek log file in the --zeek-dir directory: created when its first row comes (Zeek writes no
 * file for a log without rows), ASCII header block before the first row, `#close` when the run
 * ends or the file is rotated (SIGHUP: `#close`, reopen the same path, a new header with the next
 * row — what logrotate expects, as for -w). Files are opened for append, like -w.
 *
 * `#open` and `#close` carry capture time (the first row's record / the last record seen), not the
 * wall clock, so replays are byte-identical; Zeek writes the wall-clock time of opening and closing.
 */
import path from 'node:path';
import type { Timestamp } from '../../shared/records';
import { LineSink } from '../sink';
import { zeekHeaderTime } from '../timestamp';
import { asciiRow, jsonRow, type ZeekField, type ZeekValue } from './values';

export interface ZeekLogOptions {
  dir: string;
  /** Zeek's #path (file name without .log) */
  name: string;
  fields: readonly ZeekField[];
  json: boolean;
  onError?: (message: string, code?: string) => void;
}

export function zeekHeader(name: string, fields: readonly ZeekField[], open: Timestamp): string {
  return (
    '#separator \\x09\n' +
    '#set_separator\t,\n' +
    '#empty_field\t(empty)\n' +
    '#unset_field\t-\n' +
    `#path\t${name}\n` +
    `#open\t${zeekHeaderTime(open)}\n` +
    `#fields\t${fields.map((f) => f[0]).join('\t')}\n` +
    `#types\t${fields.map((f) => f[1]).join('\t')}\n`
  );
}

export class ZeekLogFile {
  readonly file: string;
  private sink: LineSink | null = null;
  private headerDone = false;
  rows = 0;

  constructor(private readonly opts: ZeekLogOptions) {
    this.file = path.join(opts.dir, `${opts.name}.log`);
  }

  write(row: readonly ZeekValue[], ts: Timestamp): void {
    const sink = (this.sink ??= new LineSink({ path: this.file, onError: this.opts.onError }));
    let text = '';
    if (this.opts.json) text = jsonRow(this.opts.fields, row);
    else {
      if (!this.headerDone) {
        text = zeekHeader(this.opts.name, this.opts.fields, ts);
        this.headerDone = true;
      }
      text += asciiRow(this.opts.fields, row);
    }
    sink.write(text);
    this.rows++;
  }

  private finish(close: Timestamp): void {
    if (this.sink !== null && this.headerDone) this.sink.write(`#close\t${zeekHeaderTime(close)}\n`);
    this.headerDone = false;
  }

  /** SIGHUP: close the block in the current file, reopen the path. */
  reopen(close: Timestamp): void {
    if (this.sink === null) return;
    this.finish(close);
    this.sink.reopen();
  }

  flushSync(): void {
    this.sink?.flushSync();
  }

  close(close: Timestamp): Promise<void> {
    if (this.sink === null) return Promise.resolve();
    this.finish(close);
    return this.sink.close();
  }
}
