/**
 * tools/gen/adversarial.js: every scenario writes a capture tshark reads (good checksums), and
 * the attack it is meant to carry is visible in tshark's fields: SYN count, NBSS length bytes,
 * NextCommand and AndXOffset values, open trees and sessions, out-of-order and conflicting
 * overlapping segments.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const ADV = path.join(ROOT, 'tools', 'gen', 'adversarial.js');
const LIFECYCLE = path.resolve(ROOT, '..', 'shared', 'captures', 'tools', 'lifecycle.sh');

function run(cmd: string, args: string[]): string {
  try {
    // a timeout: a chain cycle must not hang the reference dissector either
    return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error(`${cmd} is required for this test (install tshark / Wireshark CLI tools)`);
    throw e;
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-adv-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function adversarial(scenario: string, args: string[]): { file: string; summary: Record<string, any> } {
  const file = path.join(dir, `${scenario}.pcap`);
  const out = run(process.execPath, [ADV, scenario, '--out', file, ...args]);
  return { file, summary: JSON.parse(out) };
}

/** tshark fields, one array per frame. */
function fields(file: string, filter: string, names: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-n', ...extra, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  if (filter) args.push('-Y', filter);
  for (const n of names) args.push('-e', n);
  return run('tshark', args)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
}

/** every frame's IPv4 and TCP checksum verified by tshark */
function checksumsGood(t: any, file: string): void {
  const rows = fields(file, '', ['ip.checksum.status', 'tcp.checksum.status'], ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE']);
  t.ok(rows.length > 0 && rows.every((r) => r[0] === '1' && r[1] === '1'), `${path.basename(file)}: ${rows.length} frames, all checksums good`);
}

const lifecycle = (file: string) =>
  run(LIFECYCLE, [file])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));

t.test('syn-flood: COUNT SYN-only flows to 445, all distinct', async (t) => {
  const { file, summary } = adversarial('syn-flood', ['--count', '3000']);
  t.equal(summary.packets, 3000);
  const rows = fields(file, '', ['tcp.flags.syn', 'tcp.flags.ack', 'tcp.dstport', 'ip.src', 'tcp.srcport', 'tcp.options.mss_val']);
  t.equal(rows.length, 3000);
  t.ok(rows.every((r) => r[0] === '1' && r[1] === '0' && r[2] === '445' && r[5] === '1460'), 'every frame is a bare SYN with MSS to port 445');
  t.equal(new Set(rows.map((r) => `${r[3]}:${r[4]}`)).size, 3000, 'distinct source IP/port pairs');
  checksumsGood(t, file);
});

t.test('nbss-16mb: announced lengths 0xFFFFFF and 0x01FFFF with no data behind them', async (t) => {
  const { file, summary } = adversarial('nbss-16mb', ['--count', '1']);
  const rows = fields(file, 'tcp.len > 0', ['tcp.stream', 'tcp.srcport', 'tcp.payload']);
  t.same(
    rows.map((r) => r[2].slice(0, 16)),
    ['00ffffff', '0001ffff', '00fffffffe534d42'],
    'the NBSS headers (and the SMB2 magic after the third)'
  );
  t.same(rows.map((r) => r[0]), ['0', '1', '2'], 'one data segment per flow, nothing after');
  t.same(summary.flows.map((f: any) => f.nbssLength), [0xffffff, 0x1ffff, 0xffffff]);
  t.equal(fields(file, 'tcp.flags.fin == 1 || tcp.flags.reset == 1', ['frame.number']).length, 0, 'flows stay open');
  checksumsGood(t, file);
});

t.test('tree-connects: COUNT successful tree connects, no disconnect, no logoff', async (t) => {
  const { file, summary } = adversarial('tree-connects', ['--count', '300', '--sessions', '3']);
  t.equal(summary.treeConnects, 300);
  const rows = lifecycle(file);
  const ok = rows.filter((r) => r[9] === '3' && r[11] === '1' && r[12] === '0x00000000');
  t.equal(rows.filter((r) => r[9] === '3' && r[11] === '0').length, 300, 'tree connect requests');
  t.equal(ok.length, 300, 'all succeed');
  t.equal(new Set(ok.map((r) => `${r[14]}/${r[16]}`)).size, 300, 'distinct (SessionId, TreeId)');
  t.equal(new Set(ok.map((r) => r[14])).size, 3, 'in 3 sessions');
  t.equal(rows.filter((r) => r[9] === '4' || r[9] === '2').length, 0, 'no TREE_DISCONNECT, no LOGOFF');
  checksumsGood(t, file);
});

t.test('next-command-cycle: NextCommand values that point back, before, inside and beyond', async (t) => {
  const { file, summary } = adversarial('next-command-cycle', ['--count', '2']);
  const rows = fields(file, 'smb2 && smb2.flags.response == 0 && frame.number > 20', ['smb2.chain_offset']);
  const seen = rows.map((r) => r[0].split(',').map((x) => parseInt(x, 16)));
  for (const v of summary.variants.slice(0, 4)) {
    const hit = seen.find((s) => s[0] === v.nextCommand[0]);
    t.ok(hit, `${v.variant}: tshark shows NextCommand 0x${v.nextCommand[0].toString(16)}`);
  }
  const back = summary.variants.find((v: any) => v.variant === 'back').nextCommand;
  t.equal((back[0] + back[1]) % 2 ** 32, 0, 'back: the second header points exactly at the first');
  const both = seen.find((s) => s.length === 2 && s[0] === back[0]);
  t.same(both, back, 'tshark dissects both headers of the cycle and stops');
  checksumsGood(t, file);
});

