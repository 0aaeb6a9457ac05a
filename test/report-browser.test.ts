/// <reference lib="dom" />
/**
 * The report in a real browser (Debian chromium via puppeteer-core, one launch for the file), for
 * lab and corpus captures and for a contract-v2 log: the page loads with no console error and no
 * request; the DOM lists as many alerts, hosts and admin-share mappings as the NDJSON has;
 * clicking an alert focuses the timeline on its lane and time; `sharewatch report` on the NDJSON
 * of a replay gives the page `--report` gave (the run's provenance block aside: a run knows its
 * capture files and packets, a log does not), with `-w` and with `--format pretty`; a screenshot
 * per page in test/artifacts/.
 */
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Browser } from 'puppeteer-core';
import { chromiumMissing, launch, openReport, screenshot, visibleRange } from './helpers/report-browser';
import { ndjson, v2Log } from './helpers/report-v2-events';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);
const missing = chromiumMissing();
if (missing !== null && process.env.CI) throw new Error(missing);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-report-browser-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const CAPTURES = [
  'captures/c-drop-delete.pcap',
  'captures/psexec-like.pcap',
  'captures/many-sessions.pcap',
  '../shared/captures/suricata-verify/smb2-07.pcap',
  '../shared/captures/zeek/smb2.pcap',
];

type Ev = Record<string, any>;

