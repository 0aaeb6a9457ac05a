/**
 * Event writers: OutputRecord → bytes on stdout or a -w file, in the chosen format.
 *
 * ndjson writes the bytes of JSON.stringify(toEcs(rec)) (by hand, into the sink's byte batch: see
 * writeNdjsonLine) through SonicBoom (pino's destination; pino itself is not loaded), not through a pino logger:
 * pino 10.4 cannot write exactly our object — with `formatters.level: () => ({})` (to drop
 * "level") every line starts `{,"@timestamp"…` (invalid JSON; pinojs/pino#1042, #2080), and its
 * own string escaper writes lone surrogates of short top-level strings raw (→ U+FFFD on output)
 * while nested values get JSON.stringify's \udXXX — two encodings of one string in one line.
 */
import type { OutputRecord } from '../shared/records';
import { writeNdjsonLine } from './ecs';
import { formatPretty } from './pretty';
import { LineSink, type LineSinkOptions } from './sink';
import { ZeekLog } from './zeek';
import { defaultObserver, type Observer } from './observer';

export type OutputFormat = 'ndjson' | 'pretty' | 'zeek';

export interface EventWriter {
  write(rec: OutputRecord): void;
  /** write everything buffered now, synchronously (exit, SIGINT/SIGTERM) */
  flushSync(): void;
  /** SIGHUP: reopen the -w path (no-op on stdout) */
  reopen(): void;
  /** flush, finish the format (zeek #close) and close the file */
  close(): Promise<void>;
}

export interface WriterOptions {
  format: OutputFormat;
  /** -w FILE (append) or null for stdout */
  path: string | null;
  /** stdout replacement when path is null (tests) */
  fd?: number;
  onError?: (message: string, code?: string) => void;
  /** observer.* of every ndjson line (default: this host, no interface) */
  observer?: Observer;
}

/** What every format does with its sink: flush, reopen and close pass straight through. */
abstract class SinkWriter implements EventWriter {
  constructor(protected readonly sink: LineSink) {}
  abstract write(rec: OutputRecord): void;
  flushSync(): void {
    this.sink.flushSync();
  }
  reopen(): void {
    this.sink.reopen();
  }
  close(): Promise<void> {
    return this.sink.close();
  }
}

class LineWriter extends SinkWriter {
  constructor(
    sink: LineSink,
    private readonly format: (rec: OutputRecord) => string,
  ) {
    super(sink);
  }
  write(rec: OutputRecord): void {
    this.sink.write(this.format(rec));
  }
}

/** ndjson: each line written as UTF-8 straight into the sink's byte batch */
class NdjsonWriter extends SinkWriter {
  private readonly out;
  constructor(
    sink: LineSink,
    private readonly observer: Observer,
  ) {
    super(sink);
    this.out = sink.bytes!;
  }
  write(rec: OutputRecord): void {
    const o = this.out;
    const start = o.pos;
    try {
      writeNdjsonLine(rec, o, this.observer);
    } catch (e) {
      // never leave half a line in the batch
      o.pos = start;
      throw e;
    }
    this.sink.committed();
  }
}

class ZeekWriter extends SinkWriter {
  private readonly log = new ZeekLog();
  write(rec: OutputRecord): void {
    this.sink.write(this.log.add(rec));
  }
  override reopen(): void {
    // the old file gets its #close (as Zeek's rotation does), the new one a fresh header
    this.sink.write(this.log.finish());
    this.sink.reopen();
  }
  override close(): Promise<void> {
    this.sink.write(this.log.finish());
    return this.sink.close();
  }
}

/** Throws (ENOENT, EACCES, EISDIR…) when the -w file cannot be opened. */
export function createWriter(opts: WriterOptions): EventWriter {
  const sinkOpts: LineSinkOptions = { path: opts.path, fd: opts.fd, onError: opts.onError };
  switch (opts.format) {
    case 'ndjson':
      return new NdjsonWriter(new LineSink({ ...sinkOpts, bytes: true }), opts.observer ?? defaultObserver());
    case 'pretty':
      return new LineWriter(new LineSink(sinkOpts), formatPretty);
    case 'zeek':
      return new ZeekWriter(new LineSink(sinkOpts));
    default:
      throw new Error(`unknown output format: ${String(opts.format)}`);
  }
}
