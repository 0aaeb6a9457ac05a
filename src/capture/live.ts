/**
 * Live capture through a `tcpdump -U -w -` child: libpcap opens the interface, applies the BPF
 * filter in the kernel and stamps every packet; its pcap stream feeds the same streaming reader
 * as replay, so live and offline share one code path. Kernel drop counts come from tcpdump's
 * statistics (SIGUSR1 on request, and at exit).
 *
 * Why not the `cap` npm addon: cap 0.2.1 hands packets without their pcap header, so neither
 * capture timestamps nor drop counts reach JavaScript, and it is a native build to maintain.
 *
 * tcpdump is started with SIGHUP ignored (`trap '' HUP; exec tcpdump …`; tcpdump keeps an ignored
 * SIGHUP, "cooperate with nohup"), so a HUP sent to the whole service (logrotate's
 * `systemctl kill -s HUP`) reopens our -w file without ending the capture.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LiveOptions {
  iface: string;
  bpf: string;
  snaplen: number;
  bufferSizeMiB: number | null;
  /** when root: tcpdump drops its own privileges to this user once the capture is open (-Z) */
  user: string | null;
  /** tcpdump binary: a path, or a name looked up in PATH (default 'tcpdump') */
  tcpdump?: string;
}

export class LiveCaptureError extends Error {}

export interface LiveStats {
  /** packets tcpdump wrote to us */
  captured: number;
  /** packets that matched the filter (libpcap ps_recv) */
  received: number;
  /** packets the kernel dropped for lack of buffer space (libpcap ps_drop) */
  droppedKernel: number;
  /** packets the interface/driver dropped (libpcap ps_ifdrop) */
  droppedInterface: number;
}

const STAT_RE = /(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)/g;

export const TCPDUMP_PACKAGE_HINT = 'install it (Debian/Ubuntu: apt-get install tcpdump; Fedora/RHEL: dnf install tcpdump)';

/**
 * Kernel ring size when --buffer-size is not given. libpcap's own default (2 MiB) is far too small
 * here: in immediate mode it uses TPACKET_V2, whose ring slots are sized by the snaplen (256 KiB)
 * unless the interface has every offload off, so 2 MiB is 8 slots and a burst of a few hundred
 * packets is dropped (measured: 194 791 drops of 266 599 packets at 457 kpps, 9 773 at 100 kpps;
 * with 64 MiB, none at top speed, 160–360 kpps: bench/live.js).
 */
export const DEFAULT_BUFFER_MIB = 64;

export function tcpdumpArgs(o: LiveOptions): string[] {
  const args = ['-U', '-w', '-', '-n', '-i', o.iface, '-s', String(o.snaplen), '--immediate-mode', '--time-stamp-precision=nano'];
  args.push('-B', String((o.bufferSizeMiB ?? DEFAULT_BUFFER_MIB) * 1024));
  if (o.user) args.push('-Z', o.user);
  args.push(o.bpf);
  return args;
}

/** The tcpdump binary as an absolute path, or null when it is nowhere in PATH. */
export function findTcpdump(name = 'tcpdump', envPath = process.env.PATH ?? ''): string | null {
  const candidates = name.includes('/') ? [name] : envPath.split(':').filter((d) => d !== '').map((d) => path.join(d, name));
  // Debian keeps tcpdump in /usr/sbin (or /usr/bin), which a non-root PATH may lack
  if (!name.includes('/')) candidates.push(`/usr/sbin/${name}`, `/usr/bin/${name}`, `/sbin/${name}`);
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return path.resolve(c);
    } catch {
      /* next */
    }
  }
  return null;
}

const CAP_NET_ADMIN = 12n;
const CAP_NET_RAW = 13n;

/** Capabilities this process lacks among those a capture needs, from /proc/self/status CapEff. */
export function missingCaptureCaps(status?: string): string[] {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return ['CAP_NET_RAW', 'CAP_NET_ADMIN'];
    }
  }
  const m = /^CapEff:\s*([0-9a-f]+)/im.exec(text);
  if (!m) return ['CAP_NET_RAW', 'CAP_NET_ADMIN'];
  const eff = BigInt('0x' + m[1]);
  const missing: string[] = [];
  if (((eff >> CAP_NET_RAW) & 1n) === 0n) missing.push('CAP_NET_RAW');
  if (((eff >> CAP_NET_ADMIN) & 1n) === 0n) missing.push('CAP_NET_ADMIN');
  return missing;
}

