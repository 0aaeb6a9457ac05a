/**
 * Hostile inputs for the SMB2/3 dissectors: real messages from the corpus with lying fields
 * (NextCommand, buffer offsets, odd UTF-16 lengths, truncation) must give typed errors, and
 * fast-check properties show that no input makes a dissector throw or read outside its buffer.
 */
import t from 'tap';
import fc from 'fast-check';
import * as S from '../dissectors/smb2';
import * as C from '../dissectors/smb2-types';
import type { Smb2Header } from '../dissectors/smb2-types';
import { messagesOf, pick } from './helpers/smb2-seeds';
import { requireTshark } from './helpers/tshark-messages';

requireTshark();
const smb2 = messagesOf('zeek/smb2.pcap');
const smb311 = messagesOf('zeek/smb311.pcap');
const smb3 = messagesOf('zeek/smb3.pcap');
const compound = messagesOf('zeek/smb2-multiple-pdus.pcap');
const asyncMsgs = messagesOf('suricata-verify/smb2-async.pcap');
const unicode = messagesOf('suricata-verify/smb2-named-pipe-unicode.pcap');
const badLogons = messagesOf('suricata-verify/smb2-ntlmssp-negotiateflags.pcap');
const readwrite = messagesOf('zeek/smb2readwrite.pcap');
const transfer = messagesOf('suricata-verify/smb2-05.pcap');

const hdrOf = (buf: Buffer, off = 0): Smb2Header => {
  const h = S.newSmb2Header();
  const e = S.parseSmb2Header(buf, off, h);
  if (e) throw new Error('seed header: ' + e.reason);
  return h;
};
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason ?? '?');

const treeReq = pick(smb2, C.SMB2_TREE_CONNECT, false);
const createReq = pick(smb2, C.SMB2_CREATE, false, (m) => m.readUInt16LE(64 + 46) > 0);
const sessReq = pick(smb2, C.SMB2_SESSION_SETUP, false);
const negResp311 = pick(smb311, C.SMB2_NEGOTIATE, true);
const readResp = pick(transfer, C.SMB2_READ, true, (m, st) => st === 0 && m.readUInt32LE(64 + 4) > 64);
const writeReq = pick(readwrite, C.SMB2_WRITE, false, (m) => m.readUInt32LE(64 + 4) > 64);

t.test('header: truncated, bad protocol id, bad StructureSize; out is reset in place', (t) => {
  const h = hdrOf(treeReq);
  t.equal(S.parseSmb2Header(treeReq.subarray(0, 63), 0, h)?.reason, 'truncated_header');
  t.equal(h.command, 0, 'reset on error');
  const bad = Buffer.from(treeReq);
  bad[0] = 0xff;
  t.equal(S.parseSmb2Header(bad, 0, h)?.reason, 'bad_protocol_id');
  const size = Buffer.from(treeReq);
  size.writeUInt16LE(65, 4);
  t.equal(S.parseSmb2Header(size, 0, h)?.reason, 'bad_header_size');
  t.equal(S.parseSmb2Header(treeReq, -1, h)?.reason, 'truncated_header');
  t.equal(S.parseSmb2Header(treeReq, NaN, h)?.reason, 'truncated_header');
  t.end();
});

t.test('NextCommand lies: backwards, into itself, unaligned, past the end', (t) => {
  for (const [name, v] of [
    ['into itself (< 64)', 8],
    ['backwards (-64 as uint32)', 0xffffffc0],
    ['not 8-aligned', 68],
    ['past the end', ((treeReq.length + 64) & ~7) + 8],
  ] as const) {
    const b = Buffer.from(treeReq);
    b.writeUInt32LE(v, 20);
    const h = hdrOf(b);
    t.equal(S.nextSmb2(b, h), -1, name + ': nextSmb2');
    let seen = 0;
    const err = S.forEachSmb2(b, h, () => seen++);
    t.equal(err?.reason, 'bad_next_command', name + ': forEachSmb2');
    t.equal(seen, 1, name + ': the first message is still delivered');
  }
  t.end();
});

