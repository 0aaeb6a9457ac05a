/**
 * The samr / lsarpc / netlogon / spoolss / srvsvc / wkssvc / efsrpc / dfsnm request decoders on
 * stubs marshalled by impacket (an NDR implementation independent of ours; the library behind
 * samrdump, lookupsid, secretsdump, PrinterBug, PetitPotam, DFSCoerce) for the operations the
 * corpus lacks: our decoders must give back exactly the arguments impacket was given, and the
 * operation names agree with impacket's IDL class names. Then hostile input on the same stubs:
 * every truncation, lying counts, odd string lengths, mismatched union discriminants, random
 * mutations → a typed error or a result, never an exception.
 */
import t from 'tap';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { MS_DECODER_SETS } from '../dissectors/dcerpc/iface/ms-decoders';
import { decodeRequestStub, decodeResponseStub } from '../dissectors/dcerpc/call';
import { operationNameByUuid } from '../dissectors/dcerpc/names';
import type { IfaceDecoders, OpDecoder } from '../dissectors/dcerpc/iface/types';

interface Ref {
  iface: string;
  opnum: number;
  op: string;
  stub: string;
  handle: string | null;
  args: Record<string, unknown>;
}

// Debian's python3 with python3-impacket (CI installs it): a missing module fails the test
const refs: Ref[] = execFileSync('/usr/bin/python3', [path.join(__dirname, 'helpers', 'dcerpc-ifaces-impacket.py')], { stdio: ['ignore', 'pipe', 'pipe'] })
  .toString()
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Ref);

const SETS = new Map<string, IfaceDecoders>(MS_DECODER_SETS.map((s) => [s.name, s]));

function opOf(ref: Ref): { set: IfaceDecoders; op: OpDecoder } {
  const set = SETS.get(ref.iface);
  if (!set) throw new Error(`no decoders for ${ref.iface}`);
  const op = set.ops[ref.opnum];
  if (!op) throw new Error(`no decoder for ${ref.iface} opnum ${ref.opnum}`);
  return { set, op };
}

t.ok(refs.length >= 40, `${refs.length} impacket stubs`);

t.test('requests decode to the arguments impacket marshalled', (t) => {
  for (const ref of refs) {
    const { set, op } = opOf(ref);
    const where = `${ref.iface} ${ref.op}`;
    t.equal(op.name, ref.op, `${where}: decoder name = impacket's IDL name`);
    t.equal(operationNameByUuid(set.uuid, ref.opnum), ref.op, `${where}: names.ts agrees`);
    const r = decodeRequestStub(op, Buffer.from(ref.stub, 'hex'), false);
    if (!r.ok) {
      t.fail(`${where}: ${r.reason} at ${r.offset}`);
      continue;
    }
    t.same(r.args, ref.args, `${where} args`);
    t.equal(r.handle ?? null, ref.handle, `${where} handle`);
  }
  t.end();
});

/** Decoding never throws: a typed error or a result. */
function safe(op: OpDecoder, stub: Buffer, response: boolean, ndr64 = false): { ok: boolean; reason?: string } {
  const r = response ? decodeResponseStub(op, stub, false, ndr64) : decodeRequestStub(op, stub, false, ndr64);
  if (!r.ok && (typeof r.reason !== 'string' || !Number.isInteger(r.offset))) throw new Error('untyped error');
  return r;
}

t.test('every truncation of every stub: a typed error or a result, never an exception', (t) => {
  let errors = 0, total = 0;
  for (const ref of refs) {
    const { op } = opOf(ref);
    const stub = Buffer.from(ref.stub, 'hex');
    for (let n = 0; n < stub.length; n++) {
      const r = safe(op, stub.subarray(0, n), false);
      total++;
      if (!r.ok) errors++;
    }
  }
  t.comment(`${total} truncated stubs, ${errors} typed errors`);
  t.ok(errors > total * 0.8, 'most truncations are errors (the rest end after the last field we read)');
  t.end();
});

/** Write a u32 into a copy of the stub. */
function patch(stub: string, off: number, v: number): Buffer {
  const b = Buffer.from(stub, 'hex');
  b.writeUInt32LE(v >>> 0, off);
  return b;
}

const find = (iface: string, op: string): Ref => refs.find((r) => r.iface === iface && r.op === op)!;

