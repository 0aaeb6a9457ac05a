/**
 * SMB1 dissectors on hostile and real bytes: AndX loops and bad links (zeek's no-advance capture
 * and mutations of real chains), offsets outside the message, odd unicode lengths, truncation;
 * fast-check properties: no throw and no out-of-bounds indexed read on arbitrary bytes and on
 * mutated real messages.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  MAX_ANDX_CHAIN,
  newSmb1Header,
  parseSmb1Close,
  parseSmb1Header,
  parseSmb1NegotiateRequest,
  parseSmb1NegotiateResponse,
  parseSmb1NtCreateRequest,
  parseSmb1NtCreateResponse,
  parseSmb1ReadResponse,
  parseSmb1SessionSetupRequest,
  parseSmb1SessionSetupResponse,
  parseSmb1TreeConnectRequest,
  parseSmb1TreeConnectResponse,
  parseSmb1WriteRequest,
  smb1SessionIdString,
  walkAndX,
} from '../dissectors/smb1';
import type { Smb1Command, Smb1Header } from '../dissectors/smb1-types';
import { guarded, loadSamples } from './helpers/smb1-samples';

const PARSERS = [
  parseSmb1NegotiateRequest,
  parseSmb1NegotiateResponse,
  parseSmb1SessionSetupRequest,
  parseSmb1SessionSetupResponse,
  parseSmb1TreeConnectRequest,
  parseSmb1TreeConnectResponse,
  parseSmb1NtCreateRequest,
  parseSmb1NtCreateResponse,
  parseSmb1WriteRequest,
  parseSmb1ReadResponse,
  parseSmb1Close,
];

function chain(buf: Buffer, h: Smb1Header): { cmds: Smb1Command[]; err: string | null } {
  const cmds: Smb1Command[] = [];
  const e = walkAndX(buf, h, (c) => cmds.push({ ...c }));
  return { cmds, err: e ? e.reason : null };
}

/** Header, chain, and every command parser on every block (whatever its command): must not throw. */
function dissectAll(buf: Buffer): number {
  const h = newSmb1Header();
  if (parseSmb1Header(buf, 0, h)) return 0;
  let n = 0;
  walkAndX(buf, h, (c) => {
    for (const p of PARSERS) {
      const r = p(buf, h, c);
      if (!r.ok && typeof r.reason !== 'string') throw new Error('untyped error');
      n++;
    }
  });
  return n;
}

const samples = loadSamples([
  'suricata-verify/smb-eicar-andx.pcap',
  'zeek/raw_ntlm_in_smb.pcap',
  'zeek/cifs_negotiate_lanman.pcap',
  'zeek/smb1-logoff-andx-advance.pcap',
  'zeek/smb1-logoff-andx-no-advance.pcap',
  'suricata-verify/filestore-filecontainer-smb1-padding.pcap',
  'suricata-verify/smb1-02.pcap',
]);

t.test('samples', (t) => {
  t.ok(samples.smb1.length > 100, `${samples.smb1.length} real SMB1 messages`);
  t.end();
});

