/**
 * dissectors/dcerpc: PDU decoding (`dcerpc`) and the NDR reader with every interface decoder
 * (`ndr`), on arbitrary bytes behind a v5.0 header and on mutated real PDUs / stubs. Seeds are
 * the DCE/RPC PDUs found in the corpus's SMB messages (pipe WRITE/READ/IOCTL payloads) and TCP
 * packets (port 135 and dynamic ports), by scanning for a v5.0 header whose frag_length fits.
 * Results must be typed errors or values whose Buffers are views inside the input, strings
 * bounded, no undefined; no indexed read outside the input.
 */
import fc from 'fast-check';
import { decodePdu, peekFragLength } from '../../../dissectors/dcerpc/pdu';
import { decodeRequestStub, decodeResponseStub } from '../../../dissectors/dcerpc/index';
import { DECODER_SETS } from '../../../dissectors/dcerpc/iface/all';
import type { OpDecoder } from '../../../dissectors/dcerpc/iface/types';
import { bump, type FuzzProperty } from '../harness';
import { checkResult, checkValue, embed, guarded, mutate, type Mutation } from '../checks';
import { corpusSeeds, mutationArb } from '../seeds';

/** Longest string a decoded argument may be (names are capped at 4096 units, value data at 1 KiB). */
const MAX_ARG_STRING = 4096 + 16;

let pduCache: Buffer[] | null = null;

/** Every DCE/RPC v5.0 PDU found in the corpus seeds (copies). */
export function dcerpcSeeds(): Buffer[] {
  if (pduCache) return pduCache;
  const s = corpusSeeds();
  const out: Buffer[] = [];
  const scan = (b: Buffer): void => {
    for (let o = 0; o + 16 <= b.length && out.length < 5000; o++) {
      if (b[o] !== 5 || b[o + 1] !== 0 || b[o + 2] > 19) continue;
      const fl = peekFragLength(b, o);
      if (typeof fl !== 'number' || fl < 16 || o + fl > b.length) continue;
      const pdu = b.subarray(o, o + fl);
      if (decodePdu(pdu).ok) {
        out.push(Buffer.from(pdu));
        o += fl - 1;
      }
    }
  };
  for (const m of [...s.smb2, ...s.smb1]) scan(m);
  for (const f of s.packets) for (const p of f) scan(p.data);
  if (out.length < 200) throw new Error(`too few DCE/RPC seeds: ${out.length}`);
  pduCache = out;
  return out;
}

let stubCache: Buffer[] | null = null;
function stubSeeds(): Buffer[] {
  if (stubCache) return stubCache;
  stubCache = [];
  for (const p of dcerpcSeeds()) {
    const d = decodePdu(p);
    if (d.ok && (d.type === 'request' || d.type === 'response') && !d.encrypted && d.stub.length) stubCache.push(Buffer.from(d.stub));
  }
  return stubCache;
}

const OPS: OpDecoder[] = [];
for (const set of DECODER_SETS) for (const op of Object.values(set.ops)) OPS.push(op);

function noOob(oob: { count: number }, where: string): void {
  if (oob.count) throw new Error(`${where}: ${oob.count} indexed reads outside the buffer`);
}

function tally(counts: Record<string, number>, prefix: string, r: { ok: boolean; reason?: string }): void {
  bump(counts, r.ok ? `${prefix}.ok` : `${prefix}.err.${r.reason}`);
}

export function dissectPdu(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  const fl = peekFragLength(g, 0);
  if (typeof fl !== 'number') checkResult(input, fl, 'peekFragLength');
  const d = decodePdu(g);
  checkResult(input, d, 'decodePdu');
  tally(counts, 'pdu', d);
  if (d.ok) {
    checkValue(input, d, 'pdu', MAX_ARG_STRING);
    bump(counts, `pdu.type.${d.type}`);
    if ((d.type === 'request' || d.type === 'response') && d.stub.length) {
      if (d.stub.byteOffset < input.byteOffset || d.stub.byteOffset + d.stub.length > input.byteOffset + input.length) throw new Error('stub outside the PDU');
    }
  }
  noOob(oob, 'dcerpc');
}

/** Every decoder of every interface on the stub, in NDR and NDR64, both byte orders. */
export function dissectStub(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  for (const op of OPS) {
    for (const big of [false, true]) {
      for (const ndr64 of [false, true]) {
        const q = decodeRequestStub(op, g, big, ndr64);
        if (checkResult(input, q, op.name)) checkValue(input, q, op.name, MAX_ARG_STRING);
        if (!big && !ndr64) tally(counts, 'req', q);
        const r = decodeResponseStub(op, g, big, ndr64);
        if (checkResult(input, r, op.name + ' response')) checkValue(input, r, op.name, MAX_ARG_STRING);
        if (!big && !ndr64) tally(counts, 'resp', r);
      }
    }
  }
  noOob(oob, 'ndr');
}

/** Arbitrary bytes behind a plausible v5.0 header whose frag_length matches. */
const pduArb = fc.tuple(fc.constantFrom(0, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19, 7), fc.nat(255), fc.boolean(), fc.uint8Array({ maxLength: 400 }), fc.nat(64)).map(([ptype, flags, big, body, authLen]) => {
  const b = new Uint8Array(16 + body.length);
  b.set(body, 16);
  b[0] = 5;
  b[2] = ptype;
  b[3] = flags;
  b[4] = big ? 0 : 0x10;
  const dv = new DataView(b.buffer);
  dv.setUint16(8, b.length, !big);
  dv.setUint16(10, authLen % 3 === 0 ? authLen : 0, !big);
  return b;
});

function mutated(pool: () => Buffer[], fn: (b: Buffer, c: Record<string, number>) => void, name: string, weight = 2): FuzzProperty<{ i: number; m: Mutation }> {
  return {
    layer: name,
    name: 'mutated corpus items (bit flips, length/offset lies, insertions, truncation)',
    weight,
    arbitrary: () => fc.record({ i: fc.nat(pool().length - 1), m: mutationArb(8) }),
    check: ({ i, m }, c) => fn(embed(mutate(pool()[i], m, 0)), c),
  };
}

export const dcerpcProperties: FuzzProperty<any>[] = [
  { layer: 'dcerpc', name: 'arbitrary bodies behind a v5.0 header', weight: 3, arbitrary: () => pduArb, check: (b: Uint8Array, c) => dissectPdu(embed(b), c) },
  mutated(dcerpcSeeds, dissectPdu, 'dcerpc', 3),
];

export const ndrProperties: FuzzProperty<any>[] = [
  { layer: 'ndr', name: 'arbitrary stubs through every decoder', weight: 0.1, arbitrary: () => fc.uint8Array({ maxLength: 300 }), check: (b: Uint8Array, c) => dissectStub(embed(b), c) },
  mutated(stubSeeds, dissectStub, 'ndr', 0.1),
];
