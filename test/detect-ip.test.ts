/**
 * IP/CIDR matching against Node's own implementation (net.isIP, net.BlockList, which also match
 * IPv4 rules against IPv4-mapped IPv6 addresses) on random addresses and blocks.
 */
import t from 'tap';
import fc from 'fast-check';
import { BlockList, isIP } from 'node:net';
import { IpSet, parseCidr, parseIp } from '../src/shared/ip';

const hex = (n: number) => n.toString(16);

/** an IPv6 address as text in one of several spellings */
function v6Text(g: number[], style: number): string {
  if (style === 0) return g.map(hex).join(':');
  if (style === 1) return g.map((x) => hex(x).padStart(4, '0').toUpperCase()).join(':');
  // compress the longest run of zeros
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (style === 3 && g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  }
  if (bestLen < 2) return g.map(hex).join(':');
  return `${g.slice(0, best).map(hex).join(':')}::${g.slice(best + bestLen).map(hex).join(':')}`;
}

const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
const v6Groups = fc.oneof(
  fc.array(group, { minLength: 8, maxLength: 8 }),
  // IPv4-mapped
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => [0, 0, 0, 0, 0, 0xffff, a, b]),
  // mostly zeros (compression)
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), group), { minLength: 8, maxLength: 8 }),
);
const v4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((o) => o.join('.'));

t.test('parseIp accepts exactly what net.isIP accepts (grammar-shaped random strings)', async (t) => {
  const piece = fc.oneof(
    fc.constantFrom(':', '::', '.', '%', 'eth0', '0', '00', '010', '1', '255', '256', 'ffff', 'FFFF', 'fffff', 'g', '1.2.3.4'),
    fc.integer({ min: 0, max: 0xffff }).map(hex),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
      const s = parts.join('');
      const out = new Uint32Array(4);
      const mine = parseIp(s, out);
      const ref = isIP(s);
      if (mine !== ref) throw new Error(`${JSON.stringify(s)}: parseIp ${mine}, net.isIP ${ref}`);
    }),
    { numRuns: 20000, seed: 42 },
  );
  fc.assert(
    fc.property(v6Groups, fc.integer({ min: 0, max: 3 }), (g, style) => {
      const s = v6Text(g, style);
      const out = new Uint32Array(4);
      if (parseIp(s, out) !== 6) throw new Error(`refused ${s}`);
      for (let w = 0; w < 4; w++) {
        if (out[w] !== ((g[2 * w] << 16) | g[2 * w + 1]) >>> 0) throw new Error(`${s}: word ${w}`);
      }
    }),
    { numRuns: 5000, seed: 7 },
  );
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', '::1.2.3', 'fe80::1%', '1.2.3.4%eth0']) {
    t.equal(parseIp(bad, new Uint32Array(4)), 0, JSON.stringify(bad));
  }
});

t.test('IpSet.has agrees with net.BlockList on random blocks and addresses', async (t) => {
  const block = fc.oneof(
    fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => ({ text: `${a}/${p}`, net: a, p, type: 'ipv4' as const })),
    fc.tuple(v6Groups, fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 3 })).map(([g, p, st]) => ({
      text: `${v6Text(g, st)}/${p}`,
      net: v6Text(g, 0),
      p,
      type: 'ipv6' as const,
    })),
  );
  // addresses near the blocks too: derive some from the same generators
  const addr = fc.oneof(
    v4.map((a) => ({ text: a, type: 'ipv4' as const })),
    fc.tuple(v6Groups, fc.integer({ min: 0, max: 3 })).map(([g, st]) => ({ text: v6Text(g, st), type: 'ipv6' as const })),
  );
  fc.assert(
    fc.property(fc.array(block, { minLength: 1, maxLength: 4 }), fc.array(addr, { minLength: 1, maxLength: 8 }), (blocks, addrs) => {
      const ref = new BlockList();
      for (const b of blocks) ref.addSubnet(b.net, b.p, b.type);
      const mine = new IpSet(blocks.map((b) => b.text));
      // each block's own network address, and neighbours of it, are in the probe set
      const probes = [...addrs];
      for (const b of blocks) probes.push({ text: b.net, type: b.type });
      for (const a of probes) {
        const want = ref.check(a.text, a.type);
        if (mine.has(a.text) !== want) throw new Error(`${a.text} in [${blocks.map((b) => b.text)}]: want ${want}`);
      }
    }),
    { numRuns: 3000, seed: 11 },
  );
  t.pass('agreed');
});

t.test('boundaries, IPv4-mapped addresses, host bits', async (t) => {
  const s = new IpSet(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '172.16.5.9/12']);
  t.ok(s.has('10.0.0.0'));
  t.ok(s.has('10.255.255.255'));
  t.notOk(s.has('11.0.0.0'));
  t.notOk(s.has('9.255.255.255'));
  t.ok(s.has('::ffff:10.1.2.3'), 'IPv4-mapped IPv6 matches an IPv4 block');
  t.ok(s.has('::FFFF:a01:203'), 'hex spelling of the mapped address');
  t.notOk(s.has('::10.1.2.3'), 'IPv4-compatible (deprecated) is another address');
  t.ok(s.has('192.0.2.7'));
  t.notOk(s.has('192.0.2.8'));
  t.ok(s.has('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'));
  t.ok(s.has('2001:DB8::1'));
  t.notOk(s.has('2001:db9::'));
  t.ok(s.has('172.31.255.255'), 'host bits past the prefix ignored: 172.16.0.0/12');
  t.notOk(s.has('172.32.0.0'));
  t.notOk(s.has('not-an-ip'));
  t.notOk(s.has(''));
  const m = new IpSet(['::ffff:0:0/96']);
  t.ok(m.has('203.0.113.9'), 'an IPv6 block over the mapped range matches plain IPv4');
  const all = new IpSet(['0.0.0.0/0']);
  t.ok(all.has('255.255.255.255'));
  t.notOk(all.has('2001:db8::1'), '0.0.0.0/0 is all of IPv4, not IPv6');
  t.ok(new IpSet(['::/0']).has('1.2.3.4'));
  t.ok(new IpSet(['fe80::/10']).has('fe80::1%eth0'), 'zone ignored on addresses');
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '10/8', 'fe80::1%eth0/64', 'host.example', '1.2.3.4 /8']) {
    t.equal(parseCidr(bad), null, bad);
  }
  t.throws(() => new IpSet(['10.0.0.0/33']));
});
