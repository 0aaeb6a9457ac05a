#!/usr/bin/env node
/**
 * Micro-bench of the SMB1 and authentication dissectors over real messages from the corpus.
 * Build first (`npx tsc -p .`), then: node --expose-gc bench/dissect-smb1-auth.js
 * Prints parse rates (ops/s) and heap bytes allocated per operation for the SMB1 header, the
 * AndX walk, the lifecycle command parsers, and parseSecurityBlob per blob kind (raw NTLMSSP,
 * SPNEGO/NTLMSSP NEGOTIATE/CHALLENGE/AUTHENTICATE, SPNEGO/Kerberos AP-REQ, NegTokenInit2 hints).
 * Messages are cut out of the captures by tshark (TCP reassembly + exported NBSS PDUs).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { messages, measure } = require('./lib/micro');

const dist = path.resolve(__dirname, '..', 'dist', 'dissectors');
const S1 = require(path.join(dist, 'smb1.js'));
const S2 = require(path.join(dist, 'smb2.js'));
const { parseSecurityBlob } = require(path.join(dist, 'auth.js'));
const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');
const FILES = [
  'suricata-verify/smb-filename.pcap',
  'suricata-verify/filestore-filecontainer-smb1-data-offset.pcap',
  'suricata-verify/smb-eicar-andx.pcap',
  'zeek/raw_ntlm_in_smb.pcap',
  'zeek/smb1-logoff-andx-advance.pcap',
  'zeek/smb2.pcap',
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/smb2-ntlmssp-negotiateflags.pcap',
];
function main() {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'pipe' });
  } catch {
    console.error('tshark is required to cut messages out of the corpus');
    process.exit(1);
  }
  const all = [];
  for (const f of FILES) all.push(...messages(path.join(CAPTURES, f)));
  const hdr = S1.newSmb1Header();
  const cmd = S1.newSmb1Command();
  const smb1 = all.filter((m) => m[0] === 0xff && !S1.parseSmb1Header(m, 0, hdr));

  // security blobs of SMB1 SESSION_SETUP_ANDX and SMB2 NEGOTIATE/SESSION_SETUP, by kind
  const blobs = [];
  for (const m of smb1) {
    S1.parseSmb1Header(m, 0, hdr);
    const cmds = [];
    S1.walkAndX(m, hdr, (c) => cmds.push({ ...c }));
    for (const c of cmds) {
      if (c.command !== 0x73 || c.wordCount === 0) continue;
      const r = hdr.isResponse ? S1.parseSmb1SessionSetupResponse(m, hdr, c) : S1.parseSmb1SessionSetupRequest(m, hdr, c);
      if (r.ok && r.securityBlob && r.securityBlob.length) blobs.push(r.securityBlob);
    }
  }
  const h2 = S2.newSmb2Header();
  for (const m of all) {
    if (m[0] !== 0xfe || S2.parseSmb2Header(m, 0, h2)) continue;
    S2.forEachSmb2(m, h2, (x) => {
      const end = S2.smb2MessageEnd(m, x);
      const r = x.command === 0 && x.isResponse ? S2.parseNegotiateResponse(m, x, end)
        : x.command === 1 ? (x.isResponse ? S2.parseSessionSetupResponse(m, x, end) : S2.parseSessionSetupRequest(m, x, end)) : null;
      if (r && r.ok && r.securityBuffer.length) blobs.push(r.securityBuffer);
    });
  }
  const kindOf = (b) => {
    const r = parseSecurityBlob(b);
    if (!r.ok) return 'error';
    const w = r.spnego ? 'SPNEGO ' : 'raw ';
    if (r.ntlmssp) return w + ['', 'NTLMSSP NEGOTIATE', 'NTLMSSP CHALLENGE', 'NTLMSSP AUTHENTICATE'][r.ntlmssp.type];
    if (r.kerberos) return w + 'Kerberos ' + ({ 14: 'AP-REQ', 15: 'AP-REP' }[r.kerberos.msgType] || 'msg ' + r.kerberos.msgType);
    return w + (r.mechTypes.length ? 'NegTokenInit hint' : 'NegTokenResp only');
  };
  const byKind = new Map();
  for (const b of blobs) {
    const k = kindOf(b);
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k).push(b);
  }
  console.log(`messages: ${all.length} (${smb1.length} SMB1) and ${blobs.length} security blobs from ${FILES.length} captures`);
  if (!global.gc) console.log('(run with node --expose-gc for steadier allocation figures)');

  const rows = [];
  const row = (name, items, fn) => {
    if (items.length === 0) return;
    const { rate, perOp } = measure(items, fn);
    rows.push({ name, items: items.length, 'ops/s': Math.round(rate).toLocaleString('en'), 'heap B/op': Number.isNaN(perOp) ? '?' : perOp.toFixed(1) });
  };
  let sink = 0;
  row('parseSmb1Header', smb1, (m) => {
    S1.parseSmb1Header(m, 0, hdr);
    sink += hdr.command;
  });
  const cb = (c) => (sink += c.command);
  row('header + walkAndX', smb1, (m) => {
    S1.parseSmb1Header(m, 0, hdr);
    S1.walkAndX(m, hdr, cb, cmd);
  });
  const bodies = [
    ['NEGOTIATE req', 0x72, false, S1.parseSmb1NegotiateRequest],
    ['NEGOTIATE resp', 0x72, true, S1.parseSmb1NegotiateResponse],
    ['SESSION_SETUP_ANDX req', 0x73, false, S1.parseSmb1SessionSetupRequest],
    ['SESSION_SETUP_ANDX resp', 0x73, true, S1.parseSmb1SessionSetupResponse],
    ['TREE_CONNECT_ANDX req', 0x75, false, S1.parseSmb1TreeConnectRequest],
    ['TREE_CONNECT_ANDX resp', 0x75, true, S1.parseSmb1TreeConnectResponse],
    ['NT_CREATE_ANDX req', 0xa2, false, S1.parseSmb1NtCreateRequest],
    ['NT_CREATE_ANDX resp', 0xa2, true, S1.parseSmb1NtCreateResponse],
    ['WRITE_ANDX req', 0x2f, false, S1.parseSmb1WriteRequest],
    ['READ_ANDX resp', 0x2e, true, S1.parseSmb1ReadResponse],
    ['CLOSE req', 0x04, false, S1.parseSmb1Close],
  ];
  for (const [name, c, resp, parse] of bodies) {
    const items = smb1.filter((m) => {
      S1.parseSmb1Header(m, 0, hdr);
      return hdr.command === c && hdr.isResponse === resp && m.length > 32 && (!resp || m[32] > 0);
    });
    row(`header + walk + ${name}`, items, (m) => {
      S1.parseSmb1Header(m, 0, hdr);
      S1.walkAndX(m, hdr, (x) => {
        if (x.command === c && parse(m, hdr, x).ok) sink++;
      }, cmd);
    });
  }
  for (const [k, items] of [...byKind.entries()].sort()) {
    row(`parseSecurityBlob: ${k}`, items, (b) => {
      if (parseSecurityBlob(b).ok) sink++;
    });
  }
  row('parseSmb1Header (again)', smb1, (m) => {
    S1.parseSmb1Header(m, 0, hdr);
    sink += hdr.command;
  });
  console.table(rows);
  if (sink === -1) console.log(sink);
}

main();
