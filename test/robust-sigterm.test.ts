/**
 * SIGTERM in the middle of a replay, ROBUST_SIGTERM_RUNS times (default 100) at moments from a
 * seeded schedule spread over the run, two replays at a time, with the built CLI on a synthetic
 * capture (tools/gen/synth-smb2.js, ~20 MB: ~1 s): every stdout line is complete JSON and the
 * events are exactly a prefix of the uninterrupted run's (an interrupted replay stops where it
 * is; it does not end what is open).
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { prng } from './fuzz/pcap-rewrite';

const RUNS = Number(process.env.ROBUST_SIGTERM_RUNS ?? 100);
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-sigterm-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const capture = path.join(dir, 'synth.pcap');
execFileSync(process.execPath, [path.join(ROOT, 'tools', 'gen', 'synth-smb2.js'), '--out', capture, '--size', '20M', '--seed', '1', '--quiet']);

interface Result {
  stdout: Buffer;
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

function replay(killAfterMs: number | null): Promise<Result> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, '-r', capture, '-q'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGTERM'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(chunks), code, signal, ms: Date.now() - started });
    });
  });
}

t.test(`${RUNS} SIGTERMs at random moments: complete JSON lines, a prefix of the full run`, async (t) => {
  const full = await replay(null);
  t.equal(full.code, 0, 'uninterrupted run exits 0');
  const fullText = full.stdout.toString('utf8');
  const fullLines = fullText.split('\n').slice(0, -1);
  t.ok(fullLines.length > 1000, `${fullLines.length} events in ${full.ms} ms uninterrupted`);

  // node + module loading takes a few hundred ms before the replay starts: measure it with
  // --version and spread the signals over the replay itself
  const t0 = Date.now();
  execFileSync(process.execPath, [CLI, '--version']);
  const startup = Date.now() - t0;
  const rnd = prng(20240611);
  const delays = Array.from({ length: RUNS }, () => Math.floor(startup + (full.ms - startup) * rnd()));
  const outcomes = { killedBySignal: 0, beforeOutput: 0, midway: 0, complete: 0 };
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < delays.length) {
      const i = next++;
      const r = await replay(delays[i]);
      const text = r.stdout.toString('utf8');
      if (text.length && !text.endsWith('\n')) failures.push(`run ${i} (${delays[i]} ms): last line incomplete`);
      const lines = text.split('\n').slice(0, -1);
      for (let k = 0; k < lines.length; k++) {
        try {
          JSON.parse(lines[k]);
        } catch {
          failures.push(`run ${i}: line ${k + 1} is not JSON`);
          break;
        }
        if (lines[k] !== fullLines[k]) {
          failures.push(`run ${i} (${delays[i]} ms): line ${k + 1} differs from the uninterrupted run`);
          break;
        }
      }
      if (lines.length > fullLines.length) failures.push(`run ${i}: more lines than the uninterrupted run`);
      // SIGTERM before the handler is installed kills node by signal; after, sharewatch exits 0
      if (!(r.code === 0 || r.signal === 'SIGTERM')) failures.push(`run ${i}: exit ${r.code} ${r.signal}`);
      if (r.signal) outcomes.killedBySignal++;
      if (lines.length === 0) outcomes.beforeOutput++;
      else if (lines.length < fullLines.length) outcomes.midway++;
      else outcomes.complete++;
    }
  };
  await Promise.all([worker(), worker()]);
  t.same(failures, [], 'every interrupted run wrote complete JSON lines, a prefix of the full run');
  t.ok(outcomes.midway >= RUNS / 4, `startup ${startup} ms; stopped midway ${outcomes.midway}, before any output ${outcomes.beforeOutput} (killed before the handler: ${outcomes.killedBySignal}), after the end ${outcomes.complete}`);
  t.end();
});
