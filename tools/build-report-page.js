#!/usr/bin/env node
/**
 * Bundles the report page (src/report/page: script with Apache ECharts, and its stylesheet) into
 * dist/src/report/page/, where the built CLI inlines them into every report. Run by `npm run
 * build`; no network needed. Minified, ES2020 (any current browser), deterministic output.
 */
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'src', 'report', 'page');
fs.mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', charset: 'utf8' };
esbuild.buildSync({
  ...common,
  entryPoints: [path.join(root, 'src', 'report', 'page', 'main.ts')],
  outfile: path.join(out, 'bundle.js'),
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  tsconfig: path.join(root, 'src', 'report', 'page', 'tsconfig.json'),
});
esbuild.buildSync({
  ...common,
  entryPoints: [path.join(root, 'src', 'report', 'page', 'style.css')],
  outfile: path.join(out, 'bundle.css'),
});
const js = fs.readFileSync(path.join(out, 'bundle.js'), 'utf8');
// the bundle goes inside <script>…</script>: it must not close the element early
if (/<\/script/i.test(js) || /<!--/.test(js)) throw new Error('report bundle contains </script or <!--');