/** One clear sentence for what tcpdump/libpcap said when the capture could not start. */
export function explainTcpdumpError(stderr: string, o: LiveOptions, missingCaps: string[] = missingCaptureCaps()): string {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('tcpdump: listening') && !/^Warning:/i.test(l))[0] ?? 'tcpdump exited';
  const bare = line.replace(/^tcpdump: /, '');
  if (/No such device|doesn't exist|no suitable device|No such device exists/i.test(stderr)) {
    return `no such interface: ${o.iface} (libpcap: ${bare})`;
  }
  if (/permission|not permitted/i.test(stderr)) {
    const lacking = missingCaps.length > 0 ? missingCaps : ['CAP_NET_RAW'];
    return (
      `no permission to capture on ${o.iface}: missing ${lacking.join(' and ')} ` +
      `(run as root, or grant CAP_NET_RAW and CAP_NET_ADMIN, e.g. AmbientCapabilities= in the systemd unit) (libpcap: ${bare})`
    );
  }
  if (/Couldn't find user|user .* not found|getpwnam/i.test(stderr)) return `--user ${o.user}: no such user (${bare})`;
  if (/syntax error|unknown (host|port|protocol|network)|can't parse filter|illegal|expression|filter/i.test(stderr)) {
    return `bad BPF filter '${o.bpf}': ${bare}`;
  }
  return `tcpdump: ${bare}`;
}

export class LiveCapture {
  readonly opts: LiveOptions;
  readonly stats: LiveStats = { captured: 0, received: 0, droppedKernel: 0, droppedInterface: 0 };
  private child: ChildProcess | null = null;
  private stderrText = '';
  private partialLine = '';
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
        this.parseStats(chunk);
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

  /** tcpdump prints its counters on one line (SIGUSR1) or three (exit); lines may span chunks. */
  private parseStats(chunk: string): void {
    const text = this.partialLine + chunk;
    const nl = text.lastIndexOf('\n');
    if (nl < 0) {
      this.partialLine = text.slice(-1024);
      return;
    }
    this.partialLine = text.slice(nl + 1);
    for (const e of text.slice(0, nl).matchAll(STAT_RE)) {
      const n = Number(e[1]);
      switch (e[2]) {
        case 'captured':
          this.stats.captured = n;
          break;
        case 'received by filter':
          this.stats.received = n;
          break;
        case 'dropped by kernel':
          this.stats.droppedKernel = n;
          break;
        default:
          this.stats.droppedInterface = n;
      }
    }
  }
}

/** uid/gid of a local user (getent, so NSS users count too), or null when there is none. */
export function lookupUser(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  let line: string | undefined;
  if (!r.error && r.status === 0) line = r.stdout.split('\n')[0];
  else if (r.error) {
    try {
      line = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.split(':')[0] === name);
    } catch {
      line = undefined;
    }
  }
  if (!line) return null;
  const f = line.split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}

/**
 * Drop this process to `name` (supplementary groups, gid, then uid: that order, since setuid
 * takes away the right to change groups). Throws with a reason when it cannot.
 */
export function dropPrivileges(name: string): { uid: number; gid: number } {
  const u = lookupUser(name);
  if (u === null) throw new LiveCaptureError(`--user ${name}: no such user`);
  if (typeof process.setuid !== 'function' || typeof process.getuid !== 'function') {
    throw new LiveCaptureError('cannot drop privileges on this platform');
  }
  if (process.getuid() === u.uid) return u;
  // initgroups is POSIX-only and missing from @types/node's Process
  (process as unknown as { initgroups(user: string, extraGroup: number): void }).initgroups(name, u.gid);
  process.setgid!(u.gid);
  process.setuid(u.uid);
  if (process.getuid() !== u.uid || process.geteuid!() !== u.uid) throw new LiveCaptureError(`could not become ${name}`);
  return u;
}
