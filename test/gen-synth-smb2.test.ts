/**
 * tools/gen/synth-smb2.js: deterministic per seed, dissects cleanly in tshark, and what
 * lifecycle.sh (tshark's view) shows matches the generator's own summary: tree connects with
 * paths, refusals, disconnects, logoffs and NTLMSSP user names.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SYNTH = path.join(ROOT, 'tools', 'gen', 'synth-smb2.js');
const LIFECYCLE = path.resolve(ROOT, '..', 'shared', 'captures', 'tools', 'lifecycle.sh');

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error(`${cmd} is required for this test (install tshark / Wireshark CLI tools)`);
    throw e;
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-synth-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  bytes: number;
  packets: number;
  sessions: number;
  sessionSetups: number;
  logoffs: number;
  treeConnects: number;
  treeConnectsOk: number;
  treeDisconnects: number;
  writes: number;
  mzWrites: number;
  users: string[];
}

function synth(name: string, args: string[]): { file: string; summary: Summary } {
  const file = path.join(dir, name);
  const out = run(process.execPath, [SYNTH, '--out', file, ...args]);
  return { file, summary: JSON.parse(out) as Summary };
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** lifecycle.sh rows split into fields (see the script for the column order). */
function lifecycle(file: string): string[][] {
  return run(LIFECYCLE, [file])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('|'));
}
const CMD = 9;
const RESP = 11;
const STATUS = 12;
const TREE = 18;
const USER = 21;
const DOMAIN = 22;
const HOST = 23;

t.test('same seed, same bytes; another seed, other bytes', async (t) => {
  const a = synth('a.pcap', ['--seed', '5', '--sessions', '25', '--concurrency', '8']);
  const b = synth('b.pcap', ['--seed', '5', '--sessions', '25', '--concurrency', '8']);
  const c = synth('c.pcap', ['--seed', '6', '--sessions', '25', '--concurrency', '8']);
  t.equal(sha(a.file), sha(b.file), 'seed 5 twice: identical captures');
  t.not(sha(a.file), sha(c.file), 'seed 6 differs');
  t.equal(statSync(a.file).size, a.summary.bytes, 'summary bytes = file size');
});