t.test('andx-cycle: AndXOffset back to an earlier block, and to itself', async (t) => {
  const { file, summary } = adversarial('andx-cycle', ['--count', '2']);
  const rows = fields(file, 'smb.cmd == 0x73 && smb.flags.response == 0', ['tcp.stream', 'smb.cmd', 'smb.andxoffset', 'smb.account', 'smb.path']);
  t.equal(rows.length, 4, 'two chained session setups per flow');
  const [ss, tc] = summary.flows[0].cycle;
  const cycle = rows.find((r) => r[0] === '0' && r[4] !== '')!;
  t.same(cycle[2].split(',').map(Number).slice(0, 2), [tc, ss], `session setup → ${tc}, tree connect → back to ${ss}`);
  t.equal(cycle[3], 'user0', 'the session setup block itself is well formed');
  t.match(cycle[4], /\\\\FS01\\IPC\$/, 'the tree connect block is well formed');
  const self = rows.find((r) => r[0] === '0' && r[4] === '')!;
  t.equal(Number(self[2].split(',')[0]), summary.flows[0].self, 'self: AndXOffset = its own offset');
  checksumsGood(t, file);
});

t.test('sessions-never-end: COUNT sessions, no logoff, no TCP close', async (t) => {
  const { file, summary } = adversarial('sessions-never-end', ['--count', '200', '--per-connection', '2']);
  t.equal(summary.connections, 100);
  const rows = lifecycle(file);
  t.equal(rows.filter((r) => r[9] === '1' && r[11] === '1' && r[12] === '0x00000000').length, 200, 'successful session setups');
  t.equal(new Set(rows.filter((r) => r[9] === '1' && r[11] === '1').map((r) => r[14])).size, 200, 'distinct SessionIds');
  t.equal(rows.filter((r) => r[9] === '3' && r[11] === '1' && r[12] === '0x00000000').length, 200, 'one tree per session');
  t.equal(rows.filter((r) => r[9] === '2' || r[9] === '4').length, 0, 'no LOGOFF, no TREE_DISCONNECT');
  t.equal(fields(file, 'tcp.flags.fin == 1 || tcp.flags.reset == 1', ['frame.number']).length, 0, 'no FIN or RST');
  checksumsGood(t, file);
});

t.test('ooo-flood: COUNT segments 64 MB ahead, out of order, never reassembled', async (t) => {
  const { file } = adversarial('ooo-flood', ['--count', '500']);
  const rows = fields(file, 'tcp.len == 1000', ['tcp.seq', '_ws.expert.message']);
  t.equal(rows.length, 500);
  t.ok(rows.every((r) => Number(r[0]) >= 64 << 20), 'all beyond 64 MB of the next expected byte');
  const seqs = rows.map((r) => Number(r[0]));
  t.not(seqs.join(), seqs.slice().sort((a, b) => a - b).join(), 'not in order');
  t.equal(new Set(seqs).size, 500, 'distinct segments');
  t.ok(rows.filter((r) => /out-of-order|not captured/.test(r[1])).length > 100, 'tshark flags them out of order / gap');
  t.equal(fields(file, 'smb2', ['frame.number']).length, 2, 'only the NEGOTIATE exchange is SMB2');
  checksumsGood(t, file);
});

t.test('overlap-lies: retransmissions with different bytes (PUBLIC vs ADMIN$)', async (t) => {
  const { file, summary } = adversarial('overlap-lies', ['--count', '20']);
  const rows = fields(file, 'tcp.srcport != 445 && tcp.len > 2', ['tcp.seq', 'tcp.len', 'tcp.payload', 'tcp.analysis.retransmission']);
  const bySeq = new Map<string, string[][]>();
  for (const r of rows) bySeq.set(`${r[0]}/${r[1]}`, [...(bySeq.get(`${r[0]}/${r[1]}`) ?? []), r]);
  const pairs = [...bySeq.values()].filter((v) => v.length === 2);
  t.equal(pairs.length, summary.overlaps, 'one overlapping pair per tree connect');
  const pub = Buffer.from('PUBLIC', 'utf16le').toString('hex');
  const adm = Buffer.from('ADMIN$', 'utf16le').toString('hex');
  t.ok(pairs.every(([a, b]) => a[2] !== b[2]), 'the copies differ');
  t.ok(pairs.every(([a, b]) => (a[2].includes(pub) && b[2].includes(adm)) || (a[2].includes(adm) && b[2].includes(pub))), 'one says PUBLIC, the other ADMIN$');
  t.ok(pairs.every(([, b]) => b[3] === '1'), 'tshark marks the second copy a retransmission');
  // with out-of-order reassembly tshark sees the conflict when both copies wait behind the hole
  const trees = fields(file, 'smb2.cmd == 3 && smb2.flags.response == 0 && frame.number > 9', ['smb2.tree', 'tcp.segment.overlap.conflict'], [
    '-o', 'tcp.desegment_tcp_streams:TRUE', '-o', 'tcp.reassemble_out_of_order:TRUE',
  ]);
  t.equal(trees.length, summary.overlaps, 'every tree connect reassembled');
  t.equal(trees.filter((r) => r[1] === '1').length, summary.overlaps / 2, 'overlap conflict on the ones behind a hole');
  t.same(
    trees.map((r) => r[0].replace(/^.*\\/, '')),
    Array.from({ length: summary.overlaps }, (_, i) => (i % 2 === 0 ? 'PUBLIC' : 'ADMIN$')),
    'tshark keeps the first copy it saw'
  );
  checksumsGood(t, file);
});
