/**
 * `--workers N` (contract v2): accepted for any N in 1..64; this build analyses on one thread and
 * says so on stderr, so the output is the single-threaded one for every N (byte-identical, as the
 * contract requires). The sharded pipeline of issue 19 is not merged yet.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const CAP = path.resolve(__dirname, '..', 'captures', 'psexec-like.pcap');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

t.test('--workers N: the same output for every N, and stderr says one thread analyses', async (t) => {
  const one = run(['-q', '-r', CAP]);
  t.equal(one.status, 0);
  t.equal(one.stderr, '');
  for (const n of ['1', '2', '8']) {
    const r = run(['-q', '--workers', n, '-r', CAP]);
    t.equal(r.status, 0, `--workers ${n}: exit 0`);
    t.equal(r.stdout, one.stdout, `--workers ${n}: byte-identical output`);
    if (n === '1') t.equal(r.stderr, '', '--workers 1: nothing on stderr');
    else t.match(r.stderr, new RegExp(`^sharewatch: --workers ${n}: this build analyses on one thread`), `--workers ${n}: said on stderr`);
  }
});

t.test('--workers: bad values are usage errors (exit 2, the problem named first, as every usage error)', async (t) => {
  for (const bad of ['0', '65', 'two', '-1']) {
    const r = run(['--workers', bad, '-r', CAP]);
    t.equal(r.status, 2, `--workers ${bad}: exit 2`);
    t.equal(r.stdout, '');
    t.match(r.stderr.split('\n')[0], /^sharewatch: (--workers: |option '--workers' needs a value)/, `--workers ${bad}: ${r.stderr.split('\n')[0]}`);
  }
});
