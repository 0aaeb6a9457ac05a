import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createWriter } from '../src/output/writer';
import { toEcs, toNdjsonLine } from '../src/output/ecs';
import { formatPretty } from '../src/output/pretty';
import type { OutputRecord } from '../src/shared/records';
import * as R from './helpers/output-records';

const dir = mkdtempSync(path.join(tmpdir(), 'sw-output-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string): string => path.join(dir, `${n++}-${name}`);
const read = (p: string): string => readFileSync(p, 'utf8');

function recordAt(i: number): OutputRecord {
  const r = R.allRecords[i % R.allRecords.length];
  return { ...r, ts: { sec: 1795395723 + i, nsec: i % 1_000_000_000 } } as OutputRecord;
}

t.test('ndjson file: exactly our objects, one per line, nothing added', async (t) => {
  const p = tmp('events.ndjson');
  const w = createWriter({ format: 'ndjson', path: p });
  for (const r of R.allRecords) w.write(r);
  await w.close();
  const text = read(p);
  t.equal(text, R.allRecords.map((r) => toNdjsonLine(r)).join(''), 'byte-exact');
  const lines = text.split('\n');
  t.equal(lines.pop(), '');
  lines.forEach((line, i) => {
    const o = JSON.parse(line);
    t.same(Object.keys(o), Object.keys(toEcs(R.allRecords[i])), 'same top-level keys, same order');
    for (const k of ['level', 'time', 'pid', 'hostname', 'msg', 'v']) t.notOk(k in o, `no pino "${k}"`);
  });
  w.flushSync(); // an exit handler after close must be harmless
  await w.close();
});

t.test('-w appends to an existing file', async (t) => {
  const p = tmp('append.ndjson');
  writeFileSync(p, toNdjsonLine(R.setupOk));
  const w = createWriter({ format: 'ndjson', path: p });
  w.write(R.setupFail);
  await w.close();
  t.equal(read(p), toNdjsonLine(R.setupOk) + toNdjsonLine(R.setupFail));
});

t.test('buffered lines reach the file at the end of the turn; flushSync drains; only whole lines', async (t) => {
  const p = tmp('buffer.ndjson');
  const w = createWriter({ format: 'ndjson', path: p });
  w.write(R.setupOk);
  t.equal(statSync(p).size, 0, 'small writes are buffered');
  await nextTurn();
  t.equal(read(p), toNdjsonLine(R.setupOk), 'written at the end of the event-loop turn (live latency)');
  let want = toNdjsonLine(R.setupOk);
  for (let i = 0; i < 500; i++) {
    w.write(recordAt(i));
    want += toNdjsonLine(recordAt(i));
    const now = read(p);
    if (!(now === '' || now.endsWith('\n'))) t.fail(`partial line on disk after write ${i}`);
  }
  w.flushSync();
  t.equal(read(p), want, 'flushSync wrote everything, in order');
  w.write(R.treeConnect);
  w.write(R.treeDisconnect);
  want += toNdjsonLine(R.treeConnect) + toNdjsonLine(R.treeDisconnect);
  t.not(read(p), want, 'buffered');
  w.flushSync();
  t.equal(read(p), want, 'flushSync wrote everything, in order');
  await w.close();
});

t.test('reopen after rename (logrotate) writes to the new file', async (t) => {
  const p = tmp('rotate.ndjson');
  const w = createWriter({ format: 'ndjson', path: p });
  w.write(R.setupOk);
  renameSync(p, p + '.1');
  w.write(R.treeConnect); // still the old file until SIGHUP
  w.reopen();
  w.write(R.treeDisconnect);
  await w.close();
  t.equal(read(p + '.1'), toNdjsonLine(R.setupOk) + toNdjsonLine(R.treeConnect));
  t.equal(read(p), toNdjsonLine(R.treeDisconnect));
});

t.test('reopen failure keeps writing to the old file and reports once', async (t) => {
  const sub = path.join(dir, 'gone');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(sub);
  const p = path.join(sub, 'x.ndjson');
  const errors: string[] = [];
  const w = createWriter({ format: 'ndjson', path: p, onError: (m) => errors.push(m) });
  w.write(R.setupOk);
  renameSync(sub, sub + '.old');
  w.reopen();
  w.write(R.setupFail);
  await w.close();
  t.equal(errors.length, 1);
  t.match(errors[0], /reopen failed/);
  t.equal(read(path.join(sub + '.old', 'x.ndjson')), toNdjsonLine(R.setupOk) + toNdjsonLine(R.setupFail));
});

t.test('zeek: reopen closes the old log and starts a new header', async (t) => {
  const p = tmp('smb_mapping.log');
  const w = createWriter({ format: 'zeek', path: p });
  w.write(R.treeConnect); // not a row
  w.write(R.treeDisconnect);
  renameSync(p, p + '.1');
  w.reopen();
  w.write(R.krbTreeEnd);
  await w.close();
  const old = read(p + '.1').split('\n');
  const cur = read(p).split('\n');
  t.equal(old[0], '#separator \\x09');
  t.equal(old.filter((l) => !l.startsWith('#') && l !== '').length, 1);
  t.equal(old[old.length - 2], '#close\t2026-11-23-01-02-05');
  t.equal(cur[0], '#separator \\x09');
  t.equal(cur.filter((l) => !l.startsWith('#') && l !== '').length, 1);
  t.match(cur[cur.length - 2], /^#close\t/);
});

t.test('pretty to a file', async (t) => {
  const p = tmp('events.txt');
  const w = createWriter({ format: 'pretty', path: p });
  for (const r of R.allRecords) w.write(r);
  await w.close();
  t.equal(read(p), R.allRecords.map(formatPretty).join(''));
});

t.test('unwritable -w path throws at creation (usage error)', async (t) => {
  t.throws(() => createWriter({ format: 'ndjson', path: path.join(dir, 'no', 'such', 'dir', 'x') }), { code: 'ENOENT' });
  t.throws(() => createWriter({ format: 'ndjson', path: dir }), { code: 'EISDIR' });
});

// ---- child processes: signals, exit, EPIPE -------------------------------------------------

const child = path.join(__dirname, 'helpers', 'output-writer-child.ts');
const tsLoader = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a.includes('ts-node'));

function run(args: string[], onStderr?: (s: string, kill: () => void) => void, stdout: 'pipe' | 'ignore' = 'ignore') {
  const p = spawn(process.execPath, [...tsLoader, child, ...args], { stdio: ['ignore', stdout, 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    onStderr?.(err, () => p.kill('SIGTERM'));
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    p.on('close', (code, signal) => resolve({ code, signal, stderr: err })),
  );
  return { proc: p, done };
}

function checkLines(t: Test, text: string, wrote: number): void {
  t.ok(text === '' || text.endsWith('\n'), 'no partial line at the end');
  const lines = text.split('\n').slice(0, -1);
  t.equal(lines.length, wrote, 'every line that was written');
  let bad = 0;
  lines.forEach((l, i) => {
    if (l !== toNdjsonLine(recordAt(i)).slice(0, -1)) bad++;
  });
  t.equal(bad, 0, 'lines complete and in order');
}

t.test('SIGTERM: the handler flushSyncs, the file holds only complete lines', async (t) => {
  const p = tmp('sigterm.ndjson');
  let sent = false;
  const { done } = run(['ndjson', p, 'sigterm', '100000000'], (s, kill) => {
    if (!sent && s.includes('ready')) {
      sent = true;
      setTimeout(kill, 150);
    }
  });
  const r = await done;
  t.equal(r.code, 0, r.stderr);
  const m = /wrote (\d+)/.exec(r.stderr);
  t.ok(m, 'child reported its count');
  t.ok(Number(m![1]) > 37, `wrote ${m![1]}`);
  checkLines(t, read(p), Number(m![1]));
});

t.test('process.exit: the exit handler drains the buffer', async (t) => {
  const p = tmp('exit.ndjson');
  const r = await run(['ndjson', p, 'exit', '5000']).done;
  t.equal(r.code, 0, r.stderr);
  checkLines(t, read(p), 5000);
});

t.test('stdout reader goes away (EPIPE): one clear message, no crash', async (t) => {
  const { proc, done } = run(['ndjson', '-', 'epipe', '30000'], undefined, 'pipe');
  proc.stdout!.once('data', () => proc.stdout!.destroy());
  const r = await done;
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /writer: stdout: output closed by reader; events are no longer written/);
  t.equal(r.stderr.match(/writer:/g)!.length, 1, 'reported once');
});
