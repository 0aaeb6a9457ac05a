/**
 * Live capture through a `tcpdump -U -w -` child: libpcap opens the interface, applies the BPF
 * filter in the kernel and stamps every packet; its pcap stream feeds the same streaming reader
 * as replay, so live and offline share one code path. Kernel drop counts come from tcpdump's
 * statistics (SIGUSR1 on request, and at exit).
 *
 * Why not the `cap` npm addon: cap 0.2.1 hands packets without their pcap header, so neither
 * capture timestamps nor drop counts reach JavaScript, and it is a native build to maintain.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface LiveOptions {
  iface: string;
  bpf: string;
  snaplen: number;
  bufferSizeMiB: number | null;
  /** tcpdump drops its own privileges to this user once the capture is open (-Z) */
  user: string | null;
  tcpdump?: string;
}

export class LiveCaptureError extends Error {}

export interface LiveStats {
  captured: number;
  received: number;
  droppedKernel: number;
}

const STATS_RE = /(\d+) packets captured, (\d+) packets received by filter, (\d+) packets dropped by kernel/;
const EXIT_STATS_RE = /(\d+) packets? (captured|received by filter|dropped by kernel)/g;

export function tcpdumpArgs(o: LiveOptions): string[] {
  const args = ['-U', '-w', '-', '-n', '-i', o.iface, '-s', String(o.snaplen), '--immediate-mode', '--time-stamp-precision=nano'];
  if (o.bufferSizeMiB !== null) args.push('-B', String(o.bufferSizeMiB * 1024));
  if (o.user) args.push('-Z', o.user);
  args.push(o.bpf);
  return args;
}

/** One clear sentence for what tcpdump/libpcap said when the capture could not start. */
export function explainTcpdumpError(stderr: string, o: LiveOptions): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('tcpdump: listening'))[0] ?? 'tcpdump exited';
  if (/No such device|doesn't exist|no suitable device/i.test(stderr)) return `no such interface: ${o.iface}`;
  if (/permission|not permitted|Operation not permitted/i.test(stderr)) {
    return `no permission to capture on ${o.iface}: run as root, or grant CAP_NET_RAW and CAP_NET_ADMIN (e.g. setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)) (${line})`;
  }
  if (/syntax error|unknown (host|port|protocol|network)|filter|illegal|expression/i.test(stderr)) {
    return `bad BPF filter '${o.bpf}': ${line.replace(/^tcpdump: /, '')}`;
  }
  if (/Couldn't find user|user .* not found|getpwnam/i.test(stderr)) return `--user ${o.user}: no such user (${line})`;
  return line.replace(/^tcpdump: /, 'tcpdump: ');
}

export class LiveCapture {
  readonly opts: LiveOptions;
  readonly stats: LiveStats = { captured: 0, received: 0, droppedKernel: 0 };
  private child: ChildProcess | null = null;
  private stderrText = '';

  constructor(opts: LiveOptions) {
    this.opts = opts;
  }

  /**
   * Starts tcpdump; resolves with its stdout (a pcap stream) once libpcap says it is listening,
   * rejects with a LiveCaptureError naming the problem otherwise.
   */
  start(): Promise<NodeJS.ReadableStream> {
    const bin = this.opts.tcpdump ?? 'tcpdump';
    return new Promise((resolve, reject) => {
      let settled = false;
      const child = spawn(bin, tcpdumpArgs(this.opts), { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        reject(
          new LiveCaptureError(
            e.code === 'ENOENT'
              ? `tcpdump not found: install it (Debian: apt-get install tcpdump libpcap0.8)`
              : `cannot start tcpdump: ${e.message}`,
          ),
        );
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        this.stderrText = (this.stderrText + chunk).slice(-8192);
        this.parseStats(chunk);
        if (!settled && /listening on/.test(this.stderrText)) {
          settled = true;
          resolve(child.stdout!);
        }
      });
      child.on('exit', () => {
        if (settled) return;
        settled = true;
        reject(new LiveCaptureError(explainTcpdumpError(this.stderrText, this.opts)));
      });
    });
  }

  /** Ask tcpdump for its counters (answered asynchronously on stderr). */
  requestStats(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGUSR1');
  }

  /** Stop capturing: tcpdump flushes its last packets and exits, ending the stream. */
  stop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGINT');
  }

  /** Resolves when tcpdump has exited (its final counters parsed). */
  exited(): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null) return Promise.resolve(c ? c.exitCode : null);
    return new Promise((resolve) => c.on('close', (code) => resolve(code)));
  }

  get lastStderr(): string {
    return this.stderrText;
  }

  private parseStats(text: string): void {
    const m = STATS_RE.exec(text);
    if (m) {
      this.stats.captured = Number(m[1]);
      this.stats.received = Number(m[2]);
      this.stats.droppedKernel = Number(m[3]);
      return;
    }
    for (const e of text.matchAll(EXIT_STATS_RE)) {
      const n = Number(e[1]);
      if (e[2] === 'captured') this.stats.captured = n;
      else if (e[2] === 'received by filter') this.stats.received = n;
      else this.stats.droppedKernel = n;
    }
  }
}
