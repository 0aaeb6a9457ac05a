/**
 * The public capture corpus (../shared/captures, see its README) and the reference tools the
 * tests compare against. Missing tools fail loudly: CI installs them, a silent skip would hide it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';

export const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'captures');

const CAPTURE_RE = /\.(pcap|pcapng|cap)(\.gz)?$/i;
const SKIP_DIRS = new Set(['baselines', 'tools']);

/** Every capture file of the corpus (absolute paths, sorted), recursing, without baselines/ and tools/. */
export function corpusFiles(): string[] {
  if (!fs.existsSync(CORPUS_DIR)) throw new Error(`capture corpus not found at ${CORPUS_DIR}`);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile() && CAPTURE_RE.test(e.name)) out.push(p);
    }
  };
  walk(CORPUS_DIR);
  return out.sort();
}

/** Absolute path of a corpus file given relative to the corpus root ("zeek/smb2.pcap"). */
export function corpusFile(rel: string): string {
  return path.join(CORPUS_DIR, rel);
}

/** Short name for test titles. */
export function corpusName(abs: string): string {
  return path.relative(CORPUS_DIR, abs);
}

const checked = new Set<string>();
/** Throws a clear error when a reference tool is not installed. */
export function requireTool(name: string): void {
  if (checked.has(name)) return;
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
  } catch {
    throw new Error(`${name} is not installed: the tests need it (Debian: apt-get install tshark tcpreplay)`);
  }
  checked.add(name);
}

/** Runs a tool and resolves with its stdout (rejects with stderr on failure). */
export function run(cmd: string, args: string[], opts: { allowFail?: boolean } = {}): Promise<string> {
  requireTool(cmd);
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Maps over items with at most `limit` running at once (the machine has 2 cores). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** "1323202695.370647000" → [sec, nsec] exactly (no float). */
export function parseEpoch(s: string): [number, number] {
  const [a, b = ''] = s.trim().split('.');
  return [Number(a), Number((b + '000000000').slice(0, 9))];
}