function parse(text: string): Ev[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/** What the DOM must list, computed from the NDJSON. */
function expected(events: Ev[]): { alerts: number; hosts: number; admin: number } {
  const hosts = new Set<string>();
  let admin = 0;
  const open = new Set<string>();
  for (const e of events) {
    hosts.add(e.source.ip);
    hosts.add(e.destination.ip);
    if (e.event.kind !== 'event' || e.smb?.share_class !== 'admin') continue;
    const key = [e.source.ip, e.source.port, e.destination.ip, e.destination.port, e.smb.session_id, e.smb.tree_id].join('|');
    if (e.event.action === 'smb-tree-connect' && e.event.outcome === 'success') {
      admin++;
      open.add(key);
    } else if (e.event.action === 'smb-tree-disconnect') {
      if (!open.delete(key)) admin++;
    } else if (e.event.action === 'smb-inferred-tree') admin++;
  }
  return { alerts: events.filter((e) => e.event.kind === 'alert').length, hosts: hosts.size, admin };
}

/** the page without the run's provenance block */
const withoutRun = (html: string): string => html.replace(/<script type="application\/json" id="sw-run">.*?<\/script>/, '');

async function checkPage(t: Test, browser: Browser, html: string, events: Ev[], name: string): Promise<void> {
  const { page, errors, requests, dialogs, loadMs } = await openReport(browser, html);
  try {
    t.same(errors, [], 'no console error');
    t.same(requests, [], 'no network request');
    t.same(dialogs, [], 'no dialog');
    const want = expected(events);
    const got = await page.evaluate(() => ({
      alerts: document.querySelectorAll('#alert-list > li.alert').length,
      hosts: document.querySelectorAll('#t-hosts tbody tr').length,
      admin: document.querySelectorAll('#t-admin tbody tr').length,
    }));
    t.same(got, want, `alerts, hosts, admin mappings (${JSON.stringify(want)})`);
    const items = await page.$$eval('#alert-list > li.alert', (els) => els.map((e) => ({ lane: Number((e as HTMLElement).dataset.lane), t: Number((e as HTMLElement).dataset.t) })));
    const links = await page.$$('#alert-list > li.alert a.focus');
    const whole = await visibleRange(page);
    for (let i = 0; i < Math.min(links.length, 4); i++) {
      // a DOM click: after the previous focus scrolled the timeline into view, the link may sit
      // under the sticky detail panel, where a mouse click at its centre lands on the panel
      await links[i].evaluate((el) => (el as HTMLElement).click());
      // the chart applies a zoom asynchronously: wait (bounded) until the range shows this alert
      await page
        .waitForFunction(
          (lane: number, tt: number) => {
            const d = (document.querySelector('#tl-range') as HTMLElement | null)?.dataset;
            if (!d) return false;
            const lanes = (d.lanes ?? '').split(',').map(Number);
            return lanes.includes(lane) && Number(d.from) <= tt && tt <= Number(d.to);
          },
          { timeout: 3000 },
          items[i].lane,
          items[i].t,
        )
        .catch(() => undefined);
      const r = await visibleRange(page);
      t.ok(r.lanes.includes(items[i].lane), `alert ${i}: its lane ${items[i].lane} is in view (${r.lanes})`);
      t.ok(r.from <= items[i].t && items[i].t <= r.to, `alert ${i}: its time ${items[i].t} is in view [${r.from}, ${r.to}]`);
      if (whole.to - whole.from > 1000) t.ok(r.to - r.from < (whole.to - whole.from) / 2, `alert ${i}: zoomed in (${r.to - r.from} ms of ${whole.to - whole.from})`);
    }
    await page.click('#tl-reset');
    await page.click('#group-client');
    await page.click('#group-server');
    t.same(errors, [], 'no error after clicks and regrouping');
    await screenshot(page, name);
    t.comment(`${name}: loaded in ${loadMs} ms`);
  } finally {
    await page.close();
  }
}

t.test('report pages in chromium', { skip: missing ?? false }, async (t) => {
  const browser = await launch();
  t.teardown(() => browser.close());

  for (const cap of CAPTURES) {
    await t.test(cap, async (t) => {
      const pcap = path.resolve(ROOT, cap);
      const base = path.join(dir, path.basename(cap, '.pcap'));
      const log = `${base}.ndjson`;
      execFileSync(process.execPath, [CLI, '-q', '-r', pcap, '-w', log, '--report', `${base}.run.html`]);
      const events = parse(fs.readFileSync(log, 'utf8'));
      execFileSync(process.execPath, [CLI, 'report', '-q', log, '-o', `${base}.log.html`]);
      const run = fs.readFileSync(`${base}.run.html`, 'utf8');
      t.ok(withoutRun(run) === withoutRun(fs.readFileSync(`${base}.log.html`, 'utf8')), 'report of the NDJSON = --report of the replay');
      await checkPage(t, browser, `${base}.run.html`, events, path.basename(cap, '.pcap'));
    });
  }

  await t.test('--format pretty and stdin: the same page', async (t) => {
    const pcap = path.join(ROOT, 'captures', 'psexec-like.pcap');
    execFileSync(process.execPath, [CLI, '-q', '-r', pcap, '-w', path.join(dir, 'p.ndjson'), '--report', path.join(dir, 'nd.html')]);
    execFileSync(process.execPath, [CLI, '-q', '-r', pcap, '--format', 'pretty', '--report', path.join(dir, 'pretty.html')], { stdio: ['ignore', 'ignore', 'inherit'] });
    t.equal(fs.readFileSync(path.join(dir, 'pretty.html'), 'utf8'), fs.readFileSync(path.join(dir, 'nd.html'), 'utf8'));
    execFileSync(process.execPath, [CLI, 'report', '-q', '-', '-o', path.join(dir, 'stdin.html')], { input: fs.readFileSync(path.join(dir, 'p.ndjson')) });
    t.equal(withoutRun(fs.readFileSync(path.join(dir, 'stdin.html'), 'utf8')), withoutRun(fs.readFileSync(path.join(dir, 'nd.html'), 'utf8')));
  });

  await t.test('an empty log and a one-event log: pages without error', async (t) => {
    const one = '{"@timestamp":"2026-11-23T02:42:39.500495Z","event":{"kind":"event","action":"smb-session-setup","outcome":"failure"},"source":{"ip":"10.0.0.1","port":50000},"destination":{"ip":"10.0.0.2","port":445}}\n';
    for (const [name, text] of [
      ['empty', ''],
      ['one-event', one],
    ]) {
      const log = path.join(dir, `${name}.ndjson`);
      fs.writeFileSync(log, text);
      execFileSync(process.execPath, [CLI, 'report', '-q', log, '-o', `${log}.html`]);
      await checkPage(t, browser, `${log}.html`, parse(text), name);
    }
  });

  await t.test('contract v2 log over two hours: the 5 ms C$ mapping is found from its alert', async (t) => {
    const v2 = v2Log(200);
    const log = path.join(dir, 'v2.ndjson');
    fs.writeFileSync(log, ndjson(v2.events));
    const html = path.join(dir, 'v2.html');
    execFileSync(process.execPath, [CLI, 'report', '-q', log, '-o', html]);
    await checkPage(t, browser, html, v2.events as Ev[], 'contract-v2-two-hours');
    const { page, errors } = await openReport(browser, html);
    try {
      const li = await page.$$('#alert-list > li.alert[data-rule="SW-0001"] a.focus');
      t.equal(li.length, 1);
      await li[0].click();
      const r = await visibleRange(page);
      t.ok(r.to - r.from < 50, `zoomed to ${r.to - r.from} ms`);
      t.ok(r.from <= v2.cMapping.end - 5 && v2.cMapping.end <= r.to, 'the whole 5 ms tree is in view');
      const hover = await page.$eval('#hover', (e) => e.textContent ?? '');
      t.match(hover, /short-lived-admin-share/, 'the alert’s fields in the hover panel');
      // hovering the middle of the 5 ms tree bar shows the tree's own event
      const box = (await (await page.$('#timeline'))!.boundingBox())!;
      const grid = { left: 250, right: r.lanes.length >= 24 ? 50 : 20, top: 10, bottom: 70 };
      const x = box.x + grid.left + ((v2.cMapping.end - 2.5 - r.from) / (r.to - r.from)) * (box.width - grid.left - grid.right);
      const row = r.lanes.indexOf(Number(await page.$eval('#alert-list > li.alert[data-rule="SW-0001"]', (e) => (e as HTMLElement).dataset.lane)));
      const y = box.y + grid.top + ((row + 0.5) * (box.height - grid.top - grid.bottom)) / r.lanes.length;
      await page.mouse.move(x, y);
      await new Promise((res) => setTimeout(res, 300));
      const treeHover = await page.$eval('#hover', (e) => e.textContent ?? '');
      t.match(treeHover, /event\.actionsmb-tree-disconnect/, 'hover on the bar: the tree-disconnect event');
      t.match(treeHover, /smb\.share_nameC\$/);
      const lm = await page.$eval('#alert-list > li.alert[data-rule="SW-0012"]', (e) => e.textContent ?? '');
      t.match(lm, /tool: psexec/);
      t.match(lm, /W wrote PSEXESVC\.exe/);
      const svc = await page.$$eval('#t-services tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
      t.equal(svc.length, 2, 'service and task rows');
      // the filters: by rule, by host, by user
      await page.select('#f-rule', 'SW-0015');
      t.equal(await page.$$eval('#alert-list > li.alert', (e) => e.length), 1);
      t.equal(await page.$$eval('#t-admin tbody tr', (e) => e.length), 1, 'the inferred mapping of that session');
      await page.select('#f-rule', '');
      const setFilter = (id: string, v: string) =>
        page.$eval(
          id,
          (e, v) => {
            (e as HTMLInputElement).value = v as string;
            e.dispatchEvent(new Event('input'));
          },
          v,
        );
      await page.type('#f-host', '10.1.0.77');
      t.equal(await page.$$eval('#t-admin tbody tr', (e) => e.length), 1, 'host filter');
      await setFilter('#f-host', '');
      await page.type('#f-user', 'mallory');
      t.equal(await page.$$eval('#t-services tbody tr', (e) => e.length), 2, 'user filter');
      t.equal(await page.$$eval('#alert-list > li.alert', (e) => e.length), 5, 'user filter on alerts');
      await setFilter('#f-user', '');
      const durHead = await page.$$('#t-admin thead th');
      await durHead[5].click();
      const durs = await page.$$eval('#t-admin tbody tr td:nth-child(6)', (tds) => tds.map((td) => Number(td.textContent)));
      t.same(durs, [...durs].sort((a, b) => b - a), 'sorted by duration, descending');
      t.same(errors, []);
    } finally {
      await page.close();
    }
  });
});
