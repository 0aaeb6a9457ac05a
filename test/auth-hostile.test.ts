/**
 * Authentication dissectors on real blobs (raw NTLMSSP in SMB1, SPNEGO/NTLMSSP in SMB1 and SMB2,
 * SPNEGO/Kerberos in SMB2) and hostile ones: DER lengths that lie, indefinite and oversized
 * lengths, deep nesting, NTLMSSP fields outside the message, odd unicode lengths; fast-check
 * properties: no throw and no out-of-bounds indexed read on arbitrary and mutated real blobs.
 */
import t from 'tap';
import fc from 'fast-check';
import { parseSecurityBlob } from '../dissectors/auth';
import { derRead, derValidate, derOid, newDerTlv } from '../dissectors/der';
import { parseNtlmssp } from '../dissectors/ntlmssp';
import { guarded, loadSamples } from './helpers/smb1-samples';

const raw = loadSamples(['zeek/raw_ntlm_in_smb.pcap']).blobs;
const krb = loadSamples(['suricata-verify/smb2-07.pcap']).blobs;
const spnego = loadSamples(['suricata-verify/smb-eicar-andx.pcap', 'zeek/smb2.pcap', 'suricata-verify/smb-filename.pcap']).blobs;
const all = [...raw, ...krb, ...spnego];

const info = (b: Buffer) => {
  const r = parseSecurityBlob(b);
  if (!r.ok) throw new Error('unexpected error ' + r.reason);
  return r;
};
const reason = (r: { ok: boolean }) => (r as { reason?: string }).reason;

t.test('raw NTLMSSP in SMB1 (no SPNEGO)', (t) => {
  t.equal(raw.length, 3, 'NEGOTIATE, CHALLENGE, AUTHENTICATE');
  const [neg, chal, auth] = raw.map(info);
  t.same([neg.spnego, neg.mech, neg.ntlmssp?.type], [false, 'ntlmssp', 1]);
  t.same([chal.ntlmssp?.type, chal.ntlmssp?.targetName], [2, 'TEST-F7DFBC3FE9']);
  t.same(
    [auth.ntlmssp?.user, auth.ntlmssp?.domain, auth.ntlmssp?.workstation, auth.ntlmssp?.anonymous],
    ['test', 'TEST-F7DFBC3FE9', 'BABYBOOK', false],
    'values as tshark shows them',
  );
  t.end();
});

t.test('Kerberos AP-REQ in SPNEGO (impacket psexec, smb2-07)', (t) => {
  const infos = krb.map(info);
  const ap = infos.find((i) => i.kerberos?.msgType === 14)!;
  t.ok(ap, 'AP-REQ found');
  t.same([ap.spnego, ap.mech, ap.kerberos?.realm, ap.kerberos?.sname, ap.kerberos?.cname], [true, 'kerberos', 'CONTOSO.LOCAL', 'cifs/dc1.contoso.local', null], 'cname is not in the clear in an AP-REQ');
  t.same(ap.mechTypes, ['1.2.840.48018.1.2.2', '1.2.840.113554.1.2.2', '1.3.6.1.4.1.311.2.2.30', '1.3.6.1.4.1.311.2.2.10']);
  const rep = infos.find((i) => i.kerberos?.msgType === 15)!;
  t.same([rep.negState, rep.supportedMech, rep.mech], [0, '1.2.840.48018.1.2.2', 'kerberos'], 'AP-REP in an accept-completed NegTokenResp');
  const hint = infos.find((i) => i.mechTypes[0] === '1.3.6.1.4.1.311.2.2.30')!;
  t.ok(hint && hint.kerberos === null && hint.ntlmssp === null, 'server NegTokenInit2 hint: mech types only');
  t.end();
});

