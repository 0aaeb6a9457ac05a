/**
 * The Zeek log writer on constructed records: escaping survives a round trip through the
 * independent reader (any string, in plain and set fields), Zeek's double formatting, the
 * smb_files rows of a delete and a rename, dce_rpc rows (SMB pipe and TCP), notice rows,
 * SIGHUP rotation (#close, then a new header), the JSON form, and uid/Community ID stability.
 */
import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asciiRow, jsonRow, zeekDouble, type ZeekField } from '../src/output/zeek/values';
import { ZeekDirWriter } from '../src/output/zeek/dir-writer';
import { communityId, connUid, ipBytes } from '../src/output/zeek/ids';
import { zeekRtt } from '../src/output/zeek/logs';
import { readZeekAscii, readZeekJson } from './helpers/zeek-log-reader';
import { at, flowKrb, krbSession, S, T0 } from './helpers/detect-records';
import type { AlertRecord, DcerpcCallRecord, FileRecord, Flow, TreeDisconnectRecord } from '../src/shared/records';

const dir = mkdtempSync(path.join(tmpdir(), 'sw-zeek-format-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newDir = (): string => path.join(dir, String(n++));

const FIELDS: ZeekField[] = [
  ['s', 'string'],
  ['v', 'vector[string]'],
  ['c', 'count'],
  ['b', 'bool'],
];
const header = (f: ZeekField[]): string =>
  `#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tx\n#open\t2020-01-01-00-00-00\n#fields\t${f.map((x) => x[0]).join('\t')}\n#types\t${f.map((x) => x[1]).join('\t')}\n`;

t.test('any string survives the ASCII writer and the reader (plain and in a set)', async () => {
  // lone surrogates cannot survive UTF-8 by design: whole code points only
  const str = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('-', '(empty)', '', '\t', ',', '\\', '\\x41', 'a,b', '\\\\srv\\C$', '\u202e', 'é\u0000'),
  );
  fc.assert(
    fc.property(str, fc.array(str, { maxLength: 4 }), fc.nat(), fc.boolean(), (s, v, c, b) => {
      const text = header(FIELDS) + asciiRow(FIELDS, [s, v, c, b]) + '#close\t2020-01-01-00-00-00\n';
      const row = readZeekAscii(text)[0].rows[0];
      const line = text.split('\n')[8];
      return (
        row.s === s &&
        JSON.stringify(row.v) === JSON.stringify(v.filter((e) => e !== '')) &&
        row.c === c &&
        row.b === b &&
        !/[\x00-\x08\x0a-\x1f\x7f]/.test(line) &&
        line.split('\t').length === FIELDS.length
      );
    }),
    { numRuns: 2000 },
  );
});

t.test('unset, empty and escaped markers as Zeek writes them', async (t) => {
  t.equal(asciiRow(FIELDS, [null, null, null, null]), '-\t-\t-\t-\n');
  t.equal(asciiRow(FIELDS, ['', [], 0, false]), '(empty)\t(empty)\t0\tF\n');
  t.equal(asciiRow(FIELDS, ['-', ['a,b', '-'], 1, true]), '\\x2d\ta\\x2cb,\\x2d\t1\tT\n');
  t.equal(asciiRow(FIELDS, ['#x', [], 1, true]), '\\x23x\t(empty)\t1\tT\n', 'a leading # is escaped (no meta line)');
  t.equal(asciiRow(FIELDS, ['\\\\10.0.0.12\\smb2\tx', ['é'], 2, true]), '\\\\\\\\10.0.0.12\\\\smb2\\x09x\t\\xc3\\xa9\t2\tT\n');
  t.equal(jsonRow(FIELDS, [null, ['a'], 3, true]), '{"v":["a"],"c":3,"b":true}\n', 'JSON leaves unset fields out');
});

t.test('doubles with six decimals, rounded as Zeek rounds', async (t) => {
  t.equal(zeekDouble(1403148950), '1403148950.000000');
  // the FILETIME as Zeek converts it: uint64 → double, / 1e7, - 11644473600
  t.equal(zeekDouble(Number(129676762045120585n) / 1e7 - 11644473600), '1323202604.512058', 'smb2.pcap share root modified time (Zeek baseline)');
  // modp_dtoa: the fraction scaled in double arithmetic, then half to even (printf gives 0.000001)
  t.equal(zeekDouble(0.0000015), '0.000002', '1.5 µs scales to exactly 1.5: odd, up');
  t.equal(zeekDouble(0.0000025), '0.000002', '2.5: even, stays');
  t.equal(zeekDouble(0.0000005), '0.000001', 'scales to exactly 0.5 with 0 before it: up (modp_dtoa)');
  t.equal(zeekDouble(0.9999996), '1.000000', 'carry');
  t.equal(zeekDouble(-11644473600), '-11644473600.000000');
  t.equal(zeekDouble(zeekRtt({ sec: 10, nsec: 5_544_900 }, 5_544_900).seconds), '0.005544', 'rtt from µs packet times');
});

t.test('uid and Community ID', async (t) => {
  const a: Flow = { ...flowKrb, startSec: T0.sec, startNsec: T0.nsec };
  t.equal(connUid(a), connUid({ ...a }), 'same connection, same uid (any Flow object)');
  t.not(connUid(a), connUid({ ...a, startNsec: T0.nsec + 1000 }), 'a reused 4-tuple is another connection');
  t.match(connUid(a), /^C[0-9A-Za-z]{15,17}$/);
  // Community ID spec, its own TCP example: 128.232.110.120:34855 -> 66.35.250.204:80
  const cid = communityId({ clientIp: '128.232.110.120', clientPort: 34855, serverIp: '66.35.250.204', serverPort: 80 });
  t.equal(cid, communityId({ clientIp: '66.35.250.204', clientPort: 80, serverIp: '128.232.110.120', serverPort: 34855 }), 'direction-free');
  t.same([...ipBytes('fe80::1:2')!], [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
  t.same([...ipBytes('::ffff:10.1.2.3')!].slice(10), [0xff, 0xff, 10, 1, 2, 3]);
  t.equal(ipBytes('1.2.3'), null);
  t.equal(ipBytes('1::2::3'), null);
});

const file = (over: Partial<FileRecord>): FileRecord => ({
  kind: 'file',
  ts: at(3 * S),
  flow: flowKrb,
  session: krbSession,
  treeId: '0x00000005',
  share: '\\\\dc1\\ADMIN$',
  name: 'PSEXESVC.exe',
  actions: ['open', 'write'],
  size: 0,
  bytesRead: 0,
  bytesWritten: 381816,
  renamedTo: null,
  openTs: at(1 * S),
  times: { modified: 1507567480.1234565, accessed: 1507567480.1234565, created: 1507567480.1234565, changed: 1507567480.1234565 },
  ...over,
});

t.test('smb_files: FILE_OPEN, FILE_RENAME with prev_name, FILE_DELETE; repeats within 3 min once', async (t) => {
  const d = newDir();
  const w = new ZeekDirWriter({ dir: d, json: false, suppressForSec: 3600 });
  w.writeFile(file({}));
  w.writeFile(file({ name: 'a.txt', actions: ['open', 'rename', 'delete'], renamedTo: 'b.txt', renameTs: at(2 * S), deleteTs: at(2.5 * S) }));
  w.writeFile(file({ name: '\\', times: null, size: 4096, actions: ['open'] }));
  w.writeFile(file({ ts: at(60 * S), openTs: at(59 * S) })); // same open again: Zeek's recent_files
  w.writeFile(file({ ts: at(400 * S), openTs: at(399 * S) })); // after 3 minutes: logged again
  await w.close();
  const b = readZeekAscii(readFileSync(path.join(d, 'smb_files.log'), 'utf8'))[0];
  t.same(
    b.rows.map((r) => [r.action, r.name, r.prev_name, r.size, r.path]),
    [
      ['SMB::FILE_OPEN', 'PSEXESVC.exe', null, 0, '\\\\dc1\\ADMIN$'],
      ['SMB::FILE_OPEN', 'a.txt', null, 0, '\\\\dc1\\ADMIN$'],
      ['SMB::FILE_RENAME', 'b.txt', 'a.txt', 0, '\\\\dc1\\ADMIN$'],
      ['SMB::FILE_DELETE', 'b.txt', null, 0, '\\\\dc1\\ADMIN$'],
      ['SMB::FILE_OPEN', '<share_root>', null, 4096, '\\\\dc1\\ADMIN$'],
      ['SMB::FILE_OPEN', 'PSEXESVC.exe', null, 0, '\\\\dc1\\ADMIN$'],
    ],
  );
  t.equal(b.raw[0][12], '1507567480.123456', 'MAC time printed like Zeek (six decimals, half-even)');
  t.same(b.rows[4]['times.modified'], null, 'no MAC times: unset');
  t.same(b.rows[0].actions, ['open', 'write']);
  t.equal(b.rows[0].bytes_written, 381816);
});

const call = (over: Partial<DcerpcCallRecord>): DcerpcCallRecord => ({
  kind: 'dcerpc-call',
  ts: at(2 * S),
  flow: flowKrb,
  session: krbSession,
  transport: 'smb',
  pipe: 'svcctl',
  treeId: '0x00000001',
  interfaceUuid: '367abb81-9844-35f1-ad32-98f038001003',
  interfaceVersion: '2.0',
  interfaceName: 'svcctl',
  operation: 'RCreateServiceW',
  opnum: 12,
  authLevel: 'privacy',
  encrypted: false,
  returnCode: 'ERROR_SUCCESS',
  fault: null,
  outcome: 'success',
  durationNs: 5_544_000,
  args: { service_name: 'PSEXESVC', binary_path: '%SystemRoot%\\PSEXESVC.exe', start_type: 'demand', service_type: 16 },
  gap: false,
  ...over,
});

t.test('dce_rpc: Zeek columns from the call record, arguments after them', async (t) => {
  const d = newDir();
  const w = new ZeekDirWriter({ dir: d, json: false, suppressForSec: 3600 });
  w.write(call({}));
  w.write(call({ secondaryAddress: '\\PIPE\\lsass', pipe: 'lsarpc', interfaceName: 'dssetup', operation: 'DsRolerGetPrimaryDomainInformation', args: {} }));
  w.write(call({ transport: 'tcp', pipe: null, treeId: null, flow: { ...flowKrb, serverPort: 49676 }, durationNs: null, returnCode: null, outcome: 'unknown', interfaceName: 'netlogon', operation: 'NetrLogonSamLogonWithFlags', args: { names: ['a', 'b'] } }));
  await w.close();
  const b = readZeekAscii(readFileSync(path.join(d, 'dce_rpc.log'), 'utf8'))[0];
  t.same(b.fields.slice(0, 10), ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'rtt', 'named_pipe', 'endpoint', 'operation']);
  t.same(
    b.rows.map((r) => [r.rtt, r.named_pipe, r.endpoint, r.operation, r.return_code, r.args]),
    [
      [0.005544, '\\PIPE\\svcctl', 'svcctl', 'RCreateServiceW', 'ERROR_SUCCESS', ['service_name=PSEXESVC', 'binary_path=%SystemRoot%\\PSEXESVC.exe', 'start_type=demand', 'service_type=16']],
      [0.005544, '\\PIPE\\lsass', 'dssetup', 'DsRolerGetPrimaryDomainInformation', 'ERROR_SUCCESS', []],
      [null, '49676', 'netlogon', 'NetrLogonSamLogonWithFlags', null, ['names=a|b']],
    ],
  );
  t.equal(b.raw[0][0], '1507567481.263126', 'ts = the request (the response minus rtt)');
});

t.test('notice: one row per alert, Zeek notice columns then the rule', async (t) => {
  const d = newDir();
  const w = new ZeekDirWriter({ dir: d, json: false, suppressForSec: 3600 });
  const about: TreeDisconnectRecord = {
    kind: 'tree-disconnect',
    ts: at(14 * S),
    flow: flowKrb,
    session: krbSession,
    tree: { treeId: '0x00000005', share: '\\\\dc1\\ADMIN$', shareName: 'ADMIN$', shareClass: 'admin', shareType: 'disk', status: 'STATUS_SUCCESS', success: true },
    reason: 'tree_disconnect',
    durationNs: 13.4 * S,
    activity: { creates: 1, reads: 0, writes: 3, bytesRead: 0, bytesWritten: 381816, ioctls: 0 },
    files: ['PSEXESVC.exe'],
    wroteExecutable: true,
    wroteFiles: true,
    pipes: [],
    gap: false,
  };
  const alert: AlertRecord = {
    kind: 'alert',
    ts: about.ts,
    ruleId: 'SW-0001',
    ruleName: 'short-lived-admin-share',
    severity: 73,
    message: 'mounted \\\\dc1\\ADMIN$ and disconnected it after 13.4 s',
    techniques: [{ id: 'T1021.002', name: 'SMB/Windows Admin Shares' }],
    count: null,
    about,
  };
  w.write(alert);
  w.write(about);
  await w.close();
  const r = readZeekAscii(readFileSync(path.join(d, 'notice.log'), 'utf8'))[0].rows[0];
  t.match(r, {
    proto: 'tcp',
    note: 'short-lived-admin-share',
    msg: alert.message,
    src: '192.168.10.31',
    dst: '192.168.10.10',
    p: 445,
    n: null,
    actions: ['Notice::ACTION_LOG'],
    suppress_for: 3600,
    rule_id: 'SW-0001',
    severity: 73,
    techniques: ['T1021.002'],
    share: '\\\\dc1\\ADMIN$',
  });
  const m = readZeekAscii(readFileSync(path.join(d, 'smb_mapping.log'), 'utf8'))[0].rows[0];
  t.match(m, { path: '\\\\dc1\\ADMIN$', share_type: 'DISK', end_reason: 'tree_disconnect', duration: 13.4, files: ['PSEXESVC.exe'] });
  t.equal(m.ts, Number(`${T0.sec}.${String(Math.floor(T0.nsec / 1000) + 600000).padStart(6, '0')}`), 'ts = connect time');
});

t.test('SIGHUP rotation: #close in the renamed file, a new header in the new one', async (t) => {
  const d = newDir();
  const w = new ZeekDirWriter({ dir: d, json: false, suppressForSec: 3600 });
  w.writeFile(file({}));
  w.flushSync();
  const p = path.join(d, 'smb_files.log');
  renameSync(p, p + '.1');
  w.reopen();
  w.writeFile(file({ name: 'next.txt', ts: at(5 * S), openTs: at(4 * S) }));
  await w.close();
  const old = readZeekAscii(readFileSync(p + '.1', 'utf8'));
  const cur = readZeekAscii(readFileSync(p, 'utf8'));
  t.same(old.map((b) => b.rows.map((r) => r.name)), [['PSEXESVC.exe']]);
  t.same(cur.map((b) => b.rows.map((r) => r.name)), [['next.txt']]);
  t.equal(old[0].close, '2017-10-09-16-44-42', '#close = capture time of the last record seen');
  t.notOk(existsSync(path.join(d, 'ntlm.log')), 'a log without rows has no file (as Zeek)');
});

t.test('JSON form: flat dotted keys, unset left out, numbers for time/interval/count', async (t) => {
  const d = newDir();
  const w = new ZeekDirWriter({ dir: d, json: true, suppressForSec: 3600 });
  w.writeFile(file({}));
  await w.close();
  const [o] = readZeekJson(readFileSync(path.join(d, 'smb_files.log'), 'utf8'));
  t.match(o, { action: 'SMB::FILE_OPEN', 'id.resp_p': 445, size: 0, 'times.modified': 1507567480.123456, actions: ['open', 'write'] });
  t.notOk('prev_name' in o, 'unset prev_name absent');
  t.notOk('fuid' in o, 'unset fuid absent');
});