t.test('AndX chains of the zeek captures', (t) => {
  const h = newSmb1Header();
  const noAdvance = samples.smb1.find((b) => b[4] === 0x74 && b.length > 36 && b.readUInt16LE(35) === 0)!;
  t.ok(noAdvance, 'no-advance LOGOFF_ANDX found');
  t.equal(parseSmb1Header(noAdvance, 0, h), null);
  let r = chain(noAdvance, h);
  t.equal(r.err, 'smb1_andx_no_advance', 'AndXOffset 0 is refused');
  t.equal(r.cmds.length, 1, 'the first block is still reported');

  const advance = samples.smb1.find((b) => b[4] === 0x74 && b.length > 36 && b.readUInt16LE(35) === 39)!;
  t.ok(advance, 'advancing LOGOFF_ANDX chain found');
  parseSmb1Header(advance, 0, h);
  r = chain(advance, h);
  t.equal(r.err, null);
  t.equal(r.cmds.length, 12, 'twelve blocks, as tshark shows');
  t.same([...new Set(r.cmds.map((c) => c.command))], [0x74]);

  // mutations of the real chain: backwards, into itself, out of the message, a long chain
  const back = Buffer.from(advance);
  back.writeUInt16LE(20, 35 + 7 * 3); // the 4th block points back into the header
  parseSmb1Header(back, 0, h);
  r = chain(back, h);
  t.equal(r.err, 'smb1_andx_no_advance');
  t.equal(r.cmds.length, 4);
  const self = Buffer.from(advance);
  self.writeUInt16LE(32, 35); // the first block points at itself
  t.equal(chain(self, h).err, 'smb1_andx_no_advance');
  const out = Buffer.from(advance);
  out.writeUInt16LE(advance.length, 35);
  t.equal(chain(out, h).err, 'smb1_andx_out_of_bounds');
  const far = Buffer.from(advance);
  far.writeUInt16LE(0xfff0, 35);
  t.equal(chain(far, h).err, 'smb1_andx_out_of_bounds');
  // a 40-block chain built from the same 7-byte block
  const blocks = 40;
  const long = Buffer.alloc(32 + 7 * blocks);
  advance.copy(long, 0, 0, 32);
  for (let i = 0; i < blocks; i++) {
    const p = 32 + 7 * i;
    long[p] = 2;
    long[p + 1] = 0x74;
    long.writeUInt16LE(p + 7, p + 3);
  }
  r = chain(long, h);
  t.equal(r.err, 'smb1_andx_chain_too_long');
  t.equal(r.cmds.length, MAX_ANDX_CHAIN);
  // a block whose words run past the message
  const cut = advance.subarray(0, 32 + 7 + 3);
  r = chain(cut, h);
  t.equal(r.err, 'smb1_words_truncated');
  t.equal(r.cmds.length, 1);
  t.end();
});

t.test('header', (t) => {
  const h = newSmb1Header();
  t.equal(parseSmb1Header(Buffer.alloc(10), 0, h)?.reason, 'smb1_header_truncated');
  const m = Buffer.from(samples.smb1[0]);
  m[0] = 0xfe;
  t.equal(parseSmb1Header(m, 0, h)?.reason, 'smb1_bad_magic');
  t.equal(h.uid, 0, 'fields reset on error');
  // DOS status (LANMAN capture) vs NT status
  const dos = samples.smb1.find((b) => (b.readUInt16LE(10) & 0x4000) === 0 && b[5] !== 0);
  if (dos) {
    parseSmb1Header(dos, 0, h);
    t.equal(h.ntStatus, false);
    t.equal(h.status, (h.dosClass | (h.dosCode << 16)) >>> 0, 'raw status is class | code << 16');
  }
  t.equal(smb1SessionIdString(2048), '0x0800');
  t.equal(smb1SessionIdString(0x1ffff), '0xffff');
  t.end();
});

t.test('error responses with WordCount 0', (t) => {
  const h = newSmb1Header();
  const base = samples.smb1.find((b) => b[4] === 0x75 && (b[9] & 0x80) !== 0)!;
  const e = Buffer.from(base.subarray(0, 35));
  e[32] = 0; // WordCount 0, ByteCount 0
  e.writeUInt16LE(0, 33);
  e.writeUInt32LE(0xc00000cc, 5); // STATUS_BAD_NETWORK_NAME
  parseSmb1Header(e, 0, h);
  const r = chain(e, h);
  t.equal(r.err, null);
  t.equal(r.cmds.length, 1);
  t.equal(r.cmds[0].wordCount, 0);
  t.equal(parseSmb1TreeConnectResponse(e, h, r.cmds[0]).ok, false, 'no service in an error response: typed error');
  // the ByteCount itself missing
  const r2 = chain(e.subarray(0, 33), h);
  t.equal(r2.err, null);
  t.equal(r2.cmds[0].byteCount, 0);
  t.end();
});

