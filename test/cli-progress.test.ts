/**
 * A replay on a terminal shows a progress line on stderr (share of the file read, packets/s,
 * events, alerts), cleared before the summary; not with --no-progress or -q, and never when stderr
 * is not a terminal. The terminal is a real pty from `script` (util-linux); the input is a
 * synthetic SMB2 capture big enough to take a few progress ticks.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCI } from './helpers/lab';

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const why = !fs.existsSync(MAIN) ? `${MAIN} missing (npm run build)` : !hasScript ? 'script (util-linux/bsdutils) not installed' : '';

/** stderr of sharewatch on a pty (stdout to /dev/null) */
function onPty(args: string): string {
  const r = spawnSync('script', ['-qfec', `env -u NODE_OPTIONS ${process.execPath} ${MAIN} ${args} > /dev/null`, '/dev/null'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`sharewatch on a pty failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

if (why !== '' && isCI()) {
  t.fail(`the progress test must run in CI but cannot: ${why}`);
} else if (why !== '') {
  t.test('progress on a terminal', { skip: why }, async () => {});
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-progress-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pcap = path.join(dir, 'synth.pcap');
  const gen = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'gen', 'synth-smb2.js'), '--out', pcap, '--size', '40M', '--seed', '7', '--quiet']);
  if (gen.status !== 0) throw new Error(`synth-smb2 failed: ${gen.stderr}`);

  t.test('progress on a terminal', async (t) => {
    // five copies merged: long enough for several 250 ms ticks even at 1 GB/s
    const err = onPty(Array(5).fill(`-r ${pcap}`).join(' '));
    const ticks = err.split('\r').filter((s) => /\[[#.]{24}\]/.test(s));
    t.ok(ticks.length >= 1, `progress line drawn (${ticks.length} ticks)`, { stderr: err.slice(0, 500) });
    for (const tick of ticks) {
      t.match(tick, /^\x1b\[K\[[#.]{24}\] +\d+% \d+k pkt\/s {2}events \d+ {2}alerts \d+ {2}\d+s$/, 'bar, percent, packets/s, events, alerts, seconds');
    }
    const pct = ticks.map((s) => Number(/(\d+)%/.exec(s)![1]));
    t.same(pct, [...pct].sort((a, b) => a - b), 'the percentage only grows');
    t.ok(pct.every((p) => p <= 100), 'never past 100%');
    const summaryAt = err.indexOf('sharewatch summary');
    t.ok(summaryAt > 0, 'the summary follows');
    t.equal(err.slice(0, summaryAt).trimEnd().endsWith('\x1b[K'), true, 'the progress line is cleared before the summary');
  });

  t.test('no progress with --no-progress, -q, or off a terminal', async (t) => {
    t.notMatch(onPty(`--no-progress -r ${pcap}`), /pkt\/s/, '--no-progress');
    t.equal(onPty(`-q -r ${pcap}`).replace(/\r?\n/g, ''), '', '-q: nothing on stderr at all');
    const piped = spawnSync(process.execPath, [MAIN, '-r', pcap], { encoding: 'utf8', maxBuffer: 1 << 28 });
    t.notMatch(piped.stderr, /pkt\/s|\x1b\[K/, 'stderr not a terminal: no progress, no escape codes');
    t.match(piped.stderr, /^sharewatch summary/, 'just the summary');
  });
}
