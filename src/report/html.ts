/**
 * The report as one self-contained HTML file: the page script and stylesheet (bundled by `npm run
 * build` into dist/src/report/page/) inlined, the data in two JSON data blocks that the script
 * parses. A strict Content-Security-Policy allows exactly that script and that stylesheet (by
 * hash) and nothing else: no network, no other script, no inline handler, no frame, no form.
 * Deterministic: same data → same bytes (no clock, no random ids).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PageData, RunInfo } from './page-data';

export class ReportBundleMissing extends Error {}

let cached: { js: string; css: string } | null = null;

/** The built page script and stylesheet (next to this module in dist, or in dist when run from src). */
export function pageAssets(): { js: string; css: string } {
  if (cached !== null) return cached;
  // this module in dist/src/report, in the CLI bundle (dist/src/cli/main.js), or in src/report
  const candidates = [
    path.join(__dirname, 'page'),
    path.resolve(__dirname, '..', 'report', 'page'),
    path.resolve(__dirname, '..', '..', 'dist', 'src', 'report', 'page'),
  ];
  for (const dir of candidates) {
    const js = path.join(dir, 'bundle.js');
    const css = path.join(dir, 'bundle.css');
    if (existsSync(js) && existsSync(css)) {
      cached = { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
      return cached;
    }
  }
  throw new ReportBundleMissing('the report page bundle is missing (dist/src/report/page/bundle.js): run `npm run build`');
}

/** JSON that cannot end its <script> element or open a comment: <, >, & and the JS line separators escaped. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

export function renderReport(data: PageData, run: RunInfo): string {
  const { js, css } = pageAssets();
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(js)}'`,
    `style-src 'sha256-${sha256(css)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title>sharewatch investigation report</title>\n' +
    `<style>${css}</style>\n` +
    '</head>\n<body>\n' +
    '<div id="app"><noscript>This report draws its content with JavaScript; allow scripts for this file.</noscript></div>\n' +
    `<script type="application/json" id="sw-run">${jsonForScript(run)}</script>\n` +
    `<script type="application/json" id="sw-data">${jsonForScript(data)}</script>\n` +
    `<script>${js}</script>\n` +
    '</body>\n</html>\n'
  );
}
