/**
 * dissectors/: SMB2, SMB1, SPNEGO/NTLMSSP/Kerberos and NBSS control bodies on arbitrary bytes
 * behind real magics and on mutated real messages/blobs of the whole corpus. Every parser is run
 * on every message (whatever its command) through a Proxy that counts indexed reads outside the
 * buffer; results must be typed errors or values whose Buffers are views inside the input, with
 * no NaN and no undefined. Errors are counted by reason (the counts show the fuzz got deep).
 */
import fc from 'fast-check';
import * as S from '../../../dissectors/smb2';
import * as S1 from '../../../dissectors/smb1';
import { parseSecurityBlob } from '../../../dissectors/auth';
import { parseNtlmssp } from '../../../dissectors/ntlmssp';
import { parseKerberos } from '../../../dissectors/kerberos';
import { derValidate } from '../../../dissectors/der';
import { decodeNegativeResponse, decodeNetbiosSessionRequest, decodeRetargetResponse, looksLikeNbssSmb, RESYNC_WINDOW } from '../../../dissectors/nbss';
import { bytesToKeep } from '../../../dissectors/skip-policy';
import { bump, type FuzzProperty } from '../harness';
import { checkResult, checkValue, embed, guarded, mutate, type Mutation } from '../checks';
import { corpusSeeds, mutationArb } from '../seeds';
import { MAX_STRING_UNITS } from '../../../dissectors/utf16';

const SMB2_PARSERS = [
  S.parseNegotiateRequest,
  S.parseNegotiateResponse,
  S.parseSessionSetupRequest,
  S.parseSessionSetupResponse,
  S.parseTreeConnectRequest,
  S.parseTreeConnectResponse,
  S.parseCreateRequest,
  S.parseCreateResponse,
  S.parseCloseRequest,
  S.parseReadRequest,
  S.parseReadResponse,
  S.parseWriteRequest,
  S.parseWriteResponse,
  S.parseIoctlRequest,
];

/** command*2 + response → the parser for it (to count results only where they mean something) */
const OWN_PARSER = new Map<number, (typeof SMB2_PARSERS)[number]>([
  [0, S.parseNegotiateRequest],
  [1, S.parseNegotiateResponse],
  [2, S.parseSessionSetupRequest],
  [3, S.parseSessionSetupResponse],
  [6, S.parseTreeConnectRequest],
  [7, S.parseTreeConnectResponse],
  [10, S.parseCreateRequest],
  [11, S.parseCreateResponse],
  [12, S.parseCloseRequest],
  [16, S.parseReadRequest],
  [17, S.parseReadResponse],
  [18, S.parseWriteRequest],
  [19, S.parseWriteResponse],
  [22, S.parseIoctlRequest],
]);

const SMB1_PARSERS = [
  S1.parseSmb1NegotiateRequest,
  S1.parseSmb1NegotiateResponse,
  S1.parseSmb1SessionSetupRequest,
  S1.parseSmb1SessionSetupResponse,
  S1.parseSmb1TreeConnectRequest,
  S1.parseSmb1TreeConnectResponse,
  S1.parseSmb1NtCreateRequest,
  S1.parseSmb1NtCreateResponse,
  S1.parseSmb1WriteRequest,
  S1.parseSmb1ReadResponse,
  S1.parseSmb1Close,
];

/** Strings from dissectors are bounded by MAX_STRING_UNITS (UTF-16 units, a little slack for escapes). */
const MAX_STR = MAX_STRING_UNITS * 2 + 16;

function noOob(oob: { count: number }, where: string): void {
  if (oob.count) throw new Error(`${where}: ${oob.count} indexed reads outside the buffer`);
}

function tally(counts: Record<string, number>, layer: string, r: unknown): void {
  const o = r as { ok?: boolean; reason?: string } | null;
  if (o && o.ok === false) bump(counts, `${layer}.err.${o.reason}`);
  else if (o) bump(counts, `${layer}.ok`);
}

