/**
 * The JS SHA-1 and base64 behind the Community ID (src/output/sha1.ts) against node:crypto and
 * Buffer on random messages of every length up to several blocks, and the Community ID itself on
 * the spec's published example and on address forms node:net accepts or refuses.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { base64, sha1 } from '../src/output/sha1';
import { communityId, ipBytes } from '../src/output/community-id';

t.test('sha1 and base64 agree with node:crypto and Buffer', (t) => {
  const out = new Uint8Array(20);
  let bad = 0;
  for (let len = 0; len <= 300; len++) {
    for (let r = 0; r < 3; r++) {
      const m = randomBytes(len);
      sha1(m, len, out);
      if (Buffer.from(out).toString('hex') !== createHash('sha1').update(m).digest('hex')) bad++;
      if (base64(m, len) !== m.toString('base64')) bad++;
    }
  }
  t.equal(bad, 0, 'every length 0..300 bytes');
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
