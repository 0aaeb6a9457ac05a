/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Hostile names in the report render as text: a replayed capture (the tools/gen SMB2 builders,
 * as test/robust-output uses) whose user, domain, workstation, server, share and file names are
 * markup, script, control characters and lone surrogates, and a contract-v2 log whose service
 * names, binary paths, task commands, chain summaries, tool, messages, sensor name and even field
 * names are too. In chromium: no script of theirs runs (window.__pwned stays unset, no dialog), no
 * element is injected (no img/svg/iframe, only the page's three script elements), no console
 * error (a CSP violation is one), and the hostile text is on the page as text.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Browser } from 'puppeteer-core';
import { chromiumMissing, launch, openReport, screenshot } from './helpers/report-browser';
import { ndjson, v2Log } from './helpers/report-v2-events';

const { PcapWriter } = require('../tools/gen/pcap-writer.js');
const { Smb2Conversation, newStats } = require('../tools/gen/smb2-conversation.js');
const { Prng } = require('../tools/gen/prng.js');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);
const missing = chromiumMissing();
if (missing !== null && process.env.CI) throw new Error(missing);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-report-hostile-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=2">',
  "'</script><svg onload=window.__pwned=3>",
  '<iframe srcdoc="<script>parent.__pwned=4</script>">',
  '{a|rich}{{constructor.constructor(\'window.__pwned=5\')()}}',
  'javascript:window.__pwned=6//\u2028\u2029<!--',
  'ctl\x00\x01\x1b[31mred\x7f\u0085\ud800x',
];

function hostileCapture(file: string): void {
  const w = new PcapWriter(file);
  const rng = new Prng(11);
  const clock = { now: 1_709_251_200e6 };
  const stats = newStats();
  HOSTILE.forEach((s, i) => {
    const conv = new Smb2Conversation(w, rng, clock, stats, {
      client: { ip: `10.8.0.${i + 1}`, mac: '00:50:56:00:00:01', port: 50000 + i },
      server: { ip: '10.8.1.1', mac: '00:15:5d:01:00:10', port: 445 },
      serverName: s,
      dialect: 0x0311,
    });
    conv.handshake();
    conv.negotiate();
    conv.sessionSetup(s, s, s);
    // an admin share (a short-lived mapping that writes an executable: an alert naming it all)
    const tid = conv.treeConnect('C$');
    const fid = conv.create(tid, s + '.exe', { desiredAccess: 0x12019f, disposition: 5, options: 0x40, size: 4 });
    const mz = Buffer.from('MZ\x90\x00payload');
    conv.write(tid, fid, 0, mz, 0, mz.length);
    conv.close(tid, fid);
    conv.treeDisconnect(tid);
    // and a share named by the attacker
    const t2 = conv.treeConnect(s + '$');
    conv.treeDisconnect(t2);
    conv.logoff();
    conv.end();
  });
  w.close();
}

function hostileV2(): string {
  const log = v2Log(5);
  let i = 0;
  const evil = (): string => HOSTILE[i++ % HOSTILE.length];
  const walk = (v: any): void => {
    if (v === null || typeof v !== 'object') return;
    for (const k of Object.keys(v)) {
      if (k === '@timestamp' || k === 'ip' || k === 'kind' || k === 'session_id' || k === 'tree_id' || k === 'share_class' || k === 'action' || k === 'id') continue;
      if (typeof v[k] === 'string') v[k] = evil();
      else walk(v[k]);
    }
  };
  for (const e of log.events) {
    walk(e.smb);
    walk(e.dcerpc);
    walk(e.user);
    walk(e.lateral_movement);
    walk(e.observer);
    if (typeof e.message === 'string') e.message = evil();
    if (e.rule) (e.rule as any).name = evil();
    (e as any)['<img src=x onerror="window.__pwned=7">'] = { '<svg onload=window.__pwned=8>': evil() };
  }
  return ndjson(log.events);
}

async function check(t: Test, browser: Browser, html: string, name: string): Promise<void> {
  const { page, errors, requests, dialogs } = await openReport(browser, html);
  try {
    const links = await page.$$('#alert-list > li.alert a.focus');
    t.ok(links.length > 0, `${links.length} alerts`);
    const seen = new Set<string>();
    for (const l of links) {
      await l.click();
      seen.add(await page.$eval('#hover', (e) => e.textContent ?? ''));
    }
    await page.click('#group-client');
    await page.hover('#timeline canvas');
    await page.mouse.wheel({ deltaY: -400 });
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      injected: document.querySelectorAll('img, svg, iframe, object, embed, link, meta[http-equiv="refresh"]').length,
      scripts: document.querySelectorAll('script').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      text: document.body.textContent ?? '',
    }));
    t.equal(state.pwned, null, 'no hostile script ran');
    t.equal(state.injected, 0, 'no element injected');
    t.equal(state.scripts, 3, 'only the page script and its two data blocks');
    t.equal(state.handlers, 0, 'no inline event handler attribute anywhere');
    t.same(errors, [], 'no console error (no CSP violation)');
    t.same(requests, [], 'no request');
    t.same(dialogs, [], 'no dialog');
    for (const s of HOSTILE.slice(0, 4)) t.ok(state.text.includes(s) || [...seen].some((h) => h.includes(s)), `shown as text: ${JSON.stringify(s)}`);
    await screenshot(page, name);
  } finally {
    await page.close();
  }
}

t.test('hostile names render as text', { skip: missing ?? false }, async (t) => {
  const browser = await launch();
  t.teardown(() => browser.close());

  await t.test('replay of a capture with hostile names', async (t) => {
    const pcap = path.join(dir, 'hostile.pcap');
    hostileCapture(pcap);
    const html = path.join(dir, 'hostile.html');
    const out = execFileSync(process.execPath, [CLI, '-q', '-r', pcap, '--report', html], { maxBuffer: 64 << 20 }).toString();
    t.ok(out.includes('"kind":"alert"'), 'the replay raised alerts about the hostile mappings');
    await check(t, browser, html, 'hostile-replay');
  });

  await t.test('contract-v2 log with hostile strings everywhere', async (t) => {
    const log = path.join(dir, 'hostile-v2.ndjson');
    fs.writeFileSync(log, hostileV2());
    const html = path.join(dir, 'hostile-v2.html');
    execFileSync(process.execPath, [CLI, 'report', '-q', log, '-o', html]);
    await check(t, browser, html, 'hostile-v2');
  });
});
