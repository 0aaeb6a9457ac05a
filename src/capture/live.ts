/**
 * Live capture through a `tcpdump -U -w -` child: libpcap opens the interface, applies the BPF
 * filter in the kernel and stamps every packet; its pcap stream feeds the same streaming reader
 * as replay, so live and offline share one code path. Kernel drop counts come from tcpdump's
 * statistics (SIGUSR1 on request, and at exit).
 *
 * Why not the `cap` npm addon: cap 0.2.1 hands packets without their pcap header, so neither
 * capture timestamps nor drop counts reach JavaScript, and it is a native build to maintain.
 *
 * This file holds the child's lifecycle (start, stop, stats requests, how it ended); its command
 * line, error explanations, counters and the privilege drop live beside it (tcpdump-command.ts,
 * tcpdump-errors.ts, tcpdump-stats.ts, privileges.ts).
 *
 * tcpdump is started with SIGHUP ignored (`trap '' HUP; exec tcpdump …`; tcpdump keeps an ignored
 * SIGHUP, "cooperate with nohup"), so a HUP sent to the whole service (logrotate's
 * `systemctl kill -s HUP`) reopens our -w file without ending the capture.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findTcpdump, tcpdumpArgs, TCPDUMP_PACKAGE_HINT, type LiveOptions } from './tcpdump-command';
import { explainTcpdumpError, LiveCaptureError } from './tcpdump-errors';
import { TcpdumpStats, type LiveStats } from './tcpdump-stats';

// the room's live-capture interface in one import for cli (the parts are in the files above)
export { DEFAULT_BUFFER_MIB, findTcpdump, tcpdumpArgs, TCPDUMP_PACKAGE_HINT, type LiveOptions } from './tcpdump-command';
export { explainTcpdumpError, LiveCaptureError, missingCaptureCaps } from './tcpdump-errors';
export type { LiveStats } from './tcpdump-stats';
export { dropPrivileges, lookupUser } from './privileges';

export class LiveCapture {
  readonly opts: LiveOptions;
  private readonly counters = new TcpdumpStats();
  private child: ChildProcess | null = null;
  private stderrText = '';
  private stopRequested = false;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(opts: LiveOptions) {
    this.opts = opts;
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  /**
   * Starts tcpdump; resolves with its stdout (a pcap stream) once libpcap says it is listening,
   * rejects with a LiveCaptureError naming the problem otherwise.
   */
  start(): Promise<NodeJS.ReadableStream> {
    const bin = findTcpdump(this.opts.tcpdump ?? 'tcpdump');
    if (bin === null) {
      return Promise.reject(new LiveCaptureError(`${this.opts.tcpdump ?? 'tcpdump'} not found: ${TCPDUMP_PACKAGE_HINT}`));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const child = spawn('/bin/sh', ['-c', `trap '' HUP; exec "$0" "$@"`, bin, ...tcpdumpArgs(this.opts)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        reject(new LiveCaptureError(`cannot start ${bin}: ${e.message}`));
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        this.stderrText = (this.stderrText + chunk).slice(-8192);
        this.counters.feed(chunk);
        if (!settled && /listening on/.test(this.stderrText)) {
          settled = true;
          resolve(child.stdout!);
        }
      });
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
      });
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.markClosed();
        if (settled) return;
        settled = true;
        const text = this.stderrText.trim() === '' && code === 126 ? `${bin}: not executable` : this.stderrText;
        reject(new LiveCaptureError(explainTcpdumpError(text, this.opts)));
      });
    });
  }

  /** tcpdump's counters as last printed (updated as its stderr arrives) */
  get stats(): LiveStats {
    return this.counters.stats;
  }

  /** Ask tcpdump for its counters (answered asynchronously on stderr). */
  requestStats(): void {
    if (this.child && this.exitInfo === null) this.signal('SIGUSR1');
  }

  /** Stop capturing: tcpdump flushes its last packets, prints its counters and exits, ending the stream. */
  stop(): void {
    this.stopRequested = true;
    if (this.child && this.exitInfo === null) this.signal('SIGINT');
  }

  /** Resolves when tcpdump has exited and its stderr (final counters) is read. */
  async exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child) await this.closed;
    return this.exitInfo ?? { code: null, signal: null };
  }

  /**
   * Why the capture ended when nobody asked it to (interface gone, tcpdump killed), or null
   * after stop() or a clean end. Call after exited().
   */
  unexpectedEnd(): string | null {
    if (this.stopRequested || this.exitInfo === null) return null;
    const { code, signal } = this.exitInfo;
    const last = this.stderrText
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/packets? (captured|received|dropped)/.test(l) && !l.includes('listening on'))
      .pop();
    const how = signal ? `killed by ${signal}` : `exit status ${code}`;
    return `capture on ${this.opts.iface} ended unexpectedly: tcpdump ${how}${last ? ` (${last.replace(/^tcpdump: /, '')})` : ''}`;
  }

  get lastStderr(): string {
    return this.stderrText;
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      this.child!.kill(sig);
    } catch {
      /* EPERM after a privilege mix-up, or already gone: nothing to do */
    }
  }
}
