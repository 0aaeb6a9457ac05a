'use strict';
/**
 * CPU profile of one sharewatch run (node --cpu-prof) reduced to the top frames by self time,
 * grouped by function + script + line, with paths relative to the repo.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

function topFrames(profile, root, n) {
  const self = new Map(); // node id -> µs
  const { nodes, samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) || 0) + (timeDeltas[i] || 0));
  const byFrame = new Map();
  let total = 0;
  for (const nd of nodes) {
    const us = self.get(nd.id) || 0;
    total += us;
    const cf = nd.callFrame;
    const url = cf.url ? path.relative(root, cf.url.replace(/^file:\/\//, '')) : '';
    const key = `${cf.functionName || '(anonymous)'} ${url}${url ? ':' + (cf.lineNumber + 1) : ''}`;
    byFrame.set(key, (byFrame.get(key) || 0) + us);
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({ frame, selfMs: Math.round(us / 1000), selfPct: +((100 * us) / total).toFixed(1) }));
}

/** Profiles `node --cpu-prof main.js -r file -q --no-progress`; returns the top n frames. */
function profileRun(root, mainJs, file, n = 15) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-prof-'));
  try {
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, mainJs, '-r', file, '-q', '--no-progress', '--workers', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`profile run failed: ${r.stderr}`);
    const f = fs.readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
    return topFrames(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), root, n);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { profileRun, topFrames };