function checkIn(input: Buffer, r: unknown, where: string): void {
  if (r && typeof r === 'object' && (r as { ok?: unknown }).ok !== false) checkValue(input, r, where, MAX_STR);
  else checkResult(input, r, where);
}

export function dissectSmb2(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  checkResult(input, S.parseTransformHeader(g, 0), 'transform');
  checkResult(input, S.parseCompressionHeader(g, 0), 'compression');
  bytesToKeep(g, input.length + 100);
  const h = S.newSmb2Header();
  const e = S.parseSmb2Header(g, 0, h);
  if (e) {
    checkResult(input, e, 'header');
    tally(counts, 'smb2', e);
    return noOob(oob, 'smb2 header');
  }
  checkValue(input, h, 'header');
  let n = 0;
  const ce = S.forEachSmb2(g, h, (m) => {
    if (++n > S.MAX_COMPOUND) throw new Error('compound chain longer than MAX_COMPOUND');
    checkValue(input, m, 'compound header');
    const end = S.smb2MessageEnd(g, m);
    if (!(end >= 0 && end <= input.length)) throw new Error('smb2MessageEnd ' + end);
    for (const p of SMB2_PARSERS) {
      const r = p(g, m, end);
      checkIn(input, r, p.name);
      if (p === OWN_PARSER.get(m.command * 2 + (m.isResponse ? 1 : 0))) tally(counts, 'smb2', r);
      // a caller passing an end past the buffer must be clamped, not trusted
      checkIn(input, p(g, m, end + 4096), p.name + '(end+4096)');
    }
  });
  if (ce) checkResult(input, ce, 'forEachSmb2');
  noOob(oob, 'smb2');
}

export function dissectSmb1(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  const h = S1.newSmb1Header();
  const e = S1.parseSmb1Header(g, 0, h);
  if (e) {
    checkResult(input, e, 'smb1 header');
    tally(counts, 'smb1', e);
    return noOob(oob, 'smb1 header');
  }
  checkValue(input, h, 'smb1 header');
  let n = 0;
  const ce = S1.walkAndX(g, h, (c) => {
    if (++n > S1.MAX_ANDX_CHAIN + 1) throw new Error('AndX chain longer than MAX_ANDX_CHAIN');
    checkValue(input, c, 'smb1 command');
    for (const p of SMB1_PARSERS) {
      const r = p(g, h, c);
      checkIn(input, r, p.name);
      tally(counts, 'smb1', r);
    }
  });
  if (ce) {
    checkResult(input, ce, 'walkAndX');
    tally(counts, 'smb1', ce);
  }
  noOob(oob, 'smb1');
}

export function dissectAuth(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  const r = parseSecurityBlob(g);
  checkIn(input, r, 'parseSecurityBlob');
  tally(counts, 'blob', r);
  for (const off of [0, 16]) {
    checkIn(input, parseNtlmssp(g, off, input.length), 'parseNtlmssp');
    checkIn(input, parseKerberos(g, off, input.length), 'parseKerberos');
    checkResult(input, derValidate(g, off, input.length), 'derValidate');
    // an end past the buffer must be clamped
    checkIn(input, parseNtlmssp(g, off, input.length + 1000), 'parseNtlmssp(end+1000)');
  }
  noOob(oob, 'auth');
}

export function dissectNbss(input: Buffer, counts: Record<string, number>): void {
  const oob = { count: 0 };
  const g = guarded(input, oob);
  tally(counts, 'nbss', decodeNetbiosSessionRequest(g));
  checkIn(input, decodeNetbiosSessionRequest(g), 'decodeNetbiosSessionRequest');
  checkIn(input, decodeNegativeResponse(g), 'decodeNegativeResponse');
  checkIn(input, decodeRetargetResponse(g), 'decodeRetargetResponse');
  // the caller guarantees RESYNC_WINDOW bytes (documented precondition)
  for (let p = 0; p + RESYNC_WINDOW <= input.length && p < 16; p++) {
    looksLikeNbssSmb(g, p, true, 0x1ffff);
    looksLikeNbssSmb(g, p, false, 0xffffff);
  }
  noOob(oob, 'nbss');
}

