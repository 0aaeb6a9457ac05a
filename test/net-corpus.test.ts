/**
 * src/net against tshark over the whole corpus (real reader + decoder + reassembly + framing):
 * - every NBSS session message, frame by frame: the frame that completed it, its direction and
 *   its NBSS length, as tshark (TCP desegmentation on) shows the PDU; reviewed differences are in
 *   helpers/net-expectations.ts with their reason, and their counts must match exactly;
 * - NBSS control messages per file;
 * - in every frame where tshark shows an SMB lifecycle command (what tools/lifecycle.sh lists:
 *   SMB2 cmd <= 4, SMB1 0x71..0x75), the SMB headers we deliver in that frame and direction:
 *   protocol id, the SMB2 command list (compounds walked) with response flags, the SMB1
 *   lifecycle commands (AndX chain walked).
 */
import t from 'tap';
import {
  corpusFiles,
  requireTshark,
  runNet,
  smb1Commands,
  smb2Commands,
  tsharkNbss,
  type Rec,
  type TsharkPdu,
} from './helpers/net-harness';
import { CONTROL_DIFFERENCES, NBSS_DIFFERENCES } from './helpers/net-expectations';

requireTshark();

const isLifecycle1 = (c: number) => c >= 0x71 && c <= 0x75;

function lifecycleHeaders(frameMsgs: Rec[]): { smb2: string; smb1: string } {
  const s2: string[] = [];
  const s1: number[] = [];
  for (const m of frameMsgs) {
    if (m.data[0] === 0xfe) for (const h of smb2Commands(m.data)) s2.push(`${h.cmd}${h.response ? 'r' : 'q'}`);
    if (m.data[0] === 0xff) for (const c of smb1Commands(m.data)) if (isLifecycle1(c)) s1.push(c);
  }
  return { smb2: s2.join(','), smb1: [...new Set(s1)].sort().join(',') };
}

for (const file of corpusFiles()) {
  t.test(file, async (t) => {
    const r = await runNet(file);
    const all = tsharkNbss(file);
    const ts = all.filter((p) => p.type === 0);

    // session messages, frame by frame
    const ours = r.messages.map((m) => `${m.frame} ${m.key} ${m.length}`);
    const theirs = ts.map((p) => `${p.frame} ${p.key} ${p.length}`);
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const co = count(ours);
    const ct = count(theirs);
    let onlyOurs = 0;
    let onlyTshark = 0;
    const samples: string[] = [];
    for (const [k, n] of co) {
      const d = n - (ct.get(k) ?? 0);
      if (d > 0) { onlyOurs += d; if (samples.length < 5) samples.push('ours: ' + k); }
    }
    for (const [k, n] of ct) {
      const d = n - (co.get(k) ?? 0);
      if (d > 0) { onlyTshark += d; if (samples.length < 10) samples.push('tshark: ' + k); }
    }
    const exp = NBSS_DIFFERENCES[file] ?? { onlyOurs: 0, onlyTshark: 0, reason: '' };
    t.same({ onlyOurs, onlyTshark }, { onlyOurs: exp.onlyOurs, onlyTshark: exp.onlyTshark },
      `NBSS session messages match tshark frame by frame (${r.messages.length} ours, ${ts.length} tshark)` +
      (exp.reason ? ` — known: ${exp.reason}` : ''), { samples });

    // control messages
    const ctlExp = CONTROL_DIFFERENCES[file];
    const tsCtl = all.length - ts.length;
    if (ctlExp) t.same([r.controls.length, tsCtl], [ctlExp.ours, ctlExp.tshark], `control messages (known: ${ctlExp.reason})`);
    else t.equal(r.controls.length, tsCtl, 'NBSS control messages match tshark');

    // SMB headers in the lifecycle frames
    if (NBSS_DIFFERENCES[file]) return; // frames differ for the documented reason
    const byFrame = new Map<string, Rec[]>();
    for (const m of r.messages) {
      const k = `${m.frame} ${m.key}`;
      const l = byFrame.get(k);
      if (l) l.push(m); else byFrame.set(k, [m]);
    }
    const seen = new Set<string>();
    let checked = 0;
    const bad: string[] = [];
    for (const p of ts as TsharkPdu[]) {
      const k = `${p.frame} ${p.key}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const h = p.headers;
      const lc = h.smb2.some((c) => c <= 4) || h.smb1.some(isLifecycle1);
      if (!lc) continue;
      checked++;
      const want = {
        smb2: h.smb2.map((c, i) => `${c}${h.smb2Response[i] ? 'r' : 'q'}`).join(','),
        smb1: [...new Set(h.smb1.filter(isLifecycle1))].sort().join(','),
      };
      const got = lifecycleHeaders(byFrame.get(k) ?? []);
      if (got.smb2 !== want.smb2 || got.smb1 !== want.smb1) bad.push(`${k}: ours ${JSON.stringify(got)} tshark ${JSON.stringify(want)}`);
    }
    t.same(bad, [], `SMB headers match tshark in ${checked} lifecycle frames`);
  });
}