t.test('anonymous NTLMSSP AUTHENTICATE (MS-NLMP 3.2.5.1.2)', (t) => {
  const auth = spnego.map((b) => parseSecurityBlob(b)).find((r) => r.ok && r.ntlmssp?.type === 3 && r.ntlmssp.user === '');
  t.ok(auth, 'an AUTHENTICATE with an empty user name in the corpus');
  // Build an anonymous one from the real raw AUTHENTICATE: empty user, NT response, LM = Z(1)
  const m = Buffer.from(raw[2]);
  m.writeUInt16LE(1, 12); // LM: one byte
  m[m.readUInt32LE(16)] = 0;
  m.writeUInt16LE(0, 20); // NT: empty
  m.writeUInt16LE(0, 36); // user: empty
  const a = parseNtlmssp(m, 0, m.length);
  t.ok(a.ok && a.anonymous && a.user === '', 'anonymous');
  m.writeUInt16LE(0, 12);
  const b = parseNtlmssp(m, 0, m.length);
  t.ok(b.ok && b.anonymous, 'empty LM response also anonymous');
  m.writeUInt16LE(24, 20);
  const c = parseNtlmssp(m, 0, m.length);
  t.ok(c.ok && !c.anonymous, 'an NT response means not anonymous');
  t.end();
});

t.test('NTLMSSP fields that lie', (t) => {
  const m = Buffer.from(raw[2]);
  const u = Buffer.from(m);
  u.writeUInt32LE(m.length - 2, 40); // user field runs past the end
  t.equal(reason(parseNtlmssp(u, 0, u.length)), 'ntlmssp_field_out_of_bounds');
  const big = Buffer.from(m);
  big.writeUInt32LE(0xfffffff0, 40);
  t.equal(reason(parseNtlmssp(big, 0, big.length)), 'ntlmssp_field_out_of_bounds');
  const odd = Buffer.from(m);
  odd.writeUInt16LE(odd.readUInt16LE(36) + 1, 36);
  t.equal(reason(parseNtlmssp(odd, 0, odd.length)), 'ntlmssp_odd_unicode_length');
  t.equal(reason(parseNtlmssp(m, 0, 30)), 'ntlmssp_truncated');
  const ty = Buffer.from(m);
  ty.writeUInt32LE(9, 8);
  t.equal(reason(parseNtlmssp(ty, 0, ty.length)), 'ntlmssp_unknown_type');
  // through SPNEGO: the typed error reaches parseSecurityBlob's caller
  const ss = spnego.find((b) => b[0] === 0xa1 && b.includes(Buffer.from('NTLMSSP\0\x03')))!;
  const at = ss.indexOf(Buffer.from('NTLMSSP\0\x03'));
  const bad = Buffer.from(ss);
  bad.writeUInt32LE(0xffff, at + 40);
  t.equal(reason(parseSecurityBlob(bad)), 'ntlmssp_field_out_of_bounds');
  t.end();
});

