/**
 * tshark output cached in the OS temp directory: dissecting a capture to JSON costs seconds per
 * file on a loaded machine and several test files ask for the same one. Keyed by tshark's
 * version, the capture (path, size, mtime) and the exact arguments; written under a temporary
 * name and renamed, so test files running in parallel share it safely.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { requireTshark } from './tshark-messages';

const run = promisify(execFile);
const DIR = path.join(tmpdir(), 'sharewatch-tshark-cache');
let version: string | null = null;

function tsharkVersion(): string {
  if (version === null) {
    requireTshark();
    version = execFileSync('tshark', ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().match(/\d+\.\d+\.\d+/)?.[0] ?? 'unknown';
  }
  return version;
}

/** where the output of `tshark -r file …args` (or of `tshark …args` without a file) is kept */
function cachePath(file: string | null, args: readonly string[]): string {
  const st = file === null ? null : statSync(file);
  const key = createHash('sha1')
    .update(JSON.stringify([tsharkVersion(), file === null ? null : path.resolve(file), st?.size, st ? Math.floor(st.mtimeMs) : 0, args]))
    .digest('hex');
  return path.join(DIR, `${file === null ? 'tshark' : path.basename(file).replace(/[^A-Za-z0-9.-]/g, '_')}-${key}.out`);
}

function keep(cached: string, out: string): string {
  mkdirSync(DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}`;
  writeFileSync(tmp, out);
  renameSync(tmp, cached);
  return out;
}

/** `tshark -r file …args`'s stdout, from the cache when this capture and these arguments ran before */
export function tsharkCachedSync(file: string, args: readonly string[]): string {
  const cached = cachePath(file, args);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const out = execFileSync('tshark', ['-r', file, ...args], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return keep(cached, out);
}

/** the same, without blocking; `file` null runs `tshark …args` alone (e.g. `-G values`) */
export async function tsharkCached(file: string | null, args: readonly string[]): Promise<string> {
  const cached = cachePath(file, args);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const { stdout } = await run('tshark', file === null ? [...args] : ['-r', file, ...args], { maxBuffer: 1 << 30 });
  return keep(cached, stdout);
}
