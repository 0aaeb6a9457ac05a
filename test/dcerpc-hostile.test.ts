/**
 * Hostile DCE/RPC and NDR input: lying fragment, auth and padding lengths, 4 GiB alloc hints,
 * context lists longer than the PDU, NDR pointers that repeat (loops) or point past the stub,
 * strings with odd byte counts or counts larger than the stub, deep nesting, big-endian data,
 * every truncation of real stubs, hostile task XML → typed errors, never exceptions.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { decodePdu, peekFragLength, looksLikeBind } from '../dissectors/dcerpc/pdu';
import { NdrReader, MAX_NDR_POINTERS, MAX_NDR_DEPTH } from '../dissectors/dcerpc/ndr';
import { decodeRequestStub, decodeResponseStub, lookupInterface } from '../dissectors/dcerpc/index';
import { taskFacts } from '../dissectors/dcerpc/iface/task-xml';
import { tsharkPdus } from './helpers/dcerpc-tshark';
import { UUIDS_BY_NAME } from './helpers/dcerpc-uuids';

const reason = (r: unknown): string | undefined => (r as { ok: boolean; reason?: string }).reason;

/** A real svcctl RCreateServiceWOW64W request (psexec, smb2-07) and the bind before it. */
const pdus = tsharkPdus('suricata-verify/smb2-07.pcap');
const create = pdus.find((p) => p.raw[2] === 0 && p.raw.readUInt16LE(22) === 45)!.raw;
const bind = pdus.find((p) => p.raw[2] === 11)!.raw;

t.test('frag_length that lies', (t) => {
  const b = Buffer.from(create);
  b.writeUInt16LE(b.length + 100, 8);
  t.equal(reason(decodePdu(b)), 'dcerpc-frag-length', 'longer than the bytes');
  b.writeUInt16LE(10, 8);
  t.equal(reason(peekFragLength(b, 0)), 'dcerpc-frag-length', 'shorter than a header');
  t.equal(peekFragLength(b.subarray(0, 9), 0), -1, 'need more bytes');
  const v4 = Buffer.from(create);
  v4[0] = 4;
  t.equal(reason(peekFragLength(v4, 0)), 'dcerpc-version');
  t.equal(reason(decodePdu(Buffer.alloc(15))), 'dcerpc-short');
  // shorter frag_length than the buffer: the rest is ignored, stub ends at frag_length
  const two = Buffer.concat([create, create]);
  const d = decodePdu(two);
  t.ok(d.ok && d.type === 'request' && d.stub.length === create.length - 24);
  t.end();
});

t.test('alloc hint of 4 GiB: a number, nothing allocated by it', (t) => {
  const b = Buffer.from(create);
  b.writeUInt32LE(0xffffffff, 16);
  const d = decodePdu(b);
  t.ok(d.ok && d.type === 'request');
  if (d.ok && d.type === 'request') {
    t.equal(d.allocHint, 0xffffffff);
    t.equal(d.stub.length, b.length - 24, 'stub is what the fragment holds');
    t.equal(d.stub.buffer, b.buffer, 'a view');
  }
  t.end();
});

t.test('auth_length and auth padding that lie', (t) => {
  const b = Buffer.from(create);
  b.writeUInt16LE(b.length, 10);
  t.equal(reason(decodePdu(b)), 'dcerpc-auth-length');
  // a plausible trailer whose pad length reaches back into the header
  const a = Buffer.concat([create, Buffer.alloc(8 + 16)]);
  a.writeUInt16LE(a.length, 8);
  a.writeUInt16LE(16, 10);
  a[create.length] = 10; // NTLMSSP
  a[create.length + 1] = 6; // privacy
  a[create.length + 2] = 255; // pad length
  t.equal(reason(decodePdu(a)), 'dcerpc-auth-pad');
  a[create.length + 2] = 0;
  const d = decodePdu(a);
  t.ok(d.ok && d.type === 'request' && d.encrypted && d.auth?.authLevelName === 'privacy', 'privacy → encrypted');
  t.end();
});