t.test('lying counts and lengths are typed errors', (t) => {
  const expectErr = (op: OpDecoder, b: Buffer, reason: string | RegExp, what: string): void => {
    const r = safe(op, b, false);
    t.notOk(r.ok, what);
    if (!r.ok) t.match(r.reason, reason, `${what}: ${r.reason}`);
  };
  // SamrLookupNamesInDomain: handle(20) Count(4) max(4) offset(4) actual(4) …
  const ln = find('samr', 'SamrLookupNamesInDomain');
  const lnOp = opOf(ln).op;
  expectErr(lnOp, patch(ln.stub, 20, 4), 'ndr-count-mismatch', 'Count ≠ actual_count');
  expectErr(lnOp, patch(ln.stub, 32, 0x7fffffff), /ndr-(varying|array)-bounds/, 'actual_count of 2^31');
  expectErr(lnOp, patch(ln.stub, 24, 1), 'ndr-varying-bounds', 'actual_count above max_count');
  // LsarLookupNames: handle(20) Count(4) conformance(4) …
  const lk = find('lsarpc', 'LsarLookupNames');
  expectErr(opOf(lk).op, patch(lk.stub, 24, 0x40000000), /ndr-(count-mismatch|array-bounds)/, 'LsarLookupNames conformance of 2^30');
  expectErr(opOf(lk).op, patch(patch(lk.stub, 24, 0x40000000).toString('hex'), 20, 0x40000000), 'ndr-array-bounds', 'LsarLookupNames count and conformance of 2^30');
  // an odd RPC_UNICODE_STRING byte length: the first name's Length at handle(20)+Count(4)+conf(4)
  const odd = Buffer.from(lk.stub, 'hex');
  odd.writeUInt16LE(odd.readUInt16LE(28) | 1, 28);
  expectErr(opOf(lk).op, odd, 'ndr-odd-string-length', 'odd string length');
  // SamrAddMemberToAlias: SID conformance ≠ SubAuthorityCount, and 200 sub-authorities
  const am = find('samr', 'SamrAddMemberToAlias');
  expectErr(opOf(am).op, patch(am.stub, 20, 4), 'ndr-sid-count', 'SID conformance ≠ SubAuthorityCount');
  const big = Buffer.from(am.stub, 'hex');
  big.writeUInt32LE(200, 20);
  big[25] = 200;
  expectErr(opOf(am).op, big, 'ndr-sid-count', '200 sub-authorities');
  // NetrServerAuthenticate3: PrimaryName referent(4) max(4) offset(4) actual(4): actual 2^31
  const au = find('netlogon', 'NetrServerAuthenticate3');
  expectErr(opOf(au).op, patch(au.stub, 12, 0x80000000), /ndr-(varying|array)-bounds/, 'string actual_count of 2^31');
  // RpcAddPrinterDriverEx: DRIVER_CONTAINER Level ≠ union discriminant
  const ad = find('spoolss', 'RpcAddPrinterDriverEx');
  const adStub = Buffer.from(ad.stub, 'hex');
  const lv = adStub.indexOf(Buffer.from('0200000002000000', 'hex'));
  t.ok(lv > 0, 'found Level/discriminant');
  expectErr(opOf(ad).op, patch(ad.stub, lv + 4, 3), 'ndr-union-discriminant', 'discriminant 3 for Level 2');
  // SamrEnumerateUsersInDomain response: a count of 2^28 entries in a 40-byte stub
  const en = opOf(find('samr', 'SamrEnumerateUsersInDomain')).op;
  const resp = Buffer.alloc(40);
  resp.writeUInt32LE(0, 0); // EnumerationContext
  resp.writeUInt32LE(0x20000, 4); // Buffer referent
  resp.writeUInt32LE(1, 8); // EntriesRead
  resp.writeUInt32LE(0x20004, 12); // entries referent
  resp.writeUInt32LE(0x10000000, 16); // conformance
  const er = safe(en, resp, true);
  t.notOk(er.ok, 'SamrEnumerateUsersInDomain response with 2^28 entries');
  t.end();
});

t.test('random mutations of every stub and both transfer syntaxes: never an exception', (t) => {
  const cases = refs.map((r) => ({ op: opOf(r).op, stub: Buffer.from(r.stub, 'hex') }));
  fc.assert(
    fc.property(
      fc.nat(cases.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      (i, flips, response, ndr64) => {
        const b = Buffer.from(cases[i].stub);
        for (const [at, v] of flips) if (b.length) b[at % b.length] = v;
        safe(cases[i].op, b, response, ndr64);
      },
    ),
    { numRuns: 3000, seed: 15 },
  );
  t.pass('3000 mutated stubs decoded without an exception');
  t.end();
});
