/**
 * NT status names: every name in our table is spelled as Wireshark prints it (tshark's own
 * value table), every status that occurs in the SMB corpus has a name, unknown ones print as
 * 0x + 8 lowercase hex digits, and DOS errors follow the contract's DOS:0x<class>:0x<code>.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { dosErrorName, isKnownNtStatus, ntStatusName, ntStatusTable } from '../dissectors/ntstatus';
import { requireTshark } from './helpers/tshark-messages';

requireTshark();

/** MS-SMB 2.2.2.4 SMB1 server statuses: not in Wireshark's table, named as in MS-SMB. */
const MS_SMB_ONLY = new Set([0x00010002, 0x00050002, 0x00060001, 0x00160002, 0x005b0002, 0x00fb0002]);

t.test('names match tshark -G values (smb2.nt_status)', (t) => {
  const txt = execFileSync('tshark', ['-G', 'values'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 }).toString();
  const wireshark = new Map<number, string>();
  for (const line of txt.split('\n')) {
    const c = line.split('\t');
    if (c[0] === 'V' && c[1] === 'smb2.nt_status') wireshark.set(Number(c[2]) >>> 0, c[3]);
  }
  t.ok(wireshark.size > 500, `tshark knows ${wireshark.size} statuses`);
  const seen = new Set<number>();
  for (const [code, name] of ntStatusTable()) {
    t.notOk(seen.has(code), `${name} listed once`);
    seen.add(code);
    if (MS_SMB_ONLY.has(code)) {
      t.notOk(wireshark.has(code), `${name}: Wireshark has no name, MS-SMB's is used`);
      continue;
    }
    if (wireshark.get(code) !== name) t.fail(`0x${code.toString(16)}: ours ${name}, tshark ${wireshark.get(code)}`);
  }
  t.ok(ntStatusTable().length >= 150, `${ntStatusTable().length} names`);
  t.end();
});

t.test('the statuses the brief and the contract name', (t) => {
  const names = `STATUS_SUCCESS STATUS_PENDING STATUS_MORE_PROCESSING_REQUIRED STATUS_LOGON_FAILURE STATUS_ACCESS_DENIED
    STATUS_BAD_NETWORK_NAME STATUS_USER_SESSION_DELETED STATUS_NETWORK_NAME_DELETED STATUS_OBJECT_NAME_NOT_FOUND
    STATUS_OBJECT_NAME_COLLISION STATUS_OBJECT_PATH_NOT_FOUND STATUS_NO_MORE_FILES STATUS_END_OF_FILE
    STATUS_BUFFER_OVERFLOW STATUS_INVALID_PARAMETER STATUS_NOT_SUPPORTED STATUS_NOT_FOUND STATUS_FILE_CLOSED
    STATUS_SHARING_VIOLATION STATUS_DELETE_PENDING STATUS_INVALID_HANDLE STATUS_CANCELLED STATUS_ACCOUNT_DISABLED
    STATUS_ACCOUNT_LOCKED_OUT STATUS_PASSWORD_EXPIRED STATUS_ACCOUNT_RESTRICTION STATUS_INVALID_LOGON_HOURS
    STATUS_WRONG_PASSWORD STATUS_NO_SUCH_USER STATUS_LOGON_TYPE_NOT_GRANTED STATUS_NETWORK_SESSION_EXPIRED
    STATUS_BAD_DEVICE_TYPE STATUS_NOT_A_DIRECTORY STATUS_FILE_IS_A_DIRECTORY STATUS_INSUFFICIENT_RESOURCES
    STATUS_REQUEST_NOT_ACCEPTED STATUS_PIPE_BROKEN STATUS_PIPE_DISCONNECTED STATUS_NOTIFY_ENUM_DIR
    STATUS_FS_DRIVER_REQUIRED STATUS_INVALID_DEVICE_REQUEST STATUS_OBJECT_NAME_INVALID STATUS_NO_SUCH_FILE
    STATUS_STOPPED_ON_SYMLINK STATUS_NOT_SAME_DEVICE STATUS_DISK_FULL STATUS_INVALID_INFO_CLASS
    STATUS_INFO_LENGTH_MISMATCH STATUS_SMB_BAD_UID`.split(/\s+/);
  const have = new Set(ntStatusTable().map(([, n]) => n));
  for (const n of names) t.ok(have.has(n), n);
  t.equal(ntStatusName(0), 'STATUS_SUCCESS');
  t.equal(ntStatusName(0xc000006d), 'STATUS_LOGON_FAILURE');
  t.equal(ntStatusName(0xc00000cc), 'STATUS_BAD_NETWORK_NAME');
  t.equal(ntStatusName(0x005b0002), 'STATUS_SMB_BAD_UID');
  t.equal(ntStatusName(-1073741715), 'STATUS_LOGON_FAILURE', 'a signed int32 reading of the same status');
  t.end();
});

t.test('unknown statuses print as 0x + 8 lowercase hex digits', (t) => {
  t.equal(ntStatusName(0xc0dedead), '0xc0dedead');
  t.equal(ntStatusName(0x1234), '0x00001234');
  t.notOk(isKnownNtStatus(0x1234));
  for (let i = 0; i < 1000; i++) ntStatusName(0xe0000000 + i); // the hex cache stays bounded
  t.equal(ntStatusName(0xe00003e7), '0xe00003e7');
  t.end();
});

t.test('every status in the SMB corpus has a name', (t) => {
  // statuses tshark reports in SMB1 and SMB2 captures of ../shared/captures (see README there)
  const corpus = [
    0x00000000, 0xc0000034, 0xc0000022, 0xc000000f, 0xc0000016, 0xc0000128, 0x80000006, 0x00000103, 0xc0000011,
    0x0000010c, 0xc000006d, 0xc000019c, 0xc0000120, 0xc00000b0, 0x80000005, 0xc0000225, 0xc0000008, 0xc0000205,
    0xc00000e5, 0xc0000035, 0xc000000d, 0xc000035c, 0xc00000cc, 0xc00000c9, 0xc00000ba, 0xc0000010,
  ];
  for (const c of corpus) t.ok(isKnownNtStatus(c), `0x${c.toString(16).padStart(8, '0')} → ${ntStatusName(c)}`);
  t.end();
});

t.test('DOS errors: DOS:0x<class 2 hex>:0x<code 4 hex>', (t) => {
  t.equal(dosErrorName(0, 0), 'DOS:0x00:0x0000', 'success');
  t.equal(dosErrorName(1, 5), 'DOS:0x01:0x0005', 'ERRDOS/ERRnoaccess');
  t.equal(dosErrorName(2, 0x5b), 'DOS:0x02:0x005b', 'ERRSRV/ERRbaduid');
  t.equal(dosErrorName(0xff, 0xffff), 'DOS:0xff:0xffff');
  t.end();
});