t.test('bind whose context list is longer than the PDU', (t) => {
  const b = Buffer.from(bind);
  b[24] = 255;
  t.equal(reason(decodePdu(b)), 'dcerpc-contexts');
  const c = Buffer.from(bind);
  c[30] = 200; // transfer syntaxes of the first context
  t.equal(reason(decodePdu(c)), 'dcerpc-contexts');
  t.ok(looksLikeBind(bind), 'the real bind is sniffed as one');
  t.notOk(looksLikeBind(create), 'a request is not a bind');
  t.end();
});

t.test('10k alter_contexts decode independently, each bounded', (t) => {
  const alter = Buffer.from(bind);
  alter[2] = 14;
  const before = process.memoryUsage().heapUsed;
  let ok = 0;
  for (let i = 0; i < 10000; i++) {
    alter.writeUInt32LE(i, 12);
    const d = decodePdu(alter);
    if (d.ok && d.type === 'alter_context' && d.contexts.length <= 255) ok++;
  }
  t.equal(ok, 10000);
  t.ok(process.memoryUsage().heapUsed - before < 64 << 20, 'no growth beyond garbage');
  t.end();
});

function stubOf(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

t.test('NDR: pointers that repeat (loop) or run past the stub, too many pointers', (t) => {
  // full pointers: ids seen before carry no referent, so a cycle ends
  const loop = stubOf('00000200 00000200 00000200');
  const r = new NdrReader(loop);
  t.equal(r.fullPointer(), 0x20000);
  t.equal(r.fullPointer(), -1);
  t.equal(r.fullPointer(), -1);
  t.equal(r.err, null);
  // a unique string pointer whose referent is missing
  const past = stubOf('00000200');
  const r2 = new NdrReader(past);
  t.equal(r2.uniqueString16(), '');
  t.equal(reason(r2.err), 'ndr-short');
  // more pointers than MAX_NDR_POINTERS
  const many = Buffer.alloc((MAX_NDR_POINTERS + 2) * 4, 1);
  const r3 = new NdrReader(many);
  for (let i = 0; i < MAX_NDR_POINTERS + 2; i++) r3.pointer();
  t.equal(reason(r3.err), 'ndr-pointers');
  // nesting deeper than MAX_NDR_DEPTH
  const r4 = new NdrReader(Buffer.alloc(4));
  let depth = 0;
  while (r4.enter()) depth++;
  t.equal(depth, MAX_NDR_DEPTH);
  t.equal(reason(r4.err), 'ndr-depth');
  t.end();
});

t.test('NDR: strings with odd byte counts, lying counts, offsets', (t) => {
  // RPC_UNICODE_STRING Length 7 (odd), MaximumLength 8
  const odd = stubOf('0700 0800 00000200 04000000 00000000 04000000 41004200 43004400');
  const r = new NdrReader(odd);
  t.equal(r.rpcUnicodeString(), null);
  t.equal(reason(r.err), 'ndr-odd-string-length');
  // Length > MaximumLength
  const r1 = new NdrReader(stubOf('0a00 0800 00000200'));
  r1.rpcUnicodeString();
  t.equal(reason(r1.err), 'ndr-string-bounds');
  // header says 4 bytes, the array carries 4 units (8 bytes)
  const r2 = new NdrReader(stubOf('0400 0800 00000200 04000000 00000000 04000000 4100420043004400'));
  r2.rpcUnicodeString();
  t.equal(reason(r2.err), 'ndr-string-length-mismatch');
  // actual count of 2^32-1 units in a 20-byte stub
  const r3 = new NdrReader(stubOf('ffffffff 00000000 ffffffff 41004200'));
  t.equal(r3.string16(), '');
  t.equal(reason(r3.err), 'ndr-array-bounds');
  // offset + actual > max
  const r4 = new NdrReader(stubOf('02000000 01000000 02000000 41004200'));
  r4.string16();
  t.equal(reason(r4.err), 'ndr-varying-bounds');
  // reads after an error return zeros and keep the first error
  t.equal(r4.u32(), 0);
  t.equal(reason(r4.err), 'ndr-varying-bounds');
  t.end();
});

t.test('NDR: big-endian data representation', (t) => {
  // ROpenServiceW in big-endian NDR: handle, [string] "AB", access 0x000f01ff
  const be = stubOf('00000000' + '11'.repeat(16) + '00000003 00000000 00000003 0041 0042 0000 0000 000f01ff');
  const op = lookupInterface(UUIDS_BY_NAME.svcctl)!.ops.get(16);
  const d = decodeRequestStub(op, be, true);
  t.ok(d.ok);
  if (d.ok) t.same(d.args, { service_name: 'AB' });
  t.end();
});

t.test('every truncation of real stubs is a typed error or a value, never a throw', (t) => {
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'helpers', 'dcerpc-impacket.py')]).toString();
  let errors = 0;
  let n = 0;
  for (const line of out.trim().split('\n')) {
    const c = JSON.parse(line) as { kind?: string; iface: string; opnum: number; stub: string };
    const op = lookupInterface(UUIDS_BY_NAME[c.iface])!.ops.get(c.opnum);
    const stub = Buffer.from(c.stub, 'hex');
    for (let cut = 0; cut < stub.length; cut++) {
      for (const ndr64 of [false, true]) {
        const d = c.kind === 'response' ? decodeResponseStub(op, stub.subarray(0, cut), false, ndr64) : decodeRequestStub(op, stub.subarray(0, cut), false, ndr64);
        n++;
        if (!d.ok) {
          errors++;
          if (typeof d.reason !== 'string' || !(d.offset >= 0)) t.fail(`untyped error for ${c.iface}/${c.opnum} cut ${cut}`);
        }
      }
    }
  }
  t.ok(n > 2000, `${n} truncated decodes`);
  t.ok(errors > n / 2, `${errors} typed errors`);
  t.end();
});

