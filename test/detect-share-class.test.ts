/**
 * Share names and classes: the rules on hand-picked names, and on every TREE_CONNECT path that
 * tshark finds in a part of the public corpus (real names, as sent, with their case).
 */
import t from 'tap';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { classifyShare, shareNameOf } from '../src/shared/share-class';

const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');

t.test('classifyShare', async (t) => {
  const cases: [string, string][] = [
    ['ADMIN$', 'admin'],
    ['admin$', 'admin'],
    ['Admin$', 'admin'],
    ['C$', 'admin'],
    ['c$', 'admin'],
    ['Z$', 'admin'],
    ['a$', 'admin'],
    ['IPC$', 'ipc'],
    ['ipc$', 'ipc'],
    ['$IPC', 'normal'],
    ['PRINT$', 'hidden'],
    ['SYSVOL$', 'hidden'],
    ['CC$', 'hidden'],
    ['1$', 'hidden'],
    ['é$', 'hidden'],
    ['$', 'hidden'],
    ['C', 'normal'],
    ['SYSVOL', 'normal'],
    ['public', 'normal'],
    ['', 'normal'],
  ];
  for (const [name, cls] of cases) t.equal(classifyShare(name, []), cls, JSON.stringify(name));
  t.equal(classifyShare('backup$', ['BACKUP$']), 'admin', 'extra admin names, case-insensitive');
  t.equal(classifyShare('Deploy', ['deploy']), 'admin', 'extra names need no $');
  t.equal(classifyShare('IPC$', ['ipc$']), 'admin', 'configured names win over ipc');
  t.equal(classifyShare('PRINT$', ['BACKUP$']), 'hidden');
});

t.test('shareNameOf', async (t) => {
  const cases: [string, string][] = [
    ['\\\\host\\C$', 'C$'],
    ['\\\\192.168.24.100\\ADMIN$', 'ADMIN$'],
    ['\\\\host\\share\\', 'share'],
    ['\\\\host\\share\\\\', 'share'],
    ['//host/Share', 'Share'],
    ['\\\\host/mixed', 'mixed'],
    ['bare', 'bare'],
    ['IPC$', 'IPC$'],
    ['\\\\host', 'host'],
    ['', ''],
    ['\\\\', ''],
  ];
  for (const [p, name] of cases) t.equal(shareNameOf(p), name, JSON.stringify(p));
});

t.test('every tree connect path tshark sees in part of the corpus', async (t) => {
  const files = [
    'suricata-verify/filestore-filecontainer-smb.pcap',
    'suricata-verify/smb2-05.pcap',
    'suricata-verify/smb2-07.pcap',
    'suricata-verify/smb2-named-pipe-unicode.pcap',
    'suricata-verify/smb2-09-trunc-file-logging.pcap',
    'suricata-verify/filestore-filecontainer-smb1-padding.pcap',
  ];
  const seen = new Map<string, string>();
  for (const f of files) {
    let out: string;
    try {
      out = execFileSync(
        'tshark',
        ['-r', path.join(CAPTURES, f), '-Y', 'smb2.cmd == 3 && smb2.flags.response == 0 || smb.cmd == 0x75 && smb.flags.response == 0', '-T', 'fields', '-e', 'smb2.tree', '-e', 'smb.path', '-E', 'occurrence=a', '-E', 'aggregator=|'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
    } catch (e) {
      throw new Error(`tshark is needed for this test (apt-get install tshark): ${(e as Error).message}`);
    }
    for (const line of out.split('\n')) {
      for (const p of line.split(/[\t|]/)) if (p !== '') seen.set(p, shareNameOf(p));
    }
  }
  const classes: Record<string, string> = {};
  for (const [p, name] of seen) classes[p] = `${name} ${classifyShare(name, [])}`;
  t.same(classes, {
    '\\\\192.168.24.100\\ADMIN$': 'ADMIN$ admin',
    '\\\\192.168.24.100\\C$': 'C$ admin',
    '\\\\192.168.24.100\\IPC$': 'IPC$ ipc',
    '\\\\admin-pc\\c$': 'c$ admin',
    '\\\\dc1\\ADMIN$': 'ADMIN$ admin',
    '\\\\dc1\\IPC$': 'IPC$ ipc',
    '\\\\192.168.122.63\\$IPC': '$IPC normal',
    '\\\\192.168.122.63\\IPC$': 'IPC$ ipc',
    '\\\\10.7.9.6\\IPC$': 'IPC$ ipc',
    '\\\\GRANITEMANIA-DC.granitemania.com\\IPC$': 'IPC$ ipc',
    '\\\\GRANITEMANIA-DC.granitemania.com\\sysvol': 'sysvol normal',
    '\\\\127.0.0.1\\VIDEOS': 'VIDEOS normal',
  });
});
