#!/usr/bin/env node
/**
 * Output bench: records shaped and written per second, per format, to /dev/null through the real
 * writer (SonicBoom, sync, 4 KiB buffering). Build first (`npx tsc -p .`), then:
 *   node bench/output.js [records]
 * Records are the shapes of src/shared/records.ts (a tree's whole life plus an alert), varied
 * per iteration so nothing is cached.
 */
'use strict';
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist', 'src', 'output');
let createWriter;
try {
  ({ createWriter } = require(path.join(dist, 'writer.js')));
} catch (e) {
  console.error(`bench/output.js: build first (npx tsc -p .): ${e.message}`);
  process.exit(2);
}

const N = Number(process.argv[2] ?? 200000);
const flow = { clientIp: '10.0.0.11', clientPort: 49208, serverIp: '10.0.0.12', serverPort: 445 };
const session = {
  sessionId: '0x0000040000000005', version: '3.1.1', user: 'alice', domain: 'CORP', workstation: 'WS01',
  auth: 'ntlmssp', kerberosRealm: null, kerberosService: null, pipes: [],
};
const tree = {
  treeId: '0x00000001', share: '\\\\10.0.0.12\\C$', shareName: 'C$', shareClass: 'admin', shareType: 'disk',
  status: 'STATUS_SUCCESS', success: true,
};

function records(i) {
  const ts = { sec: 1795395723 + i, nsec: (i * 7919) % 1e9 };
  const f = { ...flow, clientPort: 1024 + (i % 60000) };
  const setup = { kind: 'session-setup', ts, flow: f, session, status: 'STATUS_SUCCESS', success: true, auth: 'ntlmssp' };
  const connect = { kind: 'tree-connect', ts, flow: f, session, tree };
  const end = {
    kind: 'tree-disconnect', ts, flow: f, session, tree, reason: 'tree_disconnect', durationNs: 2_500_000_000 + i,
    activity: { creates: 2, reads: 1, writes: 3, bytesRead: 512, bytesWritten: 73802, ioctls: 0 },
    files: ['Windows\\Temp\\evil.exe', `Windows\\Temp\\out${i}.txt`], wroteExecutable: true, wroteFiles: true,
  };
  const alert = {
    kind: 'alert', ts, ruleId: 'SW-0001', ruleName: 'short-lived-admin-share', severity: 99,
    message: 'CORP\\alice connected to admin share C$ and disconnected after 2.5 s',
    techniques: [{ id: 'T1070.005', name: 'Network Share Connection Removal' }, { id: 'T1021.002', name: 'SMB/Windows Admin Shares' }],
    count: null, about: end,
  };
  const logoff = { kind: 'session-end', ts, flow: f, session, reason: 'logoff', durationNs: 3e9, trees: 1, status: 'STATUS_SUCCESS' };
  return [setup, connect, end, alert, logoff];
}

async function bench(format) {
  const w = createWriter({ format, path: '/dev/null' });
  const batches = Math.ceil(N / 5);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < batches; i++) for (const r of records(i)) w.write(r);
  w.flushSync();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await w.close();
  console.log(`${format.padEnd(7)} ${String(Math.round((batches * 5) / s)).padStart(9)} records/s  (${batches * 5} in ${s.toFixed(2)} s)`);
}

(async () => {
  for (const f of ['ndjson', 'pretty', 'zeek']) await bench(f);
})();