t.test('MS-WMIO in-parameters with every byte damaged: no throw, no read outside', (t) => {
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'helpers', 'dcerpc-impacket.py')]).toString();
  const c = out.trim().split('\n').map((l) => JSON.parse(l)).find((x: { op: string }) => x.op === 'ExecMethod');
  const op = lookupInterface(UUIDS_BY_NAME.IWbemServices)!.ops.get(24);
  const stub = Buffer.from(c.stub, 'hex');
  const wmio = stub.indexOf(Buffer.from('78563412', 'hex'));
  t.ok(wmio > 0, 'encoding unit found');
  let commands = 0;
  for (let i = wmio; i < stub.length; i++) {
    for (const v of [0x00, 0xff, stub[i] ^ 0x80]) {
      const b = Buffer.from(stub);
      b[i] = v;
      const d = decodeRequestStub(op, b, false);
      if (!d.ok) continue;
      const cmd = d.args.command;
      if (cmd !== undefined) {
        commands++;
        if (typeof cmd !== 'string' || cmd.length > 4096) t.fail(`byte ${i}: command ${String(cmd).slice(0, 40)}`);
      }
    }
  }
  t.ok(commands > 0, `${commands} damaged encodings still gave a (bounded) command`);
  t.end();
});

t.test('hostile task XML', (t) => {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Task><Actions><Exec><Command>&lol3;</Command></Exec></Actions></Task>';
  const f = taskFacts(laughs);
  t.equal(f, null, 'DTD-declared entities are not expanded: an error');
  t.equal(taskFacts('<Task><Actions><Exec><Command>x</Command></Exec>'), null, 'unclosed');
  t.equal(taskFacts('not xml'), null);
  const long = `<Task><Actions><Exec><Command>${'A'.repeat(100000)}</Command></Exec></Actions></Task>`;
  t.equal(taskFacts(long)!.command!.length, 1024, 'text capped at 1 KiB');
  t.end();
});
