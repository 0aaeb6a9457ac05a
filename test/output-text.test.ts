import t, { type Test } from 'tap';
import { formatPretty } from '../src/output/pretty';
import { escapeText, logfmtValue, zeekString } from '../src/output/escape';
import { ZeekLog, zeekRow, flowUid } from '../src/output/zeek';
import * as R from './helpers/output-records';

const ESC = '\x1b';

function noControls(t: Test, s: string, what: string): void {
  // the only control character allowed is the line's own trailing newline (pretty) or TABs (zeek)
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  t.notOk(/[\x00-\x08\x0a-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(body), `${what}: no control/bidi characters`);
  t.notOk(/[\ud800-\udfff]/u.test(body.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), `${what}: no lone surrogates`);
}

t.test('pretty: one readable line per record', async (t) => {
  t.equal(
    formatPretty(R.treeDisconnect),
    '2026-11-23T01:02:05.623456Z smb-tree-disconnect   success 10.0.0.11:49208 -> 10.0.0.12:445 user=CORP\\alice ' +
      'share=\\\\10.0.0.12\\C$ class=admin type=disk tree=0x00000001 reason=tree_disconnect duration=2.500000s ' +
      'creates=2 reads=1 bytes_read=512 writes=3 bytes_written=73802 files=Windows\\Temp\\evil.exe,Windows\\Temp\\out.txt ' +
      'smb=3.1.1 sid=0x0000040000000005 ws=WS01\n',
  );
  const a = formatPretty(R.alert);
  t.match(a, /^2026-11-23T01:02:05\.623456Z ALERT critical\(99\) short-lived-admin-share SW-0001 10\.0\.0\.11:49208 -> 10\.0\.0\.12:445 /);
  t.match(a, /duration=2\.500000s/);
  t.match(a, / msg="CORP\\\\alice connected to admin share C\$ on 10\.0\.0\.12, wrote an executable and disconnected after 2\.5 s"\n$/);
  t.match(formatPretty(R.summaryAlert), / ALERT medium\(47\) admin-share-failure-burst SW-0002 repeats=7 /);
  t.match(formatPretty(R.encrypted), /smb-encrypted-session unknown \[fe80::1\]:50000 -> \[fe80::2\]:445 .*messages=42 bytes=12345/);
  t.match(formatPretty(R.krbTreeEnd), / domain=CONTOSO\.LOCAL share=\\\\DC01\\ADMIN\$ /);
  t.match(formatPretty(R.setupFail), / failure .* status=STATUS_LOGON_FAILURE /);
  for (const r of R.allRecords) {
    const line = formatPretty(r);
    t.equal(line.indexOf('\n'), line.length - 1, 'exactly one line');
  }
});

t.test('pretty: hostile names are escaped, quoted and bounded', async (t) => {
  const evil = { ...R.treeDisconnect, tree: { ...R.adminTree, share: R.hostile }, files: [R.hostile], session: { ...R.ntlmSession, user: R.hostile } };
  const line = formatPretty(evil);
  noControls(t, line, 'pretty');
  t.notOk(line.includes(ESC), 'no raw ESC');
  t.ok(line.includes('\\x1b[31mRED'), 'ESC shown as \\x1b');
  t.ok(line.includes('\\x0d\\x0afake'), 'CR LF shown');
  t.ok(line.includes('\\u202e'), 'bidi override shown');
  t.ok(line.includes('\\udfff'), 'lone surrogate shown');
  t.ok(line.includes('\ud800\udc00'), 'a valid astral character is kept');
  t.ok(line.includes('\\"\\\\=x'), 'quote and backslash escaped inside quotes');
  t.equal(line.indexOf('\n'), line.length - 1);

  const huge = 'A'.repeat(65536);
  const big = formatPretty({ ...R.treeDisconnect, tree: { ...R.adminTree, share: huge }, files: Array(16).fill(huge) });
  t.ok(big.length < 8192, `64 KiB names bounded (line is ${big.length} chars)`);
  t.ok(big.includes('…(+65280)'), 'cut marked with the number of units left out');
  const bigAlert = formatPretty({ ...R.alert, message: huge + '\x1b' });
  t.ok(bigAlert.length < 2048);
  t.notOk(bigAlert.includes(ESC));
});

t.test('escapeText/logfmtValue units', async (t) => {
  t.equal(logfmtValue('\\\\srv\\C$'), '\\\\srv\\C$', 'UNC path stays bare and readable');
  t.equal(logfmtValue('my share'), '"my share"');
  t.equal(logfmtValue(''), '""');
  t.equal(logfmtValue('a=b'), '"a=b"', 'cannot forge a key=value');
  t.equal(logfmtValue('Ünïcode'), '"Ünïcode"');
  t.equal(escapeText('\x00\x1f\x7f\u0085\ufeff\u200b\uffff\ue000'), '\\x00\\x1f\\x7f\\u0085\\ufeff\\u200b\\uffff\\ue000');
  t.equal(escapeText('ab\ud83d\ude00cd', 3), 'ab…(+4)', 'never cuts a surrogate pair in half');
  t.equal(escapeText('ab\ud83d\ude00cd', 4), 'ab\ud83d\ude00…(+2)');
  t.equal(escapeText('\udb40\udc41'), '\\U{e0041}', 'tag characters shown');
  t.equal(escapeText('\ud800'), '\\ud800');
});

t.test('zeek: smb_mapping header, rows, #close', async (t) => {
  const z = new ZeekLog();
  let out = '';
  for (const r of R.allRecords) out += z.add(r);
  out += z.finish();
  const lines = out.split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.same(lines.slice(0, 6), [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tsmb_mapping',
    '#open\t2026-11-23-01-02-03',
  ]);
  const fields = lines[6].split('\t');
  const types = lines[7].split('\t');
  t.same(fields.slice(0, 11), ['#fields', 'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'path', 'service', 'native_file_system', 'share_type'], "Zeek's smb_mapping columns first");
  t.same(types.slice(0, 11), ['#types', 'time', 'string', 'addr', 'port', 'addr', 'port', 'string', 'string', 'string', 'string']);
  t.equal(lines[lines.length - 1], '#close\t2026-11-23-01-02-05', 'capture time of the last record');
  const rows = lines.slice(8, -1);
  t.equal(rows.length, 3, 'failed connect, two tree ends; session events and alerts are not mapping rows');
  for (const r of rows) t.equal(r.split('\t').length, fields.length - 1, 'one value per column');
  const col = (row: string, name: string): string => row.split('\t')[fields.indexOf(name) - 1];
  const [fail, c, krb] = rows;
  t.equal(col(fail, 'path'), '\\\\\\\\10.0.0.12\\\\nosuch', 'backslashes escaped as in Zeek baselines');
  t.equal(col(fail, 'share_type'), '-');
  t.equal(col(fail, 'status'), 'STATUS_BAD_NETWORK_NAME');
  t.equal(col(fail, 'duration'), '-');
  t.equal(col(c, 'ts'), '1795395723.123456', 'ts = connect time (end minus duration)');
  t.equal(col(c, 'share_type'), 'DISK');
  t.equal(col(c, 'id.orig_h'), '10.0.0.11');
  t.equal(col(c, 'id.resp_p'), '445');
  t.equal(col(c, 'duration'), '2.500000');
  t.equal(col(c, 'files'), 'Windows\\\\Temp\\\\evil.exe,Windows\\\\Temp\\\\out.txt');
  t.equal(col(c, 'uid'), flowUid(R.flow));
  t.match(col(c, 'uid'), /^C[0-9A-Za-z]{11}$/);
  t.equal(col(krb, 'user'), '-', 'unset');
  t.equal(col(krb, 'domain'), 'CONTOSO.LOCAL');
  t.equal(col(krb, 'files'), '(empty)', 'empty vector');
  t.equal(new ZeekLog().finish(), '', 'no rows: no header, no #close');
});

t.test('zeek: matches the smb_mapping baseline of zeek/smb2.pcap (path, share type)', async (t) => {
  // rows of ../shared/captures/zeek/baselines/smb2.smb_mapping.log, built from the same values
  const base = { ...R.treeDisconnect, flow: { clientIp: '10.0.0.11', clientPort: 49208, serverIp: '10.0.0.12', serverPort: 445 } };
  const disk = zeekRow({ ...base, tree: { ...R.adminTree, share: '\\\\10.0.0.12\\smb2', shareName: 'smb2', shareClass: 'normal', shareType: 'disk' } })!;
  const pipe = zeekRow({ ...base, tree: { ...R.adminTree, share: '\\\\10.0.0.12\\IPC$', shareName: 'IPC$', shareClass: 'ipc', shareType: 'pipe' } })!;
  t.same(disk.split('\t').slice(2, 10), ['10.0.0.11', '49208', '10.0.0.12', '445', '\\\\\\\\10.0.0.12\\\\smb2', '-', '-', 'DISK']);
  t.same(pipe.split('\t').slice(2, 10), ['10.0.0.11', '49208', '10.0.0.12', '445', '\\\\\\\\10.0.0.12\\\\IPC$', '-', '-', 'PIPE']);
});

t.test('zeek: hostile strings escaped per Zeek rules, bounded', async (t) => {
  const row = zeekRow({ ...R.treeDisconnect, tree: { ...R.adminTree, share: R.hostile }, files: [R.hostile, 'a,b', '-', ''] })!;
  const body = row.slice(0, -1);
  t.notOk(/[\x00-\x08\x0a-\x1f\x7f-\uffff]/.test(body), 'only printable ASCII and the TAB separators');
  const cols = body.split('\t');
  t.equal(cols.length, 25, 'a TAB inside a name cannot add a column');
  t.equal(cols[6], 'a\\x1b[31mRED\\x1b[0m\\x0d\\x0afake\\x09line\\xe2\\x80\\xaeexe.txt\\xf0\\x90\\x80\\x80\\xed\\xbf\\xbf"\\\\=x\\xc2\\x85\\x00');
  t.ok(cols[24].endsWith(',a\\x2cb,\\x2d,(empty)'), 'set separator, unset and empty markers escaped in a vector');
  t.equal(zeekString('-'), '\\x2d');
  t.equal(zeekString('(empty)'), '\\x28empty)');
  t.equal(zeekString(''), '(empty)');
  const big = zeekString('\u00e9'.repeat(65536));
  t.ok(big.length < 4096 * 8 + 32, 'bounded');
  t.ok(big.endsWith('...(+61440)'));
});

t.test('text formats are byte-identical across runs', async (t) => {
  const run = (): string => {
    const z = new ZeekLog();
    let s = '';
    for (const r of R.allRecords) s += formatPretty(structuredClone(r)) + z.add(structuredClone(r));
    return s + z.finish();
  };
  t.equal(run(), run());
});
