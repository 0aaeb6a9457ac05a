/**
 * Becoming an unprivileged user once a live capture is open (root never keeps running the
 * analysis).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LiveCaptureError } from './tcpdump-errors';

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