t.test('mixed payloads dissect without a malformed packet or an expert error', async (t) => {
  const { file, summary } = synth('mixed.pcap', ['--seed', '9', '--sessions', '40', '--payload', 'mixed', '--ipv6', '0.3']);
  const malformed = run('tshark', ['-r', file, '-n', '-Y', 'smb2 && _ws.malformed']).trim();
  t.equal(malformed, '', 'no malformed SMB2 packet');
  const expert = run('tshark', ['-r', file, '-n', '-Y', '_ws.expert.severity >= "warning"', '-T', 'fields', '-e', '_ws.expert.message'])
    .split('\n')
    .filter((l) => l !== '');
  t.same(expert.filter((m) => !/Connection reset \(RST\)/.test(m)), [], 'the only warnings are the deliberate RST closes');
  const counts = run('tshark', ['-r', file, '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'smb2.cmd', '-e', 'dcerpc.pkt_type', '-e', 'smb2.write_length', '-Y', 'smb2 || dcerpc'])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
  t.equal(summary.packets, Number(run('capinfos', ['-c', '-M', file]).match(/Number of packets:\s+(\d+)/)![1]), 'packet count');
  t.ok(counts.some((r) => r[2] === '11') && counts.some((r) => r[2] === '12'), 'DCE/RPC bind and bind_ack on pipes');
  t.ok(counts.some((r) => Number(r[3]) > 4096), 'some large writes (mixed)');
  const mz = run('tshark', ['-r', file, '-n', '-Y', 'smb2.cmd == 9 && smb2.flags.response == 0 && data.data[0:2] == 4d:5a']).split('\n').filter((l) => l !== '');
  t.equal(mz.length, summary.mzWrites, `writes of MZ-headed data: ${summary.mzWrites}`);
});

t.test('lifecycle.sh sees every tree connect, refusal, disconnect, logoff and user', async (t) => {
  const { file, summary } = synth('life.pcap', ['--seed', '21', '--sessions', '60', '--concurrency', '16']);
  const rows = lifecycle(file);
  const req = (cmd: string) => rows.filter((r) => r[CMD] === cmd && r[RESP] === '0');
  const rsp = (cmd: string) => rows.filter((r) => r[CMD] === cmd && r[RESP] === '1');
  t.equal(req('0').length, summary.sessionSetups, 'one NEGOTIATE per connection');
  t.equal(req('3').length, summary.treeConnects, `tree connect requests: ${summary.treeConnects}`);
  t.ok(req('3').every((r) => /^\\\\[A-Z0-9-]+\\[^\\]+$/.test(r[TREE])), 'every tree connect carries a \\\\server\\share path');
  t.ok(req('3').some((r) => /\\(C|ADMIN)\$$/.test(r[TREE])) && req('3').some((r) => /\\IPC\$$/.test(r[TREE])), 'admin shares and IPC$ present');
  t.equal(rsp('3').filter((r) => r[STATUS] === '0x00000000').length, summary.treeConnectsOk, 'successful tree connects');
  t.equal(rsp('3').filter((r) => r[STATUS] !== '0x00000000').length, summary.treeConnects - summary.treeConnectsOk, 'refused tree connects');
  t.equal(req('4').length, summary.treeDisconnects, `tree disconnects: ${summary.treeDisconnects}`);
  t.equal(summary.treeDisconnects, summary.treeConnectsOk, 'every successful tree is disconnected');
  t.equal(req('2').length, summary.logoffs, `logoffs: ${summary.logoffs}`);
  const auth = req('1').filter((r) => r[USER] !== '');
  t.equal(auth.length, summary.sessionSetups, 'one NTLMSSP AUTHENTICATE per session setup');
  t.same([...new Set(auth.map((r) => r[USER]))].sort(), summary.users.slice().sort(), 'user names');
  t.ok(auth.every((r) => r[DOMAIN] !== '' && /^WS-\d{4}$/.test(r[HOST])), 'domain and workstation decoded');
  const legs = rsp('1').map((r) => r[STATUS]);
  t.equal(legs.filter((s) => s === '0xc0000016').length, summary.sessionSetups, 'first leg: STATUS_MORE_PROCESSING_REQUIRED');
  t.equal(legs.filter((s) => s === '0x00000000').length, summary.sessions, 'second leg: success');
});

t.test('--no-disconnect --hold --trees-per-session: trees and sessions stay open', async (t) => {
  const { file, summary } = synth('hold.pcap', ['--seed', '3', '--sessions', '30', '--trees-per-session', '3', '--no-disconnect', '--hold', '--no-failures']);
  const rows = lifecycle(file);
  const req = (cmd: string) => rows.filter((r) => r[CMD] === cmd && r[RESP] === '0');
  t.equal(summary.sessions, 30);
  t.equal(req('3').length, 90, '3 tree connects per session');
  t.equal(rows.filter((r) => r[CMD] === '3' && r[RESP] === '1' && r[STATUS] === '0x00000000').length, 90, 'all succeed');
  t.equal(req('4').length, 0, 'no tree disconnect');
  t.equal(req('2').length, 0, 'no logoff');
  const closes = run('tshark', ['-r', file, '-n', '-Y', 'tcp.flags.fin == 1 || tcp.flags.reset == 1']).trim();
  t.equal(closes, '', 'no FIN or RST: connections never end');
});

t.test('--size stops near the target', async (t) => {
  const { file, summary } = synth('size.pcap', ['--seed', '4', '--size', '3M', '--concurrency', '4']);
  const size = statSync(file).size;
  t.equal(size, summary.bytes);
  t.ok(size >= 3 << 20, `at least 3 MiB (${size})`);
  t.ok(size < (3 << 20) + (2 << 20), 'and not far beyond');
});