t.test('compound: real chain walked; related all-ones ids inherited; chain length capped', (t) => {
  const buf = compound.find((m) => m.readUInt32LE(20) !== 0)!;
  const seen: string[] = [];
  t.equal(S.forEachSmb2(buf, hdrOf(buf), (h) => seen.push(`${h.command}/${h.isRelated}/${h.sessionIdLo.toString(16)}/${h.treeId.toString(16)}`)), null);
  t.same(seen, ['5/false/bc8d8cfb/17e3b6b9', '17/true/bc8d8cfb/17e3b6b9', '6/true/bc8d8cfb/17e3b6b9']);
  // the same chain as clients may send it: related messages carry all-ones ids
  const ones = Buffer.from(buf);
  let off = ones.readUInt32LE(20);
  while (off) {
    ones.writeUInt32LE(0xffffffff, off + 36);
    ones.writeUInt32LE(0xffffffff, off + 40);
    ones.writeUInt32LE(0xffffffff, off + 44);
    const n = ones.readUInt32LE(off + 20);
    off = n ? off + n : 0;
  }
  const inherited: string[] = [];
  S.forEachSmb2(ones, hdrOf(ones), (h) => inherited.push(`${h.sessionIdHi}/${h.sessionIdLo.toString(16)}/${h.treeId.toString(16)}`));
  t.same(inherited, ['0/bc8d8cfb/17e3b6b9', '0/bc8d8cfb/17e3b6b9', '0/bc8d8cfb/17e3b6b9']);
  // unrelated all-ones ids are kept as they are
  const unrel = Buffer.from(ones);
  unrel.writeUInt32LE(unrel.readUInt32LE(unrel.readUInt32LE(20) + 16) & ~4, unrel.readUInt32LE(20) + 16);
  const kept: number[] = [];
  S.forEachSmb2(unrel, hdrOf(unrel), (h) => kept.push(h.treeId));
  t.equal(kept[1], 0xffffffff);
  // 70 minimal headers chained: stops at MAX_COMPOUND
  const long = Buffer.alloc(64 * 70);
  for (let i = 0; i < 70; i++) {
    treeReq.copy(long, i * 64, 0, 64);
    long.writeUInt32LE(i < 69 ? 64 : 0, i * 64 + 20);
  }
  let n = 0;
  t.equal(S.forEachSmb2(long, hdrOf(long), () => n++)?.reason, 'compound_too_long');
  t.equal(n, S.MAX_COMPOUND);
  t.end();
});

t.test('TREE_CONNECT: real path; offsets outside, odd length, truncated; 3.1.1 extension', (t) => {
  const h = hdrOf(treeReq);
  const r = S.parseTreeConnectRequest(treeReq, h, treeReq.length);
  t.ok(r.ok && r.path === '\\\\10.0.0.12\\smb2', 'path as tshark shows it');
  const lie = (off: number, v: number) => {
    const b = Buffer.from(treeReq);
    b.writeUInt16LE(v, off);
    return reason(S.parseTreeConnectRequest(b, hdrOf(b), b.length));
  };
  t.equal(lie(64 + 4, 0xfff0), 'path_out_of_bounds', 'PathOffset past the message');
  t.equal(lie(64 + 4, 8), 'path_out_of_bounds', 'PathOffset into the header');
  t.equal(lie(64 + 6, 0xfffe), 'path_out_of_bounds', 'PathLength past the message');
  t.equal(lie(64 + 6, 7), 'odd_utf16_length', 'odd UTF-16 length');
  t.equal(reason(S.parseTreeConnectRequest(treeReq, h, 64 + 6)), 'truncated_body');
  t.equal(reason(S.parseTreeConnectRequest(treeReq, h, 80)), 'path_out_of_bounds', 'end before the path');
  // build the 3.1.1 form: Buffer = extension (16 bytes) + PathName, PathOffset header-relative = 88
  const pathLen = treeReq.readUInt16LE(64 + 6);
  const path = treeReq.subarray(treeReq.readUInt16LE(64 + 4), treeReq.readUInt16LE(64 + 4) + pathLen);
  const ext = Buffer.concat([treeReq.subarray(0, 72), Buffer.alloc(16), path]);
  ext.writeUInt16LE(0x0004, 64 + 2);
  ext.writeUInt16LE(88, 64 + 4);
  ext.writeUInt32LE(16 + pathLen, 72); // TreeConnectContextOffset (no contexts follow: count 0)
  const re = S.parseTreeConnectRequest(ext, hdrOf(ext), ext.length);
  t.ok(re.ok && re.path === '\\\\10.0.0.12\\smb2' && re.flags === 4, 'extension: header-relative PathOffset');
  ext.writeUInt16LE(16, 64 + 4);
  const rel = S.parseTreeConnectRequest(ext, hdrOf(ext), ext.length);
  t.ok(rel.ok && rel.path === '\\\\10.0.0.12\\smb2', 'extension: extension-relative PathOffset also read');
  t.equal(reason(S.parseTreeConnectRequest(ext, hdrOf(ext), 80)), 'truncated_tree_connect_extension');
  t.end();
});

