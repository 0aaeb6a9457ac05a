/**
 * Output safety: real SMB2 conversations (tools/gen builders: NEGOTIATE, NTLMSSP SESSION_SETUP,
 * TREE_CONNECT, CREATE for write, WRITE, TREE_DISCONNECT, LOGOFF) whose user, domain, workstation,
 * server, share and file names carry control characters, ANSI escapes, invalid UTF-16 (lone
 * surrogates) and 64 KB lengths, replayed by the built CLI in every format:
 * - ndjson: every line valid JSON in valid UTF-8, no raw C0 control, strings bounded by the
 *   dissectors' MAX_STRING_UNITS, the hostile text still there (escaped, not dropped);
 * - pretty and zeek: no raw C0/C1 control or DEL, valid UTF-8, zeek rows keep their field count.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { MAX_STRING_UNITS } from '../dissectors/utf16';
import { checkPrintable } from './fuzz/checks';

const { PcapWriter } = require('../tools/gen/pcap-writer.js');
const { Smb2Conversation, newStats } = require('../tools/gen/smb2-conversation.js');
const { Prng } = require('../tools/gen/prng.js');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-output-safety-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOSTILE: Record<string, string> = {
  control: 'a\x00b\x01c\x07d\x08e\tf\ng\rh\x0bi\x0cj\x1fk\x7fl\x85m\x9bn',
  ansi: '\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x1b[2J\x1bc\u009b31m',
  surrogates: 'ab\ud800cd\udc00e\udbff\udbff\udfff', // lone high, lone low, lone high, then a valid pair
  separators: 'tab\there,comma|pipe\\back"quote\u2028ls\u2029ps',
  long64k: 'L'.repeat(32767), // 65534 bytes of UTF-16: the largest a 16-bit length field allows
  longMixed: ('\x1b[7m\ud800\u00e9\x00').repeat(6553),
};

const capture = path.join(dir, 'hostile.pcap');
{
  const w = new PcapWriter(capture);
  const rng = new Prng(7);
  const clock = { now: 1_709_251_200e6 };
  const stats = newStats();
  let i = 0;
  for (const [name, s] of Object.entries(HOSTILE)) {
    i++;
    const conv = new Smb2Conversation(w, rng, clock, stats, {
      client: { ip: `10.9.0.${i}`, mac: '00:50:56:00:00:01', port: 50000 + i },
      server: { ip: '10.9.1.1', mac: '00:15:5d:01:00:10', port: 445 },
      // the server name is part of the UNC path; keep it short on the 64 KB cases so the share name fits
      serverName: s.length > 1000 ? 'SRV' : s.slice(0, 100),
      dialect: 0x0311,
    });
    conv.handshake();
    conv.negotiate();
    // the SMB2 security buffer length is 16-bit too: user ≤ 58 KB leaves room for the rest
    conv.sessionSetup(s.slice(0, 29000), s.slice(0, 500), s.slice(0, 200));
    const share = name.startsWith('long') ? s.slice(0, 32000) : s + '$';
    const tid = conv.treeConnect(share);
    const fid = conv.create(tid, s.slice(0, 32000), { desiredAccess: 0x12019f, disposition: 5, options: 0x40, size: 4 });
    const [pool, start] = [Buffer.from('MZ\x90\x00payload'), 0];
    conv.write(tid, fid, 0, pool, start, pool.length);
    conv.close(tid, fid);
    conv.treeDisconnect(tid);
    conv.logoff();
    conv.end();
  }
  w.close();
}

function run(format: string): Buffer {
  return execFileSync(process.execPath, [CLI, '-r', capture, '-q', '--format', format], { maxBuffer: 64 << 20 });
}

function utf8(b: Buffer, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new Error(`${where}: output is not valid UTF-8`);
  }
}

/** Every string in an event, with its path. */
function strings(v: unknown, p: string, out: [string, string][]): [string, string][] {
  if (typeof v === 'string') out.push([p, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${p}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, p ? `${p}.${k}` : k, out);
  return out;
}

t.test('ndjson: valid JSON lines, escaped and bounded, hostile text kept', (t) => {
  const text = utf8(run('ndjson'), 'ndjson');
  const lines = text.split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  const events = lines.map((l, i) => {
    checkPrintable(l, `ndjson line ${i + 1}`, true);
    return JSON.parse(l) as Record<string, any>;
  });
  const n = Object.keys(HOSTILE).length;
  const count = (a: string) => events.filter((e) => e.event.action === a).length;
  t.equal(count('smb-session-setup'), n, 'a session-setup event per conversation');
  t.equal(count('smb-tree-connect'), n, 'a tree-connect event per conversation');
  t.equal(count('smb-tree-disconnect'), n, 'a tree-disconnect event per conversation');
  let longest = 0;
  for (const e of events) {
    for (const [p, s] of strings(e, '', [])) {
      longest = Math.max(longest, s.length);
      if (s.length > 4 * MAX_STRING_UNITS + 64) t.fail(`${p}: ${s.length} units`);
    }
  }
  t.ok(longest >= 1000 && longest <= 4 * MAX_STRING_UNITS + 64, `longest string ${longest} units (bound ${MAX_STRING_UNITS} UTF-16 units as sent)`);
  const users = events.filter((e) => e.event.action === 'smb-session-setup').map((e) => String(e.user?.name ?? ''));
  t.ok(users.some((u) => u.includes('RED')), 'the ANSI user name is there, not dropped');
  t.ok(users.some((u) => u.startsWith('LLLL')), 'the 64 KB user name is there, cut');
  // lone surrogates travel as JSON escapes (\udXXX: valid JSON in valid UTF-8), never raw
  t.ok(lines.some((l) => /\\ud800/.test(l)) && lines.some((l) => /\\udc00/.test(l)), 'lone surrogates written as \\udXXX escapes');
  const files = events.filter((e) => e.event.action === 'smb-tree-disconnect').flatMap((e) => JSON.stringify(e));
  t.ok(files.some((f) => f.includes('\\u001b') || f.includes('\\\\x1b') || f.includes('\\\\u001b')), 'escape characters are written escaped');
  t.end();
});

for (const format of ['pretty', 'zeek']) {
  t.test(`${format}: no raw control bytes, valid UTF-8, bounded lines`, (t) => {
    const text = utf8(run(format), format);
    const lines = text.split('\n');
    t.equal(lines.pop(), '', 'ends with a newline');
    t.ok(lines.length >= Object.keys(HOSTILE).length, `${lines.length} lines`);
    let fields = -1;
    let longest = 0;
    for (const [i, l] of lines.entries()) {
      checkPrintable(l, `${format} line ${i + 1}`);
      if (format === 'pretty' && l.includes('\t')) t.fail(`pretty line ${i + 1}: raw tab`);
      longest = Math.max(longest, l.length);
      if (format === 'zeek') {
        if (l.startsWith('#fields')) fields = l.split('\t').length - 1;
        else if (!l.startsWith('#')) t.equal(l.split('\t').length, fields, `zeek row ${i + 1} keeps ${fields} fields`);
      }
    }
    t.ok(longest < 16 * MAX_STRING_UNITS + 4096, `longest line ${longest} units`);
    t.end();
  });
}