t.test('tree connect, NT create, write: offsets and lengths that lie', (t) => {
  const h = newSmb1Header();
  const tc = samples.smb1.find((b) => b[4] === 0x75 && (b[9] & 0x80) === 0)!;
  parseSmb1Header(tc, 0, h);
  const [c] = chain(tc, h).cmds;
  const ok = parseSmb1TreeConnectRequest(tc, h, c);
  t.ok(ok.ok && ok.path.startsWith('\\\\'), 'real tree connect parses');
  const bad = Buffer.from(tc);
  bad.writeUInt16LE(0xffff, c.paramsOffset + 6); // PasswordLength past the block
  t.equal((parseSmb1TreeConnectRequest(bad, h, c) as { reason: string }).reason, 'smb1_tree_password_length');

  const cr = samples.smb1.find((b) => b[4] === 0xa2 && (b[9] & 0x80) === 0 && (b.readUInt16LE(10) & 0x8000) !== 0)!;
  t.ok(cr, 'unicode NT_CREATE_ANDX request found');
  parseSmb1Header(cr, 0, h);
  const [cc] = chain(cr, h).cmds;
  const name = parseSmb1NtCreateRequest(cr, h, cc);
  t.ok(name.ok && name.name.length > 0, 'real name: ' + (name.ok ? name.name : ''));
  const odd = Buffer.from(cr);
  if (name.ok) odd.writeUInt16LE(name.name.length * 2 - 1, cc.paramsOffset + 5); // odd unicode length
  const o = parseSmb1NtCreateRequest(odd, h, cc);
  t.ok(o.ok && name.ok && o.name === name.name.slice(0, -1), 'odd unicode length drops the last byte');
  const huge = Buffer.from(cr);
  huge.writeUInt16LE(0xffff, cc.paramsOffset + 5);
  const hu = parseSmb1NtCreateRequest(huge, h, cc);
  t.ok(hu.ok && name.ok && hu.name === name.name, 'NameLength past the block is clamped to it');

  const w = samples.smb1.find((b) => b[4] === 0x2f && (b[9] & 0x80) === 0) ??
    samples.smb1.find((b) => (b[9] & 0x80) === 0 && chainHas(b, 0x2f));
  t.ok(w, 'WRITE_ANDX request found');
  parseSmb1Header(w!, 0, h);
  const wc = chain(w!, h).cmds.find((x) => x.command === 0x2f)!;
  const wr = parseSmb1WriteRequest(w!, h, wc);
  t.ok(wr.ok && wr.head.length === Math.min(64, wr.dataLength), 'head is the first bytes of data');
  const trunc = w!.subarray(0, h.offset + (wr.ok ? wr.dataOffset : 0) + 3);
  const tr = parseSmb1WriteRequest(trunc, h, wc);
  t.ok(tr.ok && tr.head.length === 3 && wr.ok && tr.dataLength === wr.dataLength, 'truncated on purpose: head is what is there');
  const into = Buffer.from(w!);
  into.writeUInt16LE(10, wc.paramsOffset + 22);
  t.equal((parseSmb1WriteRequest(into, h, wc) as { reason: string }).reason, 'smb1_write_data_offset');
  t.end();
});

function chainHas(b: Buffer, cmd: number): boolean {
  const h = newSmb1Header();
  if (parseSmb1Header(b, 0, h)) return false;
  return chain(b, h).cmds.some((c) => c.command === cmd);
}

t.test('property: arbitrary bytes after an SMB1 magic never throw nor read out of bounds', (t) => {
  const oob = { count: 0 };
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (bytes, magic) => {
      const b = Buffer.from(bytes);
      if (magic && b.length >= 4) b.write('\xffSMB', 0, 'latin1');
      dissectAll(guarded(b, oob));
    }),
    { numRuns: 3000 },
  );
  t.equal(oob.count, 0, 'no indexed read outside the buffer');
  t.end();
});

t.test('property: mutated and truncated real messages never throw nor read out of bounds', (t) => {
  const oob = { count: 0 };
  let blocks = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: samples.smb1.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat()),
      (i, muts, cut) => {
        const src = samples.smb1[i];
        let b = Buffer.from(src);
        for (const [pos, v] of muts) b[32 + (pos % Math.max(1, b.length - 32))] = v;
        if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
        blocks += dissectAll(guarded(b, oob));
      },
    ),
    { numRuns: 3000 },
  );
  t.equal(oob.count, 0, 'no indexed read outside the buffer');
  t.ok(blocks > 1000, `${blocks} command blocks parsed by every parser`);
  t.end();
});