function magicBytes(magics: number[], headerLen: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...magics)).map(([b, magic]) => {
    // SMB1: now and then a WordCount and ByteCount that fit, so the fuzz reaches the command parsers
    const wc = headerLen === 32 && b.length > 0 && b[0] & 1 ? b[b.length - 1] % 16 : -1;
    const out = new Uint8Array(Math.max(b.length, headerLen, wc >= 0 ? 35 + 2 * wc : 0));
    out.set(b);
    out.set([magic, 0x53, 0x4d, 0x42]);
    if (wc >= 0) {
      out[32] = wc;
      const bc = out.length - (35 + 2 * wc);
      out[33 + 2 * wc] = bc & 0xff;
      out[34 + 2 * wc] = (bc >> 8) & 0xff;
    }
    if (headerLen === 64 && out.length >= 6) {
      out[4] = 64;
      out[5] = 0;
    }
    return out;
  });
}

function arbitraryProperty(layer: string, gen: fc.Arbitrary<Uint8Array>, fn: (b: Buffer, c: Record<string, number>) => void): FuzzProperty<Uint8Array> {
  return { layer, name: 'arbitrary bytes', weight: 3, arbitrary: () => gen, check: (b, c) => fn(embed(b), c) };
}

function mutatedProperty(layer: string, pool: () => Buffer[], fn: (b: Buffer, c: Record<string, number>) => void, from: number): FuzzProperty<{ i: number; m: Mutation }> {
  return {
    layer,
    name: 'mutated corpus items (bit flips, length/offset lies, insertions, truncation)',
    weight: 3,
    arbitrary: () => fc.record({ i: fc.nat(pool().length - 1), m: mutationArb(8) }),
    check: ({ i, m }, c) => fn(embed(mutate(pool()[i], m, from)), c),
  };
}

const GSS_STARTS = [0x60, 0xa0, 0xa1, 0x6e, 0x6a, 0x4e, 0x30];
const authArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constantFrom(...GSS_STARTS), fc.uint8Array({ maxLength: 300 })).map(([s, b]) => Uint8Array.from([s, ...b])),
  fc.uint8Array({ minLength: 12, maxLength: 300 }).map((b) => {
    const o = Uint8Array.from(b);
    o.set(Buffer.from('NTLMSSP\0', 'latin1'));
    o[8] = (o[8] % 3) + 1;
    return o;
  }),
);

export const smb2Properties = [
  arbitraryProperty('smb2', fc.oneof(fc.uint8Array({ maxLength: 300 }), magicBytes([0xfe, 0xfd, 0xfc], 64)), dissectSmb2),
  mutatedProperty('smb2', () => corpusSeeds().smb2, dissectSmb2, 0),
];
export const smb1Properties = [
  arbitraryProperty('smb1', magicBytes([0xff], 32), dissectSmb1),
  mutatedProperty('smb1', () => corpusSeeds().smb1, dissectSmb1, 4),
];
export const authProperties = [arbitraryProperty('auth', authArb, dissectAuth), mutatedProperty('auth', () => corpusSeeds().blobs, dissectAuth, 0)];
/** first-level encoded NetBIOS names (0x20, 32 letters A..P, 0) with random damage, twice */
const nbName = fc.tuple(fc.array(fc.nat(15), { minLength: 32, maxLength: 32 }), fc.nat(40)).map(([l, d]) => {
  const b = [0x20, ...l.map((x) => 0x41 + x), 0];
  if (d < b.length) b[d] = (b[d] + d) & 0xff;
  return b;
});
const nbssBody = fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.tuple(nbName, nbName).map(([a, b]) => Uint8Array.from([...a, ...b])));
export const nbssBodyProperties = [arbitraryProperty('nbss', nbssBody, dissectNbss)];
