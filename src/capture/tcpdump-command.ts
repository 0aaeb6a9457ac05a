/**
 * The tcpdump child's command line: which binary, which flags. Live capture is `tcpdump -U -w -`
 * (libpcap opens the interface, filters in the kernel, stamps in ns) feeding the replay reader.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
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
