/**
 * `--workers N` (contract v2) through the built CLI: the same stdout, stderr and exit status for
 * every N — the default (the CPUs, at most 8), 1 (the single-threaded path), 2, 3 and 8 — with the
 * outputs main's features add beside stdout: the snaplen warning (a sharded run counts the lost
 * messages in its workers), --zeek-dir logs (internal records merged), --report (the same page).
 * Bad values are usage errors. (test/workers.test.ts compares every corpus and lab capture.)
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const own = (f: string): string => path.join(ROOT, 'captures', f);
const corpus = (f: string): string => path.resolve(ROOT, '..', 'shared', 'captures', f);
const CAP = own('psexec-like.pcap');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, '--no-progress', ...args], { encoding: 'utf8' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-cli-workers-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('--workers N: the same output for every N, nothing said on stderr', async (t) => {
  const one = run(['-q', '--workers', '1', '-r', CAP]);
  t.equal(one.status, 0);
  t.equal(one.stderr, '');
  t.ok(one.stdout.split('\n').length > 10, 'events written');
  for (const n of [null, '2', '3', '8']) {
    const r = run(n === null ? ['-q', '-r', CAP] : ['-q', '--workers', n, '-r', CAP]);
    const what = n === null ? 'default --workers' : `--workers ${n}`;
    t.equal(r.status, 0, `${what}: exit 0`);
    t.equal(r.stdout, one.stdout, `${what}: byte-identical output`);
    t.equal(r.stderr, '', `${what}: nothing on stderr`);
  }
});

t.test('the snaplen warning: the same counts with N > 1, several inputs', async (t) => {
  const cut = path.join(dir, 'fin-rst-96.pcap');
  // DCE/RPC over TCP: its framer counts the messages it loses too
  const cut2 = path.join(dir, 'zerologon-120.pcap');
  for (const [src, len, dst] of [[own('fin-rst.pcap'), '96', cut], [corpus('dcerpc/sv_dcerpc_zerologon.pcap'), '120', cut2]]) {
    const e = spawnSync('editcap', ['-s', len, src, dst], { encoding: 'utf8' });
    t.equal(e.status, 0, `editcap -s ${len} ${path.basename(src)}`);
  }
  const args = ['-q', '-r', cut, '-r', own('ipv6.pcap'), '-r', cut2];
  const one = run(['--workers', '1', ...args]);
  t.equal(one.status, 0);
  const warnings = one.stderr.split('\n').filter((l) => l !== '');
  t.equal(warnings[0], `sharewatch: ${cut}: warning: the snaplen cut 25 packets; 18 SMB messages could not be read`);
  t.equal(warnings[1], `sharewatch: ${cut2}: warning: the snaplen cut 345 packets; 335 SMB messages could not be read`);
  t.equal(warnings.length, 2, 'one warning per cut input');
  for (const n of ['2', '3']) {
    const r = run(['--workers', n, ...args]);
    t.equal(r.status, 0);
    t.equal(r.stderr, one.stderr, `--workers ${n}: the same warnings`);
    t.equal(r.stdout, one.stdout, `--workers ${n}: the same events`);
  }
});

t.test('--zeek-dir and --report: the same logs and page with N > 1 (DCE/RPC over TCP and pipes, NTLM)', async (t) => {
  // zerologon and mapi: ept_map answers, then connections to the ports they handed out
  const files = [
    corpus('dcerpc/sv_dcerpc_zerologon.pcap'),
    corpus('dcerpc/zeek_mapi.pcap'),
    corpus('dcerpc/sv_dcerpc_dcerpc-ctxids.pcap'),
    own('lat-psexec.pcap'),
    own('impacket-smbclient.pcap'),
  ];
  const outputs = (n: string): Map<string, string> => {
    const zd = path.join(dir, `zeek-${n}`);
    const rep = path.join(dir, `report-${n}.html`);
    const r = run(['-q', '--workers', n, '--zeek-dir', zd, '--report', rep, ...files.flatMap((f) => ['-r', f])]);
    t.equal(r.status, 0, `--workers ${n}: exit 0`);
    t.equal(r.stderr, '', `--workers ${n}: nothing on stderr`);
    const m = new Map<string, string>([['stdout', r.stdout], ['report', fs.readFileSync(rep, 'utf8')]]);
    for (const f of fs.readdirSync(zd).sort()) m.set(f, fs.readFileSync(path.join(zd, f), 'utf8'));
    return m;
  };
  const one = outputs('1');
  const rows = (f: string): number => (one.get(f) ?? '').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  t.ok(rows('dce_rpc.log') > 100, `dce_rpc.log: ${rows('dce_rpc.log')} rows`);
  const smb = rows('smb_mapping.log') + rows('ntlm.log') + rows('notice.log');
  t.ok(smb > 5, `smb_mapping, ntlm and notice logs: ${smb} rows`);
  // calls on ports an endpoint mapper handed out (not 135, not SMB's): framed because the same
  // address pair (the same worker) saw the ept_map answer
  const learned = one
    .get('stdout')!
    .split('\n')
    .filter((l) => l.includes('"protocol":"dcerpc"') && !/"destination":\{"ip":"[^"]*","port":(135|445|139)\}/.test(l)).length;
  t.ok(learned > 10, `${learned} DCE/RPC events on learned endpoints`);
  for (const n of ['2', '3']) {
    const got = outputs(n);
    t.same([...got.keys()], [...one.keys()], `--workers ${n}: the same files`);
    for (const [k, v] of one) t.ok(got.get(k) === v, `--workers ${n}: ${k} byte-identical`);
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
