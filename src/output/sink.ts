/**
 * Line sink over SonicBoom (what pino.destination builds, without loading pino): stdout or a file opened for append, whole lines
 * only, flushSync that really drains, reopen for logrotate.
 *
 * Why SonicBoom in sync mode (buffered, minLength 4096) and not sync:false: with sync:false a
 * chunk may be in flight in libuv's thread pool when SIGTERM/exit arrives; SonicBoom.flushSync()
 * then writes the queued chunks while the in-flight one is still pending, so the tail can be
 * reordered, interleaved (pipe writes above PIPE_BUF are not atomic) or lost at exit — a partial
 * JSON line. In sync mode nothing is ever in flight: lines collect in memory and are written with
 * writeSync once 64 Ki characters are buffered or at the end of the current event-loop turn
 * (setImmediate), so live events are not delayed and flushSync leaves only complete lines. A slow
 * reader blocks the analyzer (back-pressure into tcpdump and visible kernel drops) instead of
 * growing memory without bound.
 *
 * The lines are gathered here, in one string, and handed to SonicBoom one batch at a time:
 * SonicBoom.write measures the UTF-8 length of every string it gets and of its whole pending
 * buffer on each call, which cost more than building the line at one write per event.
 */
import SonicBoom from 'sonic-boom';
import { ByteOut } from './byte-out';

type Dest = SonicBoom;

/** pino.destination's reading of `dest`: a numeric string is a file descriptor */
function destOf(d: string | number): string | number {
  return typeof d === 'string' && Number.isFinite(Number(d)) ? Number(d) : d;
}

/** pino.destination's EPIPE filter: the reader went away, later writes are dropped (not thrown). */
function dropWritesOnEpipe(dest: Dest): void {
  const noop = (): void => {};
  dest.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') return;
    const d = dest as unknown as Record<string, unknown>;
    d.write = noop;
    d.end = noop;
    d.flushSync = noop;
    d.destroy = noop;
  });
}

export interface LineSinkOptions {
  /** file path (opened for append, created if missing) or null for stdout */
  path: string | null;
  /** file descriptor to use instead of stdout when path is null (tests) */
  fd?: number;
  /** buffered characters (UTF-16 units) that trigger a write (default 65536) */
  minLength?: number;
  /** lines are written as bytes into `bytes` (then committed()) instead of write(string) */
  bytes?: boolean;
  /** write errors (EPIPE, ENOSPC, reopen failures) with the errno code; default: one line on stderr */
  onError?: (message: string, code?: string) => void;
}

export class LineSink {
  private readonly dest: Dest;
  private readonly path: string | null;
  private readonly onError: (message: string, code?: string) => void;
  /** complete lines not yet handed to the destination */
  private batch = '';
  private readonly batchMax: number;
  /** bytes mode: the batch as UTF-8 (complete lines only between records) */
  readonly bytes: ByteOut | null;
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private broken = false;
  /** the error a failed reopen threw: SonicBoom emits it again on the next tick */
  private reopenError: unknown = null;

  constructor(opts: LineSinkOptions) {
    this.path = opts.path;
    this.onError =
      opts.onError ??
      ((m) => {
        process.stderr.write(`sharewatch: ${m}\n`);
      });
    this.batchMax = opts.minLength ?? 65536;
    this.bytes = opts.bytes ? new ByteOut(this.batchMax + 8192) : null;
    // sync: true opens the file now, so a bad -w path throws here (usage error, exit 2);
    // minLength 0: every batch handed over is written at once (writeSync)
    this.dest = new SonicBoom({
      dest: destOf(opts.path ?? opts.fd ?? 1),
      sync: true,
      append: true,
      minLength: 0,
      ...(opts.bytes ? { contentMode: 'buffer' as const } : {}),
    });
    dropWritesOnEpipe(this.dest);
    this.dest.on('error', (e: Error) => {
      if (e !== this.reopenError) this.fail(e);
    });
  }

  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = true;
    const code = (e as NodeJS.ErrnoException).code;
    // EPIPE: the reader went away (`| head`); like tcpdump, stop writing, no stack trace
    this.onError(`${this.path ?? 'stdout'}: ${code === 'EPIPE' ? 'output closed by reader' : e.message}; events are no longer written`, code);
  }

  /** Queue complete lines (each ending in '\n'). */
  write(lines: string): void {
    if (this.closed || this.broken || lines === '') return;
    this.batch += lines;
    if (this.batch.length >= this.batchMax) this.handOver();
    if (this.scheduled === null) this.scheduled = setImmediate(this.flushTurn);
  }

  /** Bytes mode: the line(s) just written into `bytes` are complete. */
  committed(): void {
    const o = this.bytes!;
    if (this.closed || this.broken) {
      o.pos = 0;
      return;
    }
    if (o.pos >= this.batchMax) this.handOver();
    if (this.scheduled === null) this.scheduled = setImmediate(this.flushTurn);
  }

  /** The batch to the destination, which writes it now (sync mode, minLength 0). */
  private handOver(): void {
    const o = this.bytes;
    if (o !== null) {
      if (o.pos === 0) return;
      // handed over, not copied: SonicBoom may keep it while a partial write is retried
      const chunk = o.take();
      if (this.broken) return;
      try {
        this.dest.write(chunk as unknown as string);
      } catch (e) {
        this.fail(e as Error);
      }
      return;
    }
    const b = this.batch;
    if (b === '') return;
    this.batch = '';
    if (this.broken) return;
    try {
      this.dest.write(b);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private readonly flushTurn = (): void => {
    this.scheduled = null;
    if (this.closed || this.broken) return;
    this.handOver();
  };

  /** Write everything buffered, synchronously (exit handlers, signals). */
  flushSync(): void {
    if (this.closed || this.broken) return;
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    this.handOver();
    if (this.broken) return;
    try {
      this.dest.flushSync();
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** SIGHUP: finish the current file, then open the same path again (logrotate's rename). */
  reopen(): void {
    if (this.path === null || this.closed) return;
    this.flushSync();
    try {
      this.dest.reopen();
      this.broken = false;
    } catch (e) {
      // SonicBoom keeps the old fd: events keep going to the renamed file
      this.reopenError = e;
      this.onError(`${this.path}: reopen failed: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code ?? 'EREOPEN');
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flushSync();
    this.closed = true;
    return new Promise((resolve) => {
      const done = (): void => resolve();
      this.dest.once('close', done);
      this.dest.once('error', done);
      try {
        this.dest.end();
      } catch {
        resolve();
      }
    });
  }
}
