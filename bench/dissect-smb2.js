#!/usr/bin/env node
/**
 * Micro-bench of the SMB2/3 dissectors over real messages from the corpus.
 * Build first (`npx tsc -p .`), then: node --expose-gc bench/dissect-smb2.js
 * Prints headers/s, parse rate per lifecycle command, and heap bytes allocated per message.
 * Messages are cut out of the captures by tshark (TCP reassembly + exported NBSS PDUs).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { messages, measure } = require('./lib/micro');

const dist = path.resolve(__dirname, '..', 'dist', 'dissectors');
const S = require(path.join(dist, 'smb2.js'));
const { ntStatusName } = require(path.join(dist, 'ntstatus.js'));
const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');
const FILES = [
  'zeek/smb2.pcap',
  'zeek/smb2_100_small_files.pcap',
  'zeek/smb3_multichannel.pcap',
  'suricata-verify/smb2-05.pcap',
  'suricata-verify/smb2-07.pcap',
  'zeek/smb311.pcap',
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
  const hdr = S.newSmb2Header();
  const fe = all.filter((m) => m[0] === 0xfe && !S.parseSmb2Header(m, 0, hdr));
  const fd = all.filter((m) => m[0] === 0xfd);
  console.log(`messages: ${all.length} (${fe.length} SMB2 headers, ${fd.length} transform) from ${FILES.length} captures`);
  if (!global.gc) console.log('(run with node --expose-gc for steadier allocation figures)');

  const rows = [];
  const row = (name, items, fn) => {
    if (items.length === 0) return;
    const { rate, perOp } = measure(items, fn);
    rows.push({ name, messages: items.length, 'ops/s': Math.round(rate).toLocaleString('en'), 'heap B/msg': Number.isNaN(perOp) ? '?' : perOp.toFixed(1) });
  };
  let sink = 0;
  row('parseSmb2Header', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += hdr.command;
  });
  const cb = (h) => (sink += h.command);
  row('header + forEachSmb2', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    S.forEachSmb2(m, hdr, cb);
  });
  row('header + ntStatusName', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += ntStatusName(hdr.status).length;
  });
  row('parseTransformHeader', fd, (m) => {
    const r = S.parseTransformHeader(m, 0);
    if (r.ok) sink += r.originalMessageSize;
  });
  const bodies = [
    ['NEGOTIATE resp', 0, true, S.parseNegotiateResponse],
    ['SESSION_SETUP req', 1, false, S.parseSessionSetupRequest],
    ['SESSION_SETUP resp', 1, true, S.parseSessionSetupResponse],
    ['TREE_CONNECT req', 3, false, S.parseTreeConnectRequest],
    ['TREE_CONNECT resp', 3, true, S.parseTreeConnectResponse],
    ['CREATE req', 5, false, S.parseCreateRequest],
    ['CREATE resp', 5, true, S.parseCreateResponse],
    ['CLOSE req', 6, false, S.parseCloseRequest],
    ['READ resp', 8, true, S.parseReadResponse],
    ['WRITE req', 9, false, S.parseWriteRequest],
    ['IOCTL req', 11, false, S.parseIoctlRequest],
  ];
  for (const [name, cmd, resp, parse] of bodies) {
    const items = fe.filter((m) => {
      S.parseSmb2Header(m, 0, hdr);
      return hdr.command === cmd && hdr.isResponse === resp && hdr.nextCommand === 0;
    });
    row(`header + ${name}`, items, (m) => {
      S.parseSmb2Header(m, 0, hdr);
      const r = parse(m, hdr, m.length);
      if (r.ok) sink++;
    });
  }
  // again, now that everything is warm: the header parse itself allocates nothing
  row('parseSmb2Header (again)', fe, (m) => {
    S.parseSmb2Header(m, 0, hdr);
    sink += hdr.command;
  });
  console.table(rows);
  if (sink === -1) console.log(sink);
}

main();
