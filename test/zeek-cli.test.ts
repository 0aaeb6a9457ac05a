/**
 * --zeek-dir through the built CLI (npm run build first): the flags, their usage errors, the
 * logs beside -w (NDJSON unchanged by them), --zeek-json, and SIGHUP rotation of the directory's
 * logs during a replay from stdin (the renamed files end with #close; together with the new ones
 * they hold exactly the rows of an uninterrupted run).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusFile } from './helpers/corpus';
import { readZeekAscii, readZeekJson } from './helpers/zeek-log-reader';

const CLI = path.resolve(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'sw-zeek-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const CAPTURE = corpusFile('suricata-verify/smb2-07.pcap');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sw(args: string[], feed?: (stdin: NodeJS.WritableStream, child: ReturnType<typeof spawn>) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (feed) feed(child.stdin, child).catch(reject);
    else child.stdin.end();
  });
}

const rows = (text: string): string[] => readZeekAscii(text).flatMap((b) => b.raw.map((r) => r.join('\t')));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('usage errors', async (t) => {
  const a = await sw(['-r', CAPTURE, '--zeek-json']);
  t.equal(a.code, 2);
  t.match(a.stderr, /--zeek-json needs --zeek-dir DIR/);
  const f = path.join(dir, 'plain-file');
  writeFileSync(f, 'x');
  const b = await sw(['-r', CAPTURE, '--zeek-dir', f]);
  t.equal(b.code, 2);
  t.match(b.stderr, /^sharewatch: --zeek-dir .*plain-file: /m);
  t.equal(b.stdout, '');
});

t.test('logs beside -w; NDJSON the same with or without them; --zeek-json', async (t) => {
  const plain = await sw(['-q', '-r', CAPTURE]);
  const zd = path.join(dir, 'tsv');
  const w = path.join(dir, 'events.ndjson');
  const r = await sw(['-q', '-r', CAPTURE, '-w', w, '--zeek-dir', zd]);
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(w, 'utf8'), plain.stdout, 'NDJSON unchanged by --zeek-dir');
  t.same(readdirSync(zd).sort(), ['dce_rpc.log', 'notice.log', 'smb_files.log', 'smb_mapping.log']);
  const notice = readZeekAscii(readFileSync(path.join(zd, 'notice.log'), 'utf8'))[0];
  const alerts = plain.stdout.split('\n').filter((l) => l.includes('"kind":"alert"'));
  t.equal(notice.rows.length, alerts.length, 'one notice per alert');
  const jd = path.join(dir, 'json');
  const j = await sw(['-q', '-r', CAPTURE, '--zeek-dir', jd, '--zeek-json']);
  t.equal(j.code, 0, j.stderr);
  t.equal(readZeekJson(readFileSync(path.join(jd, 'smb_mapping.log'), 'utf8')).length, readZeekAscii(readFileSync(path.join(zd, 'smb_mapping.log'), 'utf8'))[0].rows.length);
});

t.test('SIGHUP rotates the Zeek logs', async (t) => {
  const whole = readFileSync(CAPTURE);
  const ref = path.join(dir, 'ref');
  await sw(['-q', '-r', CAPTURE, '--zeek-dir', ref]);
  const zd = path.join(dir, 'rot');
  const r = await sw(['-q', '-r', '-', '--zeek-dir', zd], async (stdin, child) => {
    // the first psexec tree ends about two thirds into the capture
    const cut = Math.floor(whole.length * 0.8);
    stdin.write(whole.subarray(0, cut));
    const ls = (): string[] => (existsSync(zd) ? readdirSync(zd) : []);
    for (let i = 0; i < 100 && !ls().includes('smb_mapping.log'); i++) await sleep(100);
    await sleep(300);
    for (const f of readdirSync(zd)) renameSync(path.join(zd, f), path.join(zd, f + '.1'));
    child.kill('SIGHUP');
    await sleep(500);
    stdin.end(whole.subarray(cut));
  });
  t.equal(r.code, 0, r.stderr);
  const files = readdirSync(zd).sort();
  t.ok(files.includes('smb_mapping.log.1'), 'rows before the SIGHUP went to the renamed file');
  for (const name of readdirSync(ref)) {
    const before = files.includes(name + '.1') ? readFileSync(path.join(zd, name + '.1'), 'utf8') : '';
    const after = files.includes(name) ? readFileSync(path.join(zd, name), 'utf8') : '';
    if (before !== '') t.match(before, /#close\t\d{4}(-\d\d){5}\n$/, `${name}.1 ends with #close`);
    t.same([...rows(before), ...rows(after)], rows(readFileSync(path.join(ref, name), 'utf8')), `${name}: the rows of an uninterrupted run`);
  }
});
