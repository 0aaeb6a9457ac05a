#!/usr/bin/env node
/**
 * Bundles the CLI into one file, dist/src/cli/main.js (the `bin`), and the sharded run's worker
 * thread into dist/src/cli/workers/worker.js — over what tsc emitted there, so every path stays
 * the same. Why: loading ~470 small modules (resolve, read, compile each) was most of a run's
 * start-up; one file loads in a fraction of it. Run by `npm run build` after tsc (which still
 * emits every module: tests require them one by one).
 *
 * Packages a run loads only on demand stay outside the bundle, required from node_modules when
 * needed: prom-client (--metrics), yaml (a YAML -c file), zod (any -c file). Not minified names:
 * stack traces stay readable; whitespace and syntax minified (less to parse).
 */
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: false,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  charset: 'utf8',
  external: ['prom-client', 'yaml', 'zod'],
  tsconfig: path.join(root, 'tsconfig.json'),
};
esbuild.buildSync({
  ...common,
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile: path.join(root, 'dist', 'src', 'cli', 'main.js'),
});
esbuild.buildSync({
  ...common,
  entryPoints: [path.join(root, 'src', 'cli', 'workers', 'worker.ts')],
  outfile: path.join(root, 'dist', 'src', 'cli', 'workers', 'worker.js'),
});
