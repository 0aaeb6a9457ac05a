/**
 * The real-traffic lab works end to end: a private lab records the C$ drop-and-delete scenario,
 * and tshark finds in the capture the TREE_CONNECT to C$ (success) and its TREE_DISCONNECT, with
 * wire-sized frames (offloads off). Needs root, ip netns, Samba, impacket, tcpdump and tshark:
 * in CI (CI=true) a lab that cannot run is a failure; elsewhere the test is skipped with the reason.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCI, labAvailability, startLab } from './helpers/lab';

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-n', '-r', file, '-o', 'tcp.desegment_tcp_streams:TRUE', '-Y', filter,
    '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`tshark failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

const avail = labAvailability();
const tsharkOk = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const reason = [avail.reason, tsharkOk ? '' : 'tshark not found (apt-get install tshark)'].filter((s) => s).join('; ');

if (reason !== '' && isCI()) {
  t.fail(`the SMB lab must run in CI but cannot: ${reason}`);
} else if (reason !== '') {
  t.test('lab records c-drop-delete', { skip: `lab cannot run here: ${reason}` }, async () => {});
} else {
  t.test('lab records c-drop-delete', async (t) => {
    const lab = await startLab();
    t.teardown(() => lab.stop());
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-lab-'));
    t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const pcap = path.join(tmp, 'c-drop-delete.pcap');

    await lab.record('c-drop-delete', pcap, { timeoutMs: 60_000 });
    t.ok(fs.statSync(pcap).size > 0, 'capture written');

    const share = `\\\\${lab.serverIp}\\C$`;
    const connects = tshark(pcap, 'smb2.cmd == 3 && smb2.flags.response == 0', ['tcp.stream', 'smb2.msg_id', 'smb2.tree']);
    const cReq = connects.find((f) => f[2] === share);
    t.ok(cReq, `TREE_CONNECT request for ${share}`, { found: connects.map((f) => f[2]) });

    const responses = tshark(pcap, 'smb2.cmd == 3 && smb2.flags.response == 1', ['tcp.stream', 'smb2.msg_id', 'smb2.nt_status', 'smb2.tid']);
    const cResp = responses.find((f) => cReq && f[0] === cReq[0] && f[1] === cReq[1]);
    t.ok(cResp, 'TREE_CONNECT response matched by message id');
    t.equal(cResp?.[2], '0x00000000', 'C$ tree connect succeeded');
    const tid = cResp?.[3];

    const disc = tshark(pcap, 'smb2.cmd == 4', ['smb2.flags.response', 'smb2.tid', 'smb2.nt_status']);
    const cDisc = disc.filter((f) => f[1] === tid);
    t.ok(cDisc.some((f) => f[0] === '0'), `TREE_DISCONNECT request for the C$ tree ${tid}`);
    t.ok(cDisc.some((f) => f[0] === '1' && f[2] === '0x00000000'), 'TREE_DISCONNECT response succeeded');

    const writes = tshark(pcap, 'smb2.cmd == 9 && smb2.flags.response == 0', ['smb2.write_length']);
    t.ok(writes.length > 0, 'the MZ binary was written');

    const sizes = tshark(pcap, 'frame', ['frame.len']).map((f) => Number(f[0]));
    t.ok(Math.max(...sizes) <= 1514, `frames fit a 1500-byte MTU (max ${Math.max(...sizes)})`);

    const user = tshark(pcap, 'ntlmssp.auth.username', ['ntlmssp.auth.username', 'ntlmssp.auth.domain']);
    t.same(user[0], [lab.user, lab.domain], 'NTLMSSP user and domain');
  });
}
