'use strict';
/**
 * Bench inputs, built on demand and cached in bench/cache/ (gitignored):
 *   lab      (a) real lab capture: bench/lib/lab-capture.sh (root; admin-share sessions, ordinary
 *                sessions, one bulk transfer recorded with tcpdump in one run)
 *   synth-S  (b) + cost curve: tools/gen/synth-smb2.js --seed 1 --size S --payload small
 *   state-N  (c) tools/gen/adversarial.js tree-connects: 10·N trees over N sessions (one TCP
 *                connection each), nothing ever disconnected or logged off
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, 'bench', 'cache');

function sh(cmd, args, what) {
  process.stderr.write(`bench: building ${what} …\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building ${what} failed (${cmd} exit ${r.status})`);
  process.stderr.write(`bench: built ${what} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  return r.stdout;
}

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(String(s));
  if (!m) throw new Error(`bad size: ${s}`);
  return Math.floor(parseFloat(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()]);
}

/** (a) The lab capture; labFile overrides (any capture). */
function labInput(labFile) {
  const file = labFile ? path.resolve(labFile) : path.join(CACHE, 'lab-mix.pcap');
  if (!fs.existsSync(file)) {
    if (labFile) throw new Error(`${labFile}: not found`);
    if (process.getuid && process.getuid() !== 0) {
      throw new Error('bench/cache/lab-mix.pcap is missing and the lab needs root: run `sudo bench/lib/lab-capture.sh bench/cache/lab-mix.pcap` once, or pass --lab FILE');
    }
    fs.mkdirSync(CACHE, { recursive: true });
    sh(path.join(ROOT, 'bench', 'lib', 'lab-capture.sh'), [file], 'lab capture (a) with the SMB lab, ~1 min');
  }
  return {
    name: 'lab',
    kind: 'a',
    file,
    what: 'real lab capture (tcpdump): 400 admin-share sessions (smbclient C$/ADMIN$ put+rm, impacket admin-logoff, psexec-like), 300 ordinary sessions (public/backup$ ls/get/put, some refused), one 150 MiB put+get',
  };
}

/** (b) / cost curve: small-packet-heavy synthetic SMB2 of about `size` bytes. */
function synthInput(size) {
  const label = String(size).toUpperCase();
  const file = path.join(CACHE, `synth-${label}.pcap`);
  const bytes = parseSize(size);
  if (!fs.existsSync(file) || fs.statSync(file).size < bytes) {
    fs.mkdirSync(CACHE, { recursive: true });
    sh(process.execPath, [path.join(ROOT, 'tools', 'gen', 'synth-smb2.js'), '--out', file + '.tmp', '--seed', '1', '--size', label, '--payload', 'small', '--quiet'], `synthetic ${label} (b)`);
    fs.renameSync(file + '.tmp', file);
  }
  return {
    name: `synth-${label}`,
    kind: 'b',
    file,
    what: `synth-smb2.js --seed 1 --size ${label} --payload small (64 interleaved connections, reads/writes of 16..1024 bytes)`,
  };
}

/** (c) State test: `sessions` concurrent sessions holding 10 trees each, never ended. */
function stateInput(sessions) {
  const trees = sessions * 10;
  const tag = sessions >= 1000 ? `${sessions / 1000}k` : String(sessions);
  const file = path.join(CACHE, `state-${tag}-${trees >= 1e6 ? trees / 1e6 + 'm' : trees / 1000 + 'k'}.pcap`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CACHE, { recursive: true });
    sh(process.execPath, [path.join(ROOT, 'tools', 'gen', 'adversarial.js'), 'tree-connects', '--count', String(trees), '--sessions', String(sessions), '--out', file + '.tmp'], `state capture ${sessions} sessions / ${trees} trees (c)`);
    fs.renameSync(file + '.tmp', file);
  }
  return {
    name: `state-${tag}`,
    kind: 'c',
    file,
    sessions,
    trees,
    what: `adversarial.js tree-connects --count ${trees} --sessions ${sessions}: ${sessions} sessions on ${sessions} connections, ${trees} trees, none ever ended`,
  };
}

module.exports = { labInput, synthInput, stateInput, parseSize, CACHE, ROOT };
