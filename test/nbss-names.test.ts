/**
 * dissectors/nbss.ts: the NetBIOS called/calling names of real session requests (port 139)
 * against tshark's nbss.called_name / nbss.calling_name, and hostile bodies (never throws).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeNetbiosSessionRequest, decodeNegativeResponse, decodeRetargetResponse, looksLikeNbssSmb, NBSS_SESSION_REQUEST } from '../dissectors/nbss';
import { CAPTURES, requireTshark, runNet } from './helpers/net-harness';

requireTshark();
const FILE = 'suricata-verify/smb2-ntlmssp-negotiateflags.pcap';

t.test('session requests decode as tshark shows them', async (t) => {
  const txt = execFileSync('tshark', ['-Q', '-n', '-r', path.resolve(CAPTURES, FILE), '-Y', 'nbss.type==0x81', '-T', 'fields', '-e', 'frame.number', '-e', 'nbss.called_name', '-e', 'nbss.calling_name']).toString();
  const want = txt.trim().split('\n').map((l) => { const [f, called, calling] = l.split('\t'); return { frame: Number(f), called, calling }; });
  t.ok(want.length >= 2, `${want.length} session requests in ${FILE}`);
  const r = await runNet(FILE);
  const reqs = r.controls.filter((c) => c.type === NBSS_SESSION_REQUEST);
  const got = reqs.map((c) => {
    const d = decodeNetbiosSessionRequest(c.body);
    if (!d.ok) throw new Error(d.reason);
    return { frame: c.frame, called: d.called, calling: d.calling };
  });
  t.same(got, want);
  const d = decodeNetbiosSessionRequest(reqs[0].body);
  if (d.ok) {
    t.equal(d.calledName.name, 'SCV');
    t.equal(d.calledName.suffix, 0x20);
    t.equal(d.callingName.suffix, 0x00);
  }
  // positive responses follow on the same connections
  t.equal(r.controls.filter((c) => c.type === 0x82).length, want.length, 'one positive response per request');
});

t.test('hostile session request bodies: typed errors, no throw', async (t) => {
  const r = await runNet(FILE);
  const body = r.controls.find((c) => c.type === NBSS_SESSION_REQUEST)!.body;
  for (let n = 0; n < body.length; n++) {
    const d = decodeNetbiosSessionRequest(body.subarray(0, n));
    t.equal(d.ok, false, `cut at ${n}`);
  }
  const bad = Buffer.from(body);
  bad[5] = 0x5a; // 'Z' is no first-level encoding character
  const d = decodeNetbiosSessionRequest(bad);
  t.same(d.ok ? null : d.reason, 'nbss_name_bad_char');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(body.length), fc.nat(255), (junk, at, v) => {
      decodeNetbiosSessionRequest(Buffer.from(junk));
      const m = Buffer.from(body);
      if (at < m.length) m[at] = v;
      decodeNetbiosSessionRequest(m);
      decodeNegativeResponse(Buffer.from(junk));
      decodeRetargetResponse(Buffer.from(junk));
      return true;
    }),
  );
});

t.test('NBSS+SMB header plausibility', async (t) => {
  const smb2 = Buffer.from('000000a0fe534d424000', 'hex');
  t.ok(looksLikeNbssSmb(smb2, 0, false, 0xffffff), 'SMB2 header');
  t.notOk(looksLikeNbssSmb(Buffer.from('000000a0fe534d423f00', 'hex'), 0, false, 0xffffff), 'SMB2 StructureSize must be 64');
  t.notOk(looksLikeNbssSmb(Buffer.from('00000010fe534d424000', 'hex'), 0, false, 0xffffff), 'shorter than an SMB2 header');
  t.ok(looksLikeNbssSmb(Buffer.from('00010000ff534d427200', 'hex'), 0, true, 0x1ffff), 'port 139: E bit extends the length');
  t.notOk(looksLikeNbssSmb(Buffer.from('00020000ff534d427200', 'hex'), 0, true, 0x1ffff), 'port 139: reserved flag bits must be 0');
  t.ok(looksLikeNbssSmb(Buffer.from('00020000ff534d427200', 'hex'), 0, false, 0xffffff), 'port 445: 24-bit length');
  t.notOk(looksLikeNbssSmb(Buffer.from('85000000ff534d427200', 'hex'), 0, false, 0xffffff), 'keep-alive is no session message');
});
