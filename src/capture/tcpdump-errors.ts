/**
 * Why a live capture could not start, in one sentence: what tcpdump/libpcap said, with the
 * missing capability, interface or filter named.
 */
import { readFileSync } from 'node:fs';
import type { LiveOptions } from './tcpdump-command';

/** The live capture's one error type (start failures, privilege drop). */
export class LiveCaptureError extends Error {}

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
