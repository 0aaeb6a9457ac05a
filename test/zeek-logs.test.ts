/**
 * --zeek-dir on real captures: every log reads back with the Zeek-log reader (written from the
 * format's documentation), under Zeek's header and with the documented columns; the JSON form
 * carries the same values; two replays are byte-identical; ntlm.log agrees with tshark's NTLMSSP
 * fields and community_id with tshark's Community ID; uids are stable per connection.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { corpusFile } from './helpers/corpus';
import { requireTshark } from './helpers/tshark-messages';
import { runZeekDir } from './helpers/zeek-run';
import { readZeekAscii, readZeekJson, type ZeekReadValue } from './helpers/zeek-log-reader';
import { DCE_RPC_FIELDS, NOTICE_FIELDS, NTLM_FIELDS, SMB_FILES_FIELDS, SMB_MAPPING_FIELDS } from '../src/output/zeek/logs';
import type { ZeekField } from '../src/output/zeek/values';

const SCHEMAS: Record<string, readonly ZeekField[]> = {
  'smb_mapping.log': SMB_MAPPING_FIELDS,
  'smb_files.log': SMB_FILES_FIELDS,
  'dce_rpc.log': DCE_RPC_FIELDS,
  'ntlm.log': NTLM_FIELDS,
  'notice.log': NOTICE_FIELDS,
};

// together they write all five logs' SMB rows: mappings, files (deletes, many names), NTLM
// (SPNEGO, raw, anonymous, guest), alerts (psexec on ADMIN$, executables on C$/ADMIN$)
const CAPTURES = [
  'zeek/smb2.pcap',
  'zeek/smb3_multichannel.pcap',
  'zeek/raw_ntlm_in_smb.pcap',
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/smb-filename.pcap',
  'suricata-verify/smb2-delete.pcap',
  'suricata-verify/filestore-filecontainer-smb.pcap',
  'suricata-verify/smb2-named-pipe-unicode.pcap',
];

const HEADER_TIME = /^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/;

function sameValue(json: unknown, ascii: ZeekReadValue, type: string): boolean {
  if (ascii === null) return json === undefined;
  if (Array.isArray(ascii)) return Array.isArray(json) && json.length === ascii.length && json.every((v, i) => v === ascii[i]);
  if (type === 'time' || type === 'interval' || type === 'double') return typeof json === 'number' && Math.abs(json - (ascii as number)) < 1e-9;
  return json === ascii;
}

const seen = new Set<string>();
for (const capture of CAPTURES) {
  t.test(capture, async (t) => {
    const a = await runZeekDir([corpusFile(capture)]);
    const b = await runZeekDir([corpusFile(capture)]);
    t.same(b.logs, a.logs, 'two replays write byte-identical logs');
    const j = await runZeekDir([corpusFile(capture)], true);
    t.same(Object.keys(j.logs), Object.keys(a.logs), 'the JSON form writes the same logs');
    t.ok(Object.keys(a.logs).length > 0, 'some log written');
    const uidOf = new Map<string, string>();
    for (const [file, text] of Object.entries(a.logs)) {
      seen.add(file);
      const schema = SCHEMAS[file];
      t.ok(schema, `${file} is one of the five logs`);
      const blocks = readZeekAscii(text);
      t.equal(blocks.length, 1, `${file}: one header block`);
      const blk = blocks[0];
      t.equal(blk.path, file.replace(/\.log$/, ''), `${file}: #path`);
      t.same([blk.separator, blk.setSeparator, blk.emptyField, blk.unsetField], ['\t', ',', '(empty)', '-'], `${file}: Zeek's markers`);
      t.same(blk.fields, schema.map((f) => f[0]), `${file}: #fields`);
      t.same(blk.types, schema.map((f) => f[1]), `${file}: #types`);
      t.match(blk.open, HEADER_TIME, `${file}: #open`);
      t.match(blk.close, HEADER_TIME, `${file}: #close`);
      t.ok(blk.open <= blk.close!, `${file}: #open not after #close`);
      t.ok(blk.rows.length > 0, `${file}: rows`);
      const badIds: string[] = [];
      for (const r of blk.rows) {
        if (!/^C[0-9A-Za-z]{10,20}$/.test(r.uid as string)) badIds.push(`uid ${String(r.uid)}`);
        if (!/^1:[A-Za-z0-9+/]{27}=$/.test(r.community_id as string)) badIds.push(`community_id ${String(r.community_id)}`);
        // one uid per connection (4-tuple here: no capture reuses one), across all logs
        const conn = `${r['id.orig_h']}|${r['id.orig_p']}|${r['id.resp_h']}|${r['id.resp_p']}`;
        if (uidOf.has(conn) && uidOf.get(conn) !== r.uid) badIds.push(`${conn}: uid ${String(r.uid)} and ${uidOf.get(conn)}`);
        uidOf.set(conn, r.uid as string);
      }
      t.same(badIds, [], `${file}: uid C+base62, one per connection; community_id well formed`);
      // JSON: the same rows, the same values, unset fields absent
      const jrows = readZeekJson(j.logs[file]);
      t.equal(jrows.length, blk.rows.length, `${file}: as many JSON rows`);
      let bad = 0;
      jrows.forEach((o, i) => {
        for (const k of Object.keys(o)) if (!blk.fields.includes(k)) bad++;
        blk.fields.forEach((f, k) => {
          if (!sameValue(o[f], blk.rows[i][f], blk.types[k])) {
            if (bad++ < 5) t.fail(`${file} row ${i} ${f}: JSON ${JSON.stringify(o[f])} vs TSV ${JSON.stringify(blk.rows[i][f])}`);
          }
        });
      });
      t.equal(bad, 0, `${file}: JSON values equal the TSV values`);
    }
  });
}

t.test('the captures cover every SMB-fed log', async (t) => {
  for (const f of ['smb_mapping.log', 'smb_files.log', 'ntlm.log', 'notice.log']) t.ok(seen.has(f), f);
});

/** tshark's NTLMSSP view: AUTHENTICATE (user, host, domain) and CHALLENGE (nb, dns, tree) per exchange. */
function tsharkNtlm(capture: string): { auth: string[]; challenge: string[] } {
  const out = execFileSync(
    'tshark',
    [
      '-r', corpusFile(capture), '-Y', 'ntlmssp.messagetype == 2 || ntlmssp.messagetype == 3', '-T', 'fields', '-E', 'occurrence=f',
      '-e', 'ntlmssp.messagetype', '-e', 'ntlmssp.auth.username', '-e', 'ntlmssp.auth.hostname', '-e', 'ntlmssp.auth.domain',
      '-e', 'ntlmssp.challenge.target_info.nb_computer_name', '-e', 'ntlmssp.challenge.target_info.dns_computer_name',
      '-e', 'ntlmssp.challenge.target_info.dns_tree_name',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const auth: string[] = [];
  const challenge: string[] = [];
  const v = (s: string | undefined): string => (s === undefined || s === '' || s === 'NULL' ? '-' : s);
  for (const line of out.split('\n').filter((l) => l !== '')) {
    const f = line.split('\t');
    if (f[0] === '0x00000003') auth.push([v(f[1]), v(f[2]), v(f[3])].join('|'));
    else challenge.push([v(f[4]), v(f[5]), v(f[6])].join('|'));
  }
  return { auth: auth.sort(), challenge: challenge.sort() };
}

t.test('ntlm.log agrees with tshark (AUTHENTICATE names, CHALLENGE target info)', async (t) => {
  requireTshark();
  for (const capture of ['zeek/smb2.pcap', 'zeek/raw_ntlm_in_smb.pcap', 'suricata-verify/smb-filename.pcap', 'suricata-verify/smb2-delete.pcap', 'zeek/smb3_multichannel.pcap']) {
    const ours = readZeekAscii((await runZeekDir([corpusFile(capture)])).logs['ntlm.log'])[0];
    const raw = ours.raw.map((v) => Object.fromEntries(ours.fields.map((f, i) => [f, v[i]])));
    const ts = tsharkNtlm(capture);
    t.same(raw.map((r) => [r.username, r.hostname, r.domainname].join('|')).sort(), ts.auth, `${capture}: username/hostname/domainname`);
    t.same(
      raw.map((r) => [r.server_nb_computer_name, r.server_dns_computer_name, r.server_tree_name].join('|')).sort(),
      ts.challenge,
      `${capture}: server names`,
    );
  }
});

t.test('community_id agrees with tshark (--enable-protocol communityid)', async (t) => {
  requireTshark();
  for (const capture of ['zeek/smb3_multichannel.pcap', 'suricata-verify/smb2-07.pcap']) {
    const logs = (await runZeekDir([corpusFile(capture)])).logs;
    const ours = new Map<string, string>();
    for (const text of Object.values(logs)) {
      const b = readZeekAscii(text)[0];
      for (const r of b.rows) ours.set(`${r['id.orig_h']}|${r['id.orig_p']}|${r['id.resp_h']}|${r['id.resp_p']}`, r.community_id as string);
    }
    const out = execFileSync(
      'tshark',
      ['-r', corpusFile(capture), '--enable-protocol', 'communityid', '-Y', 'tcp', '-T', 'fields', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'communityid'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const theirs = new Map(out.split('\n').filter((l) => l).map((l) => {
      const f = l.split('\t');
      return [f.slice(0, 4).join('|'), f[4]] as const;
    }));
    t.ok(ours.size > 0);
    for (const [conn, id] of ours) t.equal(id, theirs.get(conn), `${capture} ${conn}`);
  }
});
