#!/usr/bin/env node
'use strict';
/**
 * Fuzz runner: `npm run fuzz -- --cases N [--layer NAME[,NAME…]] [--seed S] [--exact]`.
 * The properties live in test/fuzz/ (TypeScript, run by tap's loader), so this spawns
 * `tap test/robust-fuzz.test.ts` with FUZZ_CASES/FUZZ_LAYER/FUZZ_SEED and no timeout.
 * --cases N runs N cases per property scaled by its weight (cheap properties run more);
 * --exact runs exactly N per property. Progress goes to the TAP output every 10%.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const LAYERS = ['reader', 'decode', 'reassembly', 'nbss', 'smb2', 'smb1', 'auth', 'tracker', 'pipeline'];

function usage(code) {
  (code ? process.stderr : process.stdout).write(
    `usage: npm run fuzz -- [--cases N] [--layer NAME[,NAME…]] [--seed S] [--exact]\n` +
      `  --cases N   cases per property (default 10000), scaled by the property's weight\n` +
      `  --exact     exactly N cases per property (no weights)\n` +
      `  --layer L   only these layers: ${LAYERS.join(', ')}\n` +
      `  --seed S    fast-check seed (default 20240611); a failure prints the seed and path to replay\n`,
  );
  process.exit(code);
}

const env = { ...process.env, FUZZ_CASES: '10000', FUZZ_VERBOSE: '1' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => {
    if (i + 1 >= argv.length) usage(2);
    return argv[++i];
  };
  if (a === '--cases') env.FUZZ_CASES = String(Number(val()));
  else if (a === '--layer') env.FUZZ_LAYER = val();
  else if (a === '--seed') env.FUZZ_SEED = String(Number(val()));
  else if (a === '--exact') env.FUZZ_EXACT = '1';
  else if (a === '-h' || a === '--help') usage(0);
  else {
    process.stderr.write(`unknown argument ${a}\n`);
    usage(2);
  }
}
if (!(Number(env.FUZZ_CASES) >= 1)) usage(2);
for (const l of (env.FUZZ_LAYER ?? '').split(',').filter(Boolean)) {
  if (!LAYERS.includes(l)) {
    process.stderr.write(`unknown layer ${l}\n`);
    usage(2);
  }
}

const root = path.resolve(__dirname, '..');
const tap = path.join(root, 'node_modules', '.bin', 'tap');
const child = spawn(tap, ['--timeout=0', '--reporter=tap', 'test/robust-fuzz.test.ts'], { cwd: root, env, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
process.on('SIGINT', () => child.kill('SIGINT'));