t.test('DER lengths that lie, deep nesting', (t) => {
  const tl = newDerTlv();
  t.equal(derRead(Buffer.from('300a0201', 'hex'), 0, 4, tl)?.reason, 'der_length_overrun');
  t.equal(derRead(Buffer.from('30800000', 'hex'), 0, 4, tl)?.reason, 'der_indefinite_length');
  t.equal(derRead(Buffer.from('3085010000000000', 'hex'), 0, 8, tl)?.reason, 'der_length_too_long');
  t.equal(derRead(Buffer.from('3084', 'hex'), 0, 2, tl)?.reason, 'der_truncated');
  t.equal(derRead(Buffer.from('1f', 'hex'), 0, 1, tl)?.reason, 'der_truncated');
  t.equal(derRead(Buffer.from('3082000100', 'hex'), 0, 5, tl), null, 'long form, non-minimal, accepted');
  t.equal(derOid(Buffer.from('2b0601050502', 'hex'), 0, 6), '1.3.6.1.5.5.2');
  t.equal(derOid(Buffer.from('2b86', 'hex'), 0, 2), null, 'unterminated arc');
  // a real SPNEGO blob whose outer length lies
  const init = krb.find((b) => b[0] === 0x60 && b.includes(Buffer.from('a0', 'hex')))!;
  const lie = Buffer.from(init);
  lie[1] = lie[1] & 0x80 ? lie[1] : 0x7f;
  if (lie[1] & 0x80) lie.writeUIntBE(0xffff, 2, lie[1] & 0x7f);
  t.equal(reason(parseSecurityBlob(lie)), 'der_length_overrun');
  // an inner element lying inside a correct outer one: a mechTypes OID longer than its sequence
  const ap = krb.find((b) => b.includes(Buffer.from('2a864882f712010202', 'hex')))!;
  const oidAt = ap.indexOf(Buffer.from('06092a864882f712010202', 'hex'));
  const inner = Buffer.from(ap);
  inner[oidAt + 1] = 0x7e;
  t.match(reason(parseSecurityBlob(inner)), /^der_/);
  // 200 nested SEQUENCEs as the mechToken of a NegTokenInit
  let deep: Buffer = Buffer.from('0500', 'hex');
  for (let i = 0; i < 200; i++) deep = Buffer.concat([derHead(0x30, deep.length), deep]);
  const tok = wrap(0xa0, wrap(0x30, wrap(0xa2, wrap(0x04, deep))));
  t.equal(derValidate(deep, 0, deep.length)?.reason, 'der_too_deep');
  const r = parseSecurityBlob(tok);
  t.ok(r.ok, 'an opaque mechToken is not walked: ' + JSON.stringify(r));
  const nested = wrap(0xa0, wrap(0x30, deep));
  t.equal(reason(parseSecurityBlob(nested)), 'der_too_deep');
  // SPNEGO inside SPNEGO inside ... : token nesting bound
  let tokens: Buffer = Buffer.from('NTLMSSP\0\x01\0\0\0\0\0\0\0', 'latin1');
  for (let i = 0; i < 10; i++) tokens = wrap(0xa0, wrap(0x30, wrap(0xa2, wrap(0x04, tokens))));
  t.equal(reason(parseSecurityBlob(tokens)), 'auth_token_nesting');
  t.end();
});

function derHead(tag: number, len: number): Buffer {
  if (len < 128) return Buffer.from([tag, len]);
  if (len < 256) return Buffer.from([tag, 0x81, len]);
  if (len < 65536) return Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.from([tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
}
function wrap(tag: number, v: Buffer): Buffer {
  return Buffer.concat([derHead(tag, v.length), v]);
}

t.test('every corpus blob parses', (t) => {
  t.ok(all.length >= 15, `${all.length} real blobs`);
  for (const b of all) {
    const r = parseSecurityBlob(b);
    if (!r.ok) t.fail(reason(r) ?? '');
  }
  t.same(info(Buffer.alloc(0)).mech, 'none');
  t.end();
});

t.test('property: arbitrary bytes never throw nor read out of bounds', (t) => {
  const oob = { count: 0 };
  const start = fc.constantFrom(0x60, 0xa0, 0xa1, 0x6e, 0x6a, 0x4e, 0x30, 0x00);
  fc.assert(
    fc.property(start, fc.uint8Array({ maxLength: 200 }), (s, bytes) => {
      const b = Buffer.from([s, ...bytes]);
      const r = parseSecurityBlob(guarded(b, oob));
      if (!r.ok && typeof r.reason !== 'string') throw new Error('untyped error');
    }),
    { numRuns: 4000 },
  );
  t.equal(oob.count, 0);
  t.end();
});

t.test('property: mutated and truncated real blobs never throw nor read out of bounds', (t) => {
  const oob = { count: 0 };
  let ok = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: all.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.option(fc.nat()),
      (i, muts, cut) => {
        let b = Buffer.from(all[i]);
        for (const [pos, v] of muts) b[pos % b.length] = v;
        if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
        const r = parseSecurityBlob(guarded(b, oob));
        if (r.ok) ok++;
        else if (typeof r.reason !== 'string') throw new Error('untyped error');
      },
    ),
    { numRuns: 4000 },
  );
  t.equal(oob.count, 0);
  t.ok(ok > 0, `${ok} mutated blobs still parsed`);
  t.end();
});
