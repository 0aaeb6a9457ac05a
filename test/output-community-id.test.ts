/**
 * The Community ID of src/output/community-id.ts (hand-parsed IPv4, one-shot SHA-1) on the spec's
 * published example, against an independent build of the hashed bytes (createHash) for IPv4 and
 * IPv6 flows, and its address parsing against node:net on accepted and refused forms.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { communityId, ipBytes } from '../src/output/community-id';

/** the spec's hashed bytes, built the plain way */
function reference(sip: string, sp: number, dip: string, dp: number): string {
  let a = Buffer.from(ipBytes(sip)!);
  let b = Buffer.from(ipBytes(dip)!);
  const c = Buffer.compare(a, b);
  if (c > 0 || (c === 0 && sp > dp)) {
    [a, b] = [b, a];
    [sp, dp] = [dp, sp];
  }
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sp, 0);
  ports.writeUInt16BE(dp, 2);
  return '1:' + createHash('sha1').update(Buffer.concat([Buffer.from([0, 0]), a, b, Buffer.from([6, 0]), ports])).digest('base64');
}

t.test('against the plain construction', (t) => {
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    const r = (n: number): number => Math.floor(Math.random() * n);
    const v6 = i % 4 === 0;
    const a = v6 ? `fe80::${r(65536).toString(16)}:${r(65536).toString(16)}` : `10.${r(256)}.${r(256)}.${r(256)}`;
    const b = v6 ? `2001:db8::${r(65536).toString(16)}` : `10.1.0.${r(256)}`;
    const sp = r(65536);
    const dp = i % 3 === 0 ? sp : 445;
    if (communityId(a, sp, b, dp) !== reference(a, sp, b, dp)) bad++;
  }
  t.equal(bad, 0, '2000 random IPv4 and IPv6 flows');
  t.end();
});

t.test('community id', (t) => {
  // corelight/community-id-spec baseline: tcp 128.232.110.120:34855 -> 66.35.250.204:80
  t.equal(communityId('128.232.110.120', 34855, '66.35.250.204', 80), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  t.equal(communityId('66.35.250.204', 80, '128.232.110.120', 34855), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', 'direction-free');
  t.equal(communityId('10.0.0.1', 445, '10.0.0.1', 50000), communityId('10.0.0.1', 50000, '10.0.0.1', 445), 'same address: ports order');
  t.equal(communityId('10.0.0.1', 1, 'fe80::1', 2), null, 'mixed families');
  const forms = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', ' 1.2.3.4', '1.2.3.4\n', '1..2.3', '1.2.3.1000', '::1', 'fe80::1%eth0', '::ffff:10.1.2.3', 'FS01', ''];
  for (const f of forms) {
    const b = ipBytes(f);
    t.equal(b === null ? 'none' : b.length === 4 ? 'v4' : 'v6', isIPv4(f) ? 'v4' : isIPv6(f) ? 'v6' : 'none', JSON.stringify(f));
  }
  t.same(ipBytes('::ffff:10.1.2.3')?.slice(10), [0xff, 0xff, 10, 1, 2, 3]);
  t.end();
});
