/**
 * Issue 5 acceptance: every corpus file and every lab capture walked through the project's own
 * reader → reassembly → NBSS framing → dissectors, compared frame by frame with what tshark
 * shows for the SMB lifecycle frames (../shared/captures/tools/lifecycle.sh): commands,
 * response flags, NT status, SessionId, TreeId, tree path, NTLMSSP user/domain/workstation.
 * Reviewed differences are listed, with their reason, in helpers/lifecycle-expectations.ts.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { runNet, requireTshark, CAPTURES, type Rec } from './helpers/net-harness';
import { forEachSmb2, newSmb2Header, parseSessionSetupRequest, parseSmb2Header, parseTreeConnectRequest } from '../dissectors/smb2';
import { newSmb1Header, parseSmb1Header, parseSmb1TreeConnectRequest, parseSmb1SessionSetupRequest, walkAndX } from '../dissectors/smb1';
import { parseSecurityBlob } from '../dissectors/auth';
import { LIFECYCLE_DIFFERENCES } from './helpers/lifecycle-expectations';

requireTshark();
const LIFECYCLE = path.join(CAPTURES, 'tools', 'lifecycle.sh');
const OWN = path.resolve(__dirname, '..', 'captures');

interface FrameView {
  smb2Cmd: string;
  smb2Resp: string;
  smb2Status: string;
  smb2Ses: string;
  smb2Tid: string;
  smb1Cmd: string;
  smb1Status: string;
  smb1Uid: string;
  smb1Tid: string;
  trees: string[];
  user: string;
  domain: string;
  host: string;
}

const hex = (n: number, w: number) => '0x' + (n >>> 0).toString(16).padStart(w, '0');
const LIFECYCLE1 = (c: number) => c >= 0x71 && c <= 0x75;

function ours(msgs: Rec[]): FrameView {
  const v = { cmd: [] as string[], resp: [] as string[], st: [] as string[], ses: [] as string[], tid: [] as string[] };
  const s1 = { cmd: new Set<number>(), st: [] as string[], uid: [] as string[], tid: [] as string[] };
  const trees: string[] = [];
  let user = '';
  let domain = '';
  let host = '';
  const noteAuth = (blob: Buffer | null) => {
    if (!blob) return;
    const a = parseSecurityBlob(blob);
    if (a.ok && a.ntlmssp && a.ntlmssp.type === 3) {
      user = a.ntlmssp.user ?? '';
      domain = a.ntlmssp.domain ?? '';
      host = a.ntlmssp.workstation ?? '';
    }
  };
  for (const m of msgs) {
    const d = m.data;
    if (d[0] === 0xfe) {
      const h = newSmb2Header();
      if (parseSmb2Header(d, 0, h)) continue;
      forEachSmb2(d, h, (x) => {
        const end = x.nextCommand ? Math.min(d.length, x.offset + x.nextCommand) : d.length;
        v.cmd.push(String(x.command));
        v.resp.push(x.isResponse ? '1' : '0');
        if (x.isResponse) v.st.push(hex(x.status, 8));
        v.ses.push('0x' + (x.sessionIdHi >>> 0).toString(16).padStart(8, '0') + (x.sessionIdLo >>> 0).toString(16).padStart(8, '0'));
        if (!x.isAsync) v.tid.push(hex(x.treeId, 8));
        if (!x.isResponse && x.command === 3) {
          const r = parseTreeConnectRequest(d, x, end);
          if (r.ok) trees.push(r.path);
        }
        if (!x.isResponse && x.command === 1) {
          const r = parseSessionSetupRequest(d, x, end);
          if (r.ok) noteAuth(r.securityBuffer);
        }
      });
    } else if (d[0] === 0xff) {
      const h = newSmb1Header();
      if (parseSmb1Header(d, 0, h)) continue;
      if (h.ntStatus) s1.st.push(hex(h.status, 8)); // tshark shows smb.nt_status only for NT-style status
      s1.uid.push(String(h.uid));
      s1.tid.push(String(h.tid));
      walkAndX(d, h, (c) => {
        if (LIFECYCLE1(c.command)) s1.cmd.add(c.command);
        if (!h.isResponse && c.command === 0x75) {
          const r = parseSmb1TreeConnectRequest(d, h, c);
          if (r.ok) trees.push(r.path);
        }
        if (!h.isResponse && c.command === 0x73) {
          const r = parseSmb1SessionSetupRequest(d, h, c);
          if (r.ok) noteAuth(r.securityBlob);
        }
      });
    }
  }
  return {
    smb2Cmd: v.cmd.join(','),
    smb2Resp: v.resp.join(','),
    smb2Status: v.st.join(','),
    smb2Ses: v.ses.join(','),
    smb2Tid: v.tid.join(','),
    smb1Cmd: [...s1.cmd].sort().join(','),
    smb1Status: s1.st.join(','),
    smb1Uid: s1.uid.join(','),
    smb1Tid: s1.tid.join(','),
    trees,
    user,
    domain,
    host,
  };
}

function theirs(file: string): Map<string, FrameView & { raw: string }> {
  const out = execFileSync('bash', [LIFECYCLE, file], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 }).toString('utf8');
  const m = new Map<string, FrameView & { raw: string }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const f = line.split('|');
    const [frame, , , s4, s6, sp, d4, d6, dp, cmd2, cmd1, resp, st2, st1, ses, uid, tid2, tid1, tree, path1, , user, domain, host] = f;
    const key = `${frame} ${(s4 || s6).split(',')[0]}:${sp.split(',')[0]}>${(d4 || d6).split(',')[0]}:${dp.split(',')[0]}`;
    const nul = (s: string) => (s === 'NULL' ? '' : s);
    m.set(key, {
      raw: line,
      smb2Cmd: cmd2,
      smb2Resp: resp.replace(/True/g, '1').replace(/False/g, '0'),
      smb2Status: st2,
      smb2Ses: ses,
      smb2Tid: tid2,
      smb1Cmd: [...new Set(cmd1 ? cmd1.split(',').map((x) => parseInt(x, 16)).filter(LIFECYCLE1) : [])].sort().join(','),
      smb1Status: st1,
      smb1Uid: uid,
      smb1Tid: tid1,
      trees: [...(tree ? tree.split(',') : []), ...(path1 ? path1.split(',') : [])],
      user: nul(user.split(',')[0] ?? ''),
      domain: nul(domain.split(',')[0] ?? ''),
      host: nul(host.split(',')[0] ?? ''),
    });
  }
  return m;
}

function files(): string[] {
  const out: string[] = [];
  for (const dir of ['zeek', 'suricata-verify']) {
    for (const f of readdirSync(path.join(CAPTURES, dir))) if (/\.(pcap|pcapng|cap|gz)$/.test(f)) out.push(path.join(CAPTURES, dir, f));
  }
  for (const f of readdirSync(OWN)) if (f.endsWith('.pcap')) out.push(path.join(OWN, f));
  return out.sort();
}

const FIELDS: (keyof FrameView)[] = ['smb2Cmd', 'smb2Resp', 'smb2Status', 'smb2Ses', 'smb2Tid', 'smb1Cmd', 'smb1Status', 'smb1Uid', 'smb1Tid', 'user', 'domain', 'host'];

for (const file of files()) {
  const name = file.startsWith(OWN) ? 'captures/' + path.basename(file) : path.relative(CAPTURES, file);
  t.test(name, async (t) => {
    const ref = theirs(file);
    const r = await runNet(file);
    const byFrame = new Map<string, Rec[]>();
    for (const m of r.messages) {
      const k = `${m.frame} ${m.key}`;
      const l = byFrame.get(k);
      if (l) l.push(m);
      else byFrame.set(k, [m]);
    }
    const mismatches: Record<string, number> = {};
    const samples: string[] = [];
    let compared = 0;
    for (const [key, want] of ref) {
      const got = ours(byFrame.get(key) ?? []);
      compared++;
      for (const f of FIELDS) {
        if (got[f] === want[f]) continue;
        mismatches[f] = (mismatches[f] ?? 0) + 1;
        if (samples.length < 6) samples.push(`${key} ${f}: ours=${JSON.stringify(got[f])} tshark=${JSON.stringify(want[f])}`);
      }
      for (const p of got.trees) {
        if (want.trees.includes(p)) continue;
        mismatches.tree = (mismatches.tree ?? 0) + 1;
        if (samples.length < 6) samples.push(`${key} tree: ours=${p} tshark=${want.trees.join(',')}`);
      }
    }
    const expected = LIFECYCLE_DIFFERENCES[name]?.counts ?? {};
    t.same(mismatches, expected, `${compared} lifecycle frames; ${samples.join(' | ')}`);
  });
}
