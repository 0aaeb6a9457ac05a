/**
 * src/report without a browser: the page data from NDJSON built to contract v2 (dcerpc-call,
 * smb-inferred-tree, lateral-movement) and from a real replay; the large-input sample never drops
 * an alert or its session; rotated and gzip logs merged by time give the same page as one log;
 * the page is the same bytes on every build; hostile strings stay inside the JSON data block.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ReportBuilder, readEventLogs, renderReport } from '../src/report';
import type { PageData } from '../src/report';
import { ndjson, v2Log } from './helpers/report-v2-events';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-report-builder-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function build(lines: string, limits = {}): PageData {
  const b = new ReportBuilder(limits);
  for (const l of lines.split('\n')) b.addLine(l);
  return b.finish();
}

const detailValue = (d: PageData, i: number, key: string): unknown => {
  const k = d.keys.indexOf(key);
  return d.details[i].find(([kk]) => kk === k)?.[1];
};

t.test('contract v2 events: alerts, chain, services/tasks, inferred mapping, tables', async (t) => {
  const log = v2Log();
  const d = build(ndjson(log.events));
  const alerts = log.events.filter((e) => (e.event as { kind: string }).kind === 'alert');
  t.equal(d.counts.alerts, alerts.length);
  t.equal(d.alerts.length, alerts.length, 'every alert listed');
  t.same(
    d.alerts.map((a) => a.severity),
    [...d.alerts.map((a) => a.severity)].sort((a, b) => b - a),
    'most severe first',
  );
  const lm = d.alerts.find((a) => a.ruleId === 'SW-0012')!;
  t.equal(lm.tool, 'psexec');
  t.same(
    lm.steps!.map((s) => s.step),
    ['W', 'S', 'X'],
  );
  t.ok(lm.focus[0] <= lm.t - 40 && lm.focus[1] >= lm.t, 'the focus window covers the chain from its first step');
  // services and tasks: the call and its alert are one row; the task from atsvc
  const svc = d.tables.services;
  t.equal(svc.rows.length, 2);
  const sRow = svc.rows.find((r) => r[6] === 'PSEXESVC')!;
  t.equal(sRow[4], 'service');
  t.equal(sRow[7], '%SystemRoot%\\PSEXESVC.exe');
  t.match(String(sRow[9]), /SW-0004 high/);
  const tRow = svc.rows.find((r) => r[4] === 'task')!;
  t.match(String(tRow[7]), /^cmd\.exe \/c whoami/);
  t.match(String(tRow[9]), /SW-0005 critical/);
  // admin mappings: ADMIN$ (50 ms), C$ (5 ms), the inferred ADMIN$
  const adm = d.tables.admin;
  t.equal(adm.rows.length, 3);
  t.same(adm.rows.map((r) => r[5]).sort(), [0.005, 0.05, 2.5]);
  t.equal(adm.rows.filter((r) => r[9] === 'yes').length, 1, 'one inferred');
  t.same(d.tables.files.rows.map((r) => r[5]), ['PSEXESVC.exe']);
  t.same(d.tables.files.rules[0], ['SW-0004', 'SW-0005', 'SW-0006', 'SW-0007', 'SW-0012'], 'rows carry the rules of their session');
  // hosts: every address; users
  const ips = new Set<string>();
  for (const e of log.events) {
    ips.add((e.source as { ip: string }).ip);
    ips.add((e.destination as { ip: string }).ip);
  }
  t.equal(d.tables.hosts.rows.length, ips.size);
  t.ok(d.tables.hosts.rows.find((r) => r[0] === '10.1.0.10' && String(r[1]).split(', ').includes('FS01')), 'server name from the UNC path');
  t.ok(d.tables.hosts.rows.find((r) => r[0] === '10.1.0.66' && r[1] === 'ATTACKER'), 'client name from the workstation');
  t.same(d.sensors, ['sensor-1']);
  // timeline: service/task/registry calls marked, a failed registry call, the inferred tree dashed
  const kinds = d.ticks.map((x) => x[3]);
  t.ok(kinds.includes(2) && kinds.includes(3) && kinds.includes(4) && kinds.includes(4 + 8), 'service, task, registry and failed registry ticks');
  t.equal(kinds.filter((k) => k === 0).length, 3, 'three failed logons');
  t.equal(d.trees.filter((x) => x[4] === 1 + 8).length, 1, 'the inferred admin tree');
  t.ok(d.sessions.some((s) => s[4] & 2), 'the encrypted session');
  const c = d.trees.find((x) => (x[4] & 7) === 1 && Math.abs(x[1] - x[0] - 5) < 1e-6)!;
  t.ok(c, 'the 5 ms C$ tree is on the timeline');
  t.equal(detailValue(d, c[3], 'smb.share_name'), 'C$');
  t.equal(d.sampling.sampled, false);
});

t.test('large input: the sample keeps every alert and its sessions, says what it left out', async (t) => {
  const log = v2Log(1500);
  const full = build(ndjson(log.events));
  const d = build(ndjson(log.events), { shownEvents: 400 });
  t.equal(d.sampling.sampled, true);
  t.ok(d.sampling.omittedEvents > 5_000);
  t.equal(d.sampling.shownEvents + d.sampling.omittedEvents, log.events.length);
  t.ok(d.sampling.shownEvents < 600);
  t.equal(d.alerts.length, full.alerts.length, 'all alerts');
  // every event of the attacker's session is shown (the chain): 19 events
  const atk = d.details.filter((_, i) => detailValue(d, i, 'smb.session_id') === '0x0000000000001111');
  t.equal(atk.length, log.events.filter((e) => (e.smb as { session_id: string }).session_id === '0x0000000000001111').length);
  t.ok(d.density.length > 0, 'left-out events drawn as density');
  t.equal(
    d.density.reduce((a, r) => a + r[3], 0),
    d.sampling.omittedEvents,
  );
  t.equal(JSON.stringify(d.tables), JSON.stringify(full.tables), 'tables cover every event');
  t.equal(d.counts.events, full.counts.events);
});

t.test('bad lines are counted, not fatal', async (t) => {
  const d = build('not json\n[1,2]\n{"event":{"action":"x"}}\n{"@timestamp":"2026-01-01T00:00:00.000000Z"}\n\n');
  t.same(d.counts.badLines, [
    ['no_action', 1],
    ['no_timestamp', 1],
    ['not_json', 1],
    ['not_object', 1],
  ]);
  t.equal(d.counts.events, 0);
  // nesting and width no event has: shown cut, never a stack overflow
  const deep = '{"x":'.repeat(50_000) + '1' + '}'.repeat(50_000);
  const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])));
  const head = '{"@timestamp":"2026-01-01T00:00:00.000000Z","event":{"kind":"event","action":"smb-session-setup"},"source":{"ip":"1.1.1.1"},"destination":{"ip":"2.2.2.2"},';
  const d2 = build(`${head}"deep":${deep}}\n${head}"wide":${wide}}\n`);
  t.equal(d2.counts.events, 2);
  t.ok(d2.details.every((x) => x.length <= 400), 'fields per event bounded');
  t.ok(d2.details[0].some(([, v]) => v === '(nested too deep)'));
  t.ok(renderReport(d, { inputs: [], packets: null, bytes: null }).length > 1000, 'an empty report still renders');
});

t.test('a share_class naming an Object.prototype member is an unknown class, not a function', async (t) => {
  const ev = (cls: string, sec: number): string =>
    JSON.stringify({
      '@timestamp': `2026-01-01T00:00:0${sec}.000000Z`,
      event: { kind: 'event', action: 'smb-tree-disconnect', outcome: 'success', duration: 1e9 },
      source: { ip: '10.0.0.1' },
      destination: { ip: '10.0.0.2' },
      smb: { share: `\\\\srv\\s${sec}$`, share_class: cls },
    });
  const d = build([ev('constructor', 1), ev('toString', 2), ev('__proto__', 3), ev('admin', 4)].join('\n'));
  t.same(
    d.trees.map((x) => x[4]),
    [4, 4, 4, 1],
    'class codes: unknown for the prototype names, admin for admin',
  );
});

t.test('rotated logs (any order, gzip) merge to the same page as one log', async (t) => {
  const log = v2Log(60);
  const text = ndjson(log.events);
  const lines = text.trimEnd().split('\n');
  const a = path.join(dir, 'events.log');
  const b = path.join(dir, 'events.log.1');
  const c = path.join(dir, 'events.log.2.gz');
  const cut1 = Math.floor(lines.length / 3);
  const cut2 = Math.floor((2 * lines.length) / 3);
  fs.writeFileSync(c, zlib.gzipSync(lines.slice(0, cut1).join('\n') + '\n'));
  fs.writeFileSync(b, lines.slice(cut1, cut2).join('\n') + '\n');
  fs.writeFileSync(a, lines.slice(cut2).join('\n') + '\n');
  const one = new ReportBuilder();
  for (const l of lines) one.addLine(l);
  const merged = new ReportBuilder();
  await readEventLogs([a, b, c], (p) => merged.addParsed(p));
  const run = { inputs: ['x'], packets: null, bytes: null };
  t.equal(renderReport(merged.finish(), run), renderReport(one.finish(), run));
});

t.test('deterministic bytes; hostile strings stay data inside the JSON block', async (t) => {
  const log = v2Log(10);
  const evil = '</script><script>window.__pwned=1</script><!--"><img src=x onerror="window.__pwned=2">\u2028';
  (log.events[0].user as { name: string }).name = evil;
  const text = ndjson(log.events);
  const run = { inputs: [evil], packets: null, bytes: null };
  const p1 = renderReport(build(text), run);
  const p2 = renderReport(build(text), run);
  t.equal(p1, p2);
  t.equal(p1.match(/<script/g)!.length, 3, 'only the page script and the two data blocks');
  t.notOk(p1.includes('<img'), 'no markup from the data');
  t.notOk(p1.includes('<!--'));
  t.match(p1, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'/);
});

t.test('a real replay: --report and the report of its NDJSON', async (t) => {
  const pcap = path.join(ROOT, 'captures', 'psexec-like.pcap');
  const html = path.join(dir, 'run.html');
  const out = execFileSync(process.execPath, [CLI, '-q', '-r', pcap, '--report', html]).toString();
  const d = build(out);
  t.equal(d.counts.alerts, out.split('\n').filter((l) => l.includes('"kind":"alert"')).length);
  t.equal(d.tables.admin.rows.length, 2);
  const page = fs.readFileSync(html, 'utf8');
  const run = JSON.parse(/<script type="application\/json" id="sw-run">(.*?)<\/script>/.exec(page)![1]);
  t.same(run.inputs, [pcap]);
  t.ok(run.packets > 0 && run.bytes > 0, 'a run knows its packets and bytes');
});