t.test('error responses: ERROR body → error_response; STATUS_PENDING interim is async', (t) => {
  const failed = pick(unicode, C.SMB2_TREE_CONNECT, true, (_m, st) => st === 0xc00000cc);
  t.equal(reason(S.parseTreeConnectResponse(failed, hdrOf(failed), failed.length)), 'error_response', 'BAD_NETWORK_NAME');
  const logon = pick(badLogons, C.SMB2_SESSION_SETUP, true, (_m, st) => st === 0xc000006d);
  t.equal(reason(S.parseSessionSetupResponse(logon, hdrOf(logon), logon.length)), 'error_response', 'LOGON_FAILURE');
  const more = pick(smb2, C.SMB2_SESSION_SETUP, true, (_m, st) => st === 0xc0000016);
  t.ok(S.parseSessionSetupResponse(more, hdrOf(more), more.length).ok, 'MORE_PROCESSING_REQUIRED carries a real body');
  const pending = pick(asyncMsgs, C.SMB2_CREATE, true, (_m, st) => st === 0x103);
  const ph = hdrOf(pending);
  t.ok(ph.isAsync && ph.asyncIdLo + ph.asyncIdHi > 0 && ph.treeId === 0, 'async form: AsyncId, no TreeId');
  t.equal(reason(S.parseCreateResponse(pending, ph, pending.length)), 'error_response');
  const final = asyncMsgs.filter((m) => hdrOf(m).command === C.SMB2_CREATE && hdrOf(m).isResponse)[1];
  const fr = S.parseCreateResponse(final, hdrOf(final), final.length);
  t.ok(fr.ok && fr.fileId.length === 16, 'final async CREATE response parses');
  t.end();
});

t.test('SESSION_SETUP / CREATE: security buffer and name offsets outside the message', (t) => {
  const sr = S.parseSessionSetupRequest(sessReq, hdrOf(sessReq), sessReq.length);
  t.ok(sr.ok && sr.securityBuffer.length > 0 && sr.securityBuffer[0] === 0x60, 'real SPNEGO blob');
  const lie = (m: Buffer, off: number, v: number, f: (b: Buffer) => { ok: boolean }) => {
    const b = Buffer.from(m);
    b.writeUInt16LE(v, off);
    return reason(f(b));
  };
  const ss = (b: Buffer) => S.parseSessionSetupRequest(b, hdrOf(b), b.length);
  t.equal(lie(sessReq, 64 + 12, 0xff00, ss), 'security_buffer_out_of_bounds');
  t.equal(lie(sessReq, 64 + 14, 0xffff, ss), 'security_buffer_out_of_bounds');
  t.equal(lie(sessReq, 64 + 12, 4, ss), 'security_buffer_out_of_bounds', 'into the header');
  const cr = (b: Buffer) => S.parseCreateRequest(b, hdrOf(b), b.length);
  const ok = cr(createReq);
  t.ok(ok.ok && ok.name.length > 0);
  t.equal(lie(createReq, 64 + 44, 0xfff8, cr), 'name_out_of_bounds');
  t.equal(lie(createReq, 64 + 46, 0xfff8, cr), 'name_out_of_bounds');
  t.equal(lie(createReq, 64 + 46, 3, cr), 'odd_utf16_length');
  t.equal(reason(S.parseCreateRequest(createReq, hdrOf(createReq), 100)), 'truncated_body');
  t.end();
});

t.test('CREATE request flags: openedForWrite and deleteIntent from documented bits', (t) => {
  const b = Buffer.from(createReq);
  const h = hdrOf(b);
  const run = (access: number, options: number) => {
    b.writeUInt32LE(access, 64 + 24);
    b.writeUInt32LE(options, 64 + 40);
    const r = S.parseCreateRequest(b, h, b.length);
    return r.ok ? [r.openedForWrite, r.deleteIntent] : null;
  };
  t.same(run(0x00120089, 0), [false, false], 'FILE_GENERIC_READ');
  t.same(run(0x00000002, 0), [true, false], 'FILE_WRITE_DATA');
  t.same(run(0x00000004, 0), [true, false], 'FILE_APPEND_DATA');
  t.same(run(0x40000000, 0), [true, false], 'GENERIC_WRITE');
  t.same(run(0x10000000, 0), [true, false], 'GENERIC_ALL');
  t.same(run(0x02000000, 0), [false, false], 'MAXIMUM_ALLOWED excluded');
  t.same(run(0x000c0100, 0), [false, false], 'WRITE_DAC|WRITE_OWNER|FILE_WRITE_ATTRIBUTES are metadata only');
  t.same(run(0x00010000, 0), [false, true], 'DELETE');
  t.same(run(0x00000080, 0x1000), [false, true], 'FILE_DELETE_ON_CLOSE');
  t.end();
});

