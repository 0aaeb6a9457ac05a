/**
 * --workers N (issue 19): the built CLI's output with 2 and 3 workers is byte-identical to
 * --workers 1 (the single-threaded path) on every corpus capture, every lab capture and synthetic
 * multi-host captures (one with a tiny idle timeout, so that idle expiries across workers and
 * suppression summaries are ordered by the merge); a worker that throws exits 1 with what was
 * emitted flushed as complete lines; SIGTERM mid-replay leaves complete lines, a prefix of the run.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { corpusFiles, corpusName } from './helpers/corpus';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'workers', 'worker.js'))) {
  throw new Error('dist/ missing the worker: run `npm run build` before this test');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-workers-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const gen = (name: string, args: string[]): string => {
  const out = path.join(dir, name);
  execFileSync(process.execPath, [path.join(ROOT, 'tools', 'gen', 'synth-smb2.js'), '--out', out, '--quiet', ...args]);
  return out;
};
const synth = gen('synth.pcap', ['--size', '2M', '--seed', '7']);
const held = gen('held.pcap', ['--size', '1M', '--seed', '3', '--hold']);
const tinyIdle = path.join(dir, 'idle.yaml');
// idle expiries all over the capture (it spans ~2 s) and suppression windows closing on time
fs.writeFileSync(tinyIdle, 'tracker:\n  idle_timeout: 0.01\nsuppression:\n  window: 0.2\n');

interface Run {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, killAfterMs: number | null = null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--no-progress', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => errs.push(c));
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGTERM'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(errs).toString('utf8'), code });
    });
  });
}

/** Runs jobs two at a time (the machine is shared). */
async function pool<T>(jobs: (() => Promise<T>)[], width = 2): Promise<T[]> {
  const res: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        res[i] = await jobs[i]();
      }
    }),
  );
  return res;
}

const labFiles = fs
  .readdirSync(path.join(ROOT, 'captures'))
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .sort()
  .map((f) => path.join(ROOT, 'captures', f));

async function sameOutput(t: Test, files: string[], ns: number[], extra: string[] = []): Promise<void> {
  const results = await pool(
    files.flatMap((f) => [1, ...ns].map((n) => () => cli(['-q', '--workers', String(n), ...extra, '-r', f]))),
  );
  let identical = 0;
  let events = 0;
  files.forEach((f, i) => {
    const base = results[i * (ns.length + 1)];
    events += base.stdout.toString('utf8').split('\n').length - 1;
    let all = true;
    ns.forEach((n, j) => {
      const r = results[i * (ns.length + 1) + j + 1];
      const name = f.startsWith(dir) ? path.basename(f) : f.includes('/captures/') && !f.includes('shared') ? path.basename(f) : corpusName(f);
      if (!r.stdout.equals(base.stdout)) {
        all = false;
        t.fail(`${name}: --workers ${n} output differs from --workers 1`);
      }
      if (r.code !== base.code) {
        all = false;
        t.fail(`${name}: --workers ${n} exit ${r.code}, --workers 1 exit ${base.code}`);
      }
      if (r.stderr !== base.stderr) {
        all = false;
        t.fail(`${name}: --workers ${n} stderr differs: ${JSON.stringify(r.stderr.slice(0, 300))} vs ${JSON.stringify(base.stderr.slice(0, 300))}`);
      }
    });
    if (all) identical++;
  });
  t.equal(identical, files.length, `${identical}/${files.length} captures byte-identical with --workers ${ns.join(', ')} (${events} events with --workers 1)`);
}

/**
 * The corpus (~100 captures) in this process, through the same modules the CLI wires (dist/):
 * one CLI start per capture and worker count took minutes on a loaded machine. The run writes
 * NDJSON and --zeek-dir logs (internal records merged too); all of them are compared.
 */
async function inProcess(file: string, workers: number): Promise<{ out: Map<string, Buffer>; error: string | null; warn: string }> {
  const req = (m: string) => require(path.join(ROOT, 'dist', 'src', m));
  const { AnalysisPipeline } = req('cli/pipeline');
  const { ParallelPipeline } = req('cli/workers/parallel-pipeline');
  const { createWriter } = req('output/writer');
  const { withZeekDir } = req('output/zeek/dir-writer');
  const { readCaptures } = req('capture/reader');
  const { defaultConfig } = req('shared/config');
  const outPath = path.join(dir, `inproc-${workers}.ndjson`);
  const zeekDir = path.join(dir, `inproc-zeek-${workers}`);
  fs.rmSync(outPath, { force: true });
  fs.rmSync(zeekDir, { recursive: true, force: true });
  const config = defaultConfig();
  const writer = withZeekDir(createWriter({ format: 'ndjson', path: outPath }), { dir: zeekDir, json: false, suppressForSec: config.suppression.window });
  const p = workers === 1 ? new AnalysisPipeline(config, writer) : new ParallelPipeline(config, writer, workers, null);
  const summary = await readCaptures([file], p.onPacket, { counters: p.capture });
  await p.finish();
  await writer.close();
  const out = new Map<string, Buffer>([['ndjson', fs.readFileSync(outPath)]]);
  for (const f of fs.readdirSync(zeekDir).sort()) out.set(f, fs.readFileSync(path.join(zeekDir, f)));
  const warn = JSON.stringify(p.snaplenCut);
  return { out, error: summary.error ? String(summary.error.message) : null, warn };
}

function sameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.get(k)?.equals(v)) return false;
  return true;
}

async function sameInProcess(t: Test, files: string[], name: (f: string) => string, what: string, ns: number[]): Promise<void> {
  t.ok(files.length > 0, `${files.length} ${what}`);
  let identical = 0;
  let events = 0;
  let zeekRows = 0;
  for (const f of files) {
    const base = await inProcess(f, 1);
    events += base.out.get('ndjson')!.toString('utf8').split('\n').length - 1;
    for (const [k, v] of base.out) if (k !== 'ndjson') zeekRows += v.toString('utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    let same = true;
    for (const n of ns) {
      const r = await inProcess(f, n);
      if (!sameFiles(r.out, base.out) || r.error !== base.error || r.warn !== base.warn) {
        same = false;
        t.fail(`${name(f)}: --workers ${n} differs from --workers 1`);
      }
    }
    if (same) identical++;
  }
  t.equal(identical, files.length, `${identical}/${files.length} ${what} byte-identical with --workers ${ns.join(' and ')} (${events} events, ${zeekRows} zeek log rows)`);
}

// 2 workers on the corpus, 3 on the lab captures (each worker count on every capture doubled the
// runtime; the synthetic multi-host captures below take both)
t.test('corpus captures: --workers 2 byte-identical to --workers 1', async (t) => {
  const files = corpusFiles();
  t.ok(files.length > 50, `${files.length} corpus captures`);
  await sameInProcess(t, files, corpusName, 'corpus captures', [2]);
});

t.test('lab captures: --workers 3 byte-identical to --workers 1', async (t) => {
  await sameInProcess(t, labFiles, (f) => path.basename(f), 'lab captures', [3]);
});

t.test('synthetic multi-host captures: --workers 2 and 3 byte-identical, default and tiny idle timeout', async (t) => {
  await sameOutput(t, [synth, held], [2, 3]);
  const idle = await cli(['-q', '--workers', '1', '-c', tinyIdle, '-r', held]);
  const expiries = (idle.stdout.toString('utf8').match(/"end_reason":"idle_timeout"/g) ?? []).length;
  t.ok(expiries > 100, `${expiries} idle_timeout ends to order across workers`);
  await sameOutput(t, [synth, held], [2, 3], ['-c', tinyIdle]);
});

function lines(b: Buffer): string[] {
  const s = b.toString('utf8');
  t.ok(s.length === 0 || s.endsWith('\n'), 'output ends with a complete line');
  return s.split('\n').slice(0, -1);
}

function commonPrefix(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

t.test('a worker that throws: reported, exit 1, the events before it flushed as complete lines', async (t) => {
  const full = await cli(['-q', '--workers', '2', '-r', synth]);
  const fullLines = lines(full.stdout);
  const packets = Number(/packets\s+(\d+)/.exec((await cli(['--workers', '1', '-r', synth])).stderr)?.[1]);
  t.ok(packets > 1000, `${packets} packets`);
  const r = await cli(['-q', '--workers', '2', '-r', synth], { SHAREWATCH_WORKER_FAULT: String(Math.floor(packets / 2)) });
  t.equal(r.code, 1, 'exit 1');
  t.match(r.stderr, /worker \d failed: .*injected fault/, 'the failure is reported on stderr');
  const got = lines(r.stdout);
  for (const l of got) JSON.parse(l);
  const common = commonPrefix(got, fullLines);
  t.ok(common > fullLines.length / 4, `${common} of ${got.length} events written are the full run's first events (${fullLines.length} in all)`);
});

t.test('SIGTERM mid-replay with 2 workers: complete lines, a prefix of the full run', async (t) => {
  const big = gen('big.pcap', ['--size', '12M', '--seed', '5']);
  const t0 = Date.now();
  const full = await cli(['-q', '--workers', '2', '-r', big]);
  const ms = Date.now() - t0;
  const fullLines = lines(full.stdout);
  for (const frac of [0.5, 0.75]) {
    const r = await cli(['-q', '--workers', '2', '-r', big], {}, Math.floor(ms * frac));
    const got = lines(r.stdout);
    for (const l of got) JSON.parse(l);
    t.equal(commonPrefix(got, fullLines), got.length, `killed at ${Math.floor(ms * frac)} ms: ${got.length} of ${fullLines.length} events, a prefix`);
  }
});