t.test('READ response / WRITE request cut after the data head: head is what is present', (t) => {
  const rh = hdrOf(readResp);
  const full = S.parseReadResponse(readResp, rh, readResp.length);
  t.ok(full.ok && full.head.length === 64 && full.dataLength === readResp.readUInt32LE(68));
  const dataOff = readResp[66];
  const cut = readResp.subarray(0, dataOff + 10);
  const r = S.parseReadResponse(cut, hdrOf(cut), cut.length);
  t.ok(r.ok && r.head.length === 10 && r.dataLength === readResp.readUInt32LE(68), 'dataLength from the header field');
  t.ok(r.ok && r.head.equals(readResp.subarray(dataOff, dataOff + 10)));
  const none = readResp.subarray(0, 80);
  const r0 = S.parseReadResponse(none, hdrOf(none), none.length);
  t.ok(r0.ok && r0.head.length === 0, 'cut before the data: empty head');
  const lying = Buffer.from(readResp);
  lying[66] = 8;
  t.equal(reason(S.parseReadResponse(lying, hdrOf(lying), lying.length)), 'bad_data_offset');
  const wOff = writeReq.readUInt16LE(66);
  const wcut = writeReq.subarray(0, wOff + 64);
  const w = S.parseWriteRequest(wcut, hdrOf(wcut), wcut.length);
  t.ok(w.ok && w.head.length === 64 && w.dataLength === writeReq.readUInt32LE(68));
  t.equal(reason(S.parseWriteRequest(writeReq, hdrOf(writeReq), 100)), 'truncated_body');
  t.end();
});

t.test('NEGOTIATE 3.1.1 contexts: real lists, lying counts and lengths', (t) => {
  const h = hdrOf(negResp311);
  const r = S.parseNegotiateResponse(negResp311, h, negResp311.length);
  t.ok(r.ok && r.dialect === 0x0311 && r.contexts !== null);
  if (r.ok && r.contexts) {
    t.ok(r.contexts.preauthHashes.includes(1), 'SHA-512 preauth');
    t.ok(r.contexts.ciphers.length >= 1);
  }
  t.equal(S.dialectName(0x0311), '3.1.1');
  t.equal(S.dialectName(0x02ff), null);
  const lie = (off: number, v: number, size: 2 | 4 = 2) => {
    const b = Buffer.from(negResp311);
    if (size === 2) b.writeUInt16LE(v, off);
    else b.writeUInt32LE(v, off);
    return reason(S.parseNegotiateResponse(b, hdrOf(b), b.length));
  };
  t.equal(lie(64 + 6, 0xffff), 'too_many_negotiate_contexts');
  t.equal(lie(64 + 6, 20), 'negotiate_context_out_of_bounds', 'more contexts than present');
  t.equal(lie(64 + 60, 0xfffffff0, 4), 'negotiate_context_out_of_bounds');
  t.equal(lie(64 + 60, 0, 4), 'negotiate_context_out_of_bounds', 'into the header');
  const first = negResp311.readUInt32LE(64 + 60);
  t.equal(lie(first + 2, 0xfff0), 'negotiate_context_out_of_bounds', 'DataLength lies');
  t.equal(lie(first + 8, 0x7fff), 'bad_negotiate_context', 'HashAlgorithmCount lies');
  t.equal(lie(64 + 58, 0xffff), 'security_buffer_out_of_bounds');
  t.end();
});

t.test('TRANSFORM and COMPRESSION headers', (t) => {
  const tr = smb3.find((m) => m[0] === 0xfd)!;
  const r = S.parseTransformHeader(tr, 0);
  t.ok(r.ok && r.originalMessageSize > 0 && r.nonce.length === 16 && r.signature.length === 16);
  t.equal(reason(S.parseTransformHeader(tr.subarray(0, 51), 0)), 'truncated_transform_header');
  t.equal(reason(S.parseTransformHeader(treeReq, 0)), 'bad_protocol_id');
  // No 0xFC message in the corpus (SMBGhost.pcap only negotiates compression): an unchained
  // header per MS-SMB2 2.2.42, LZ77 (2), Offset 0, followed by a real message as payload.
  const fc = Buffer.concat([Buffer.from('fc534d42', 'hex'), Buffer.alloc(12), treeReq]);
  fc.writeUInt32LE(treeReq.length, 4);
  fc.writeUInt16LE(2, 8);
  const c = S.parseCompressionHeader(fc, 0);
  t.ok(c.ok && c.originalCompressedSegmentSize === treeReq.length && c.compressionAlgorithm === 2 && c.offsetOrLength === 0);
  t.equal(reason(S.parseCompressionHeader(fc.subarray(0, 15), 0)), 'truncated_compression_header');
  t.end();
});

// ---- properties -------------------------------------------------------------------------

const BODY_PARSERS = [
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
] as const;

/** Every value a dissector returned is sane: Buffers are views inside `input`, numbers are numbers. */
function checkValue(input: Buffer, v: unknown, where: string): void {
  if (Buffer.isBuffer(v)) {
    if (v.buffer !== input.buffer || v.byteOffset < input.byteOffset || v.byteOffset + v.length > input.byteOffset + input.length) {
      throw new Error(where + ': Buffer outside the input');
    }
  } else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(where + ': non-finite number (read past the end?)');
  } else if (v === undefined) {
    throw new Error(where + ': undefined (read past the end?)');
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkValue(input, x, where + '[' + i + ']'));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) checkValue(input, x, where + '.' + k);
  }
}

/** Run everything on `input`; throws when a property is violated. */
function dissectAll(input: Buffer): void {
  const h = S.newSmb2Header();
  checkValue(input, S.parseTransformHeader(input, 0), 'transform');
  checkValue(input, S.parseCompressionHeader(input, 0), 'compression');
  if (S.parseSmb2Header(input, 0, h)) return;
  checkValue(input, h, 'header');
  let n = 0;
  S.forEachSmb2(input, h, (m) => {
    n++;
    checkValue(input, m, 'header');
    const end = S.smb2MessageEnd(input, m);
    for (const p of BODY_PARSERS) checkValue(input, p(input, m, end), p.name);
    // callers may also pass a larger end than the buffer: the parser must clamp it
    for (const p of BODY_PARSERS) checkValue(input, p(input, m, end + 1000), p.name);
  });
  if (n > S.MAX_COMPOUND) throw new Error('chain longer than MAX_COMPOUND');
}

/** Place the bytes in the middle of a larger allocation so a view escaping them is noticed. */
function embed(bytes: Uint8Array): Buffer {
  const ab = Buffer.alloc(bytes.length + 64, 0xee);
  ab.set(bytes, 32);
  return ab.subarray(32, 32 + bytes.length);
}

const seeds = [treeReq, createReq, sessReq, negResp311, readResp, writeReq, ...compound, ...smb2.slice(0, 40), ...smb3.slice(0, 10)];

t.test('property: arbitrary bytes never throw nor escape the buffer', (t) => {
  const smbHeaderish = fc
    .tuple(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.constantFrom(0xfe, 0xfd, 0xfc))
    .map(([b, magic]) => {
      const out = new Uint8Array(Math.max(b.length, 4));
      out.set(b);
      out.set([magic, 0x53, 0x4d, 0x42]);
      if (out.length >= 6) {
        out[4] = 64;
        out[5] = 0;
      }
      return out;
    });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), smbHeaderish), (bytes) => {
      dissectAll(embed(bytes));
    }),
    { numRuns: 3000 },
  );
  t.pass('no throw, no escaping view, no undefined/NaN field');
  t.end();
});

t.test('property: mutated real messages (bit flips, truncation, field lies) stay safe', (t) => {
  const mutation = fc.record({
    seed: fc.nat(seeds.length - 1),
    flips: fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: 8 }),
    lies: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 8, 63, 64, 0x7fff, 0xffff, 0xfffffff8, 0xffffffff, 0x80000000)), {
      maxLength: 4,
    }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  });
  fc.assert(
    fc.property(mutation, ({ seed, flips, lies, cut }) => {
      const b = Buffer.from(seeds[seed]);
      for (const [pos, bit] of flips) b[pos % b.length] ^= 1 << bit;
      for (const [pos, v] of lies) {
        const p = pos % Math.max(1, b.length - 4);
        if (v > 0xffff) b.writeUInt32LE(v >>> 0, p);
        else b.writeUInt16LE(v, p);
      }
      const len = cut === undefined ? b.length : cut % (b.length + 1);
      dissectAll(embed(b.subarray(0, len)));
    }),
    { numRuns: 5000 },
  );
  t.pass('no throw, no escaping view, no undefined/NaN field');
  t.end();
});
