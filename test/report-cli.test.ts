/**
 * The report's command line: `sharewatch report` usage errors (exit 2, one line), `--report` to a
 * path that cannot be written (exit 2 before any work), and `--report` on SIGTERM/SIGINT: a replay
 * from stdin stopped by the signal still writes the report of what it emitted.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before this test`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-report-cli-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], input?: Buffer) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });

t.test('usage errors', async (t) => {
  const cases: [string[], RegExp][] = [
    [['report', '-o', path.join(dir, 'x.html')], /no event log given/],
    [['report', path.join(ROOT, 'package.json')], /give the report file with -o/],
    [['report', path.join(dir, 'missing.ndjson'), '-o', path.join(dir, 'x.html')], /missing\.ndjson: no such file/],
    [['report', '-', '-', '-o', path.join(dir, 'x.html')], /stdin \(-\) can be read only once/],
    [['report', '--bogus'], /report: Unknown option/i],
    [['-r', path.join(ROOT, 'captures', 'psexec-like.pcap'), '--report', path.join(dir, 'no', 'such', 'dir.html')], /--report .*ENOENT/],
    [['-r', path.join(ROOT, 'captures', 'psexec-like.pcap'), '--report', '-'], /--report -: stdout carries the events/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    t.equal(r.status, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr.split('\n')[0], re);
    t.equal(r.stdout, '');
  }
  const help = cli(['report', '--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /sharewatch report EVENTS\.ndjson/);
  t.match(cli(['--help']).stdout, /--report FILE\.html/);
});

t.test('lines that are not events: skipped, counted on stderr, report still written', async (t) => {
  const log = path.join(dir, 'mixed.ndjson');
  const good = spawnSync(process.execPath, [CLI, '-q', '-r', path.join(ROOT, 'captures', 'c-drop-delete.pcap')]).stdout;
  fs.writeFileSync(log, Buffer.concat([Buffer.from('garbage\n{"x":1}\n'), good]));
  const r = cli(['report', log, '-o', path.join(dir, 'mixed.html')]);
  t.equal(r.status, 0);
  t.match(r.stderr, /2 line\(s\) were not sharewatch events/);
  const n = good.toString().split('\n').filter((l) => l !== '').length;
  t.ok(n >= 7, `${n} events in the replay`);
  t.match(r.stderr, new RegExp(`: ${n} events →`));
  t.ok(fs.statSync(path.join(dir, 'mixed.html')).size > 10_000);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`--report on ${signal}: the report of what the run emitted`, async (t) => {
    const html = path.join(dir, `${signal}.html`);
    const pcap = fs.readFileSync(path.join(ROOT, 'captures', 'psexec-like.pcap'));
    const child = spawn(process.execPath, [CLI, '-q', '-r', '-', '--report', html], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let firstEvent: () => void;
    const started = new Promise<void>((r) => (firstEvent = r));
    child.stdout.on('data', (c) => {
      out += c;
      firstEvent();
    });
    // the whole capture, but stdin stays open: the replay waits for more until the signal
    child.stdin.write(pcap);
    await started;
    await new Promise((r) => setTimeout(r, 200));
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    t.equal(code, 0, 'exit 0');
    const page = fs.readFileSync(html, 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="sw-data">(.*?)<\/script>/.exec(page)![1]);
    const lines = out.split('\n').filter(Boolean);
    t.ok(lines.length > 0, `${lines.length} events before the signal`);
    t.equal(data.counts.events, lines.length, 'the report counts exactly the events the run wrote');
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const tcpreplay = ['/usr/bin/tcpreplay', '/usr/local/bin/tcpreplay'].find((p) => fs.existsSync(p));
const liveMissing = !isRoot || tcpreplay === undefined ? 'needs root and tcpreplay' : null;
if (liveMissing !== null && process.env.CI) throw new Error(`live --report test ${liveMissing}`);

t.test('--report live: SIGINT ends the capture and writes the report (tcpreplay onto lo)', { skip: liveMissing ?? false }, async (t) => {
  const html = path.join(dir, 'live.html');
  const log = path.join(dir, 'live.ndjson');
  // -w and --format pretty together: the report does not depend on the output format
  const child = spawn(process.execPath, [CLI, '-i', 'lo', '--format', 'pretty', '-w', log, '--report', html], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const listening = new Promise<void>((resolve) =>
    child.stderr.on('data', (c) => {
      stderr += c;
      if (stderr.includes('listening on')) resolve();
    }),
  );
  await listening;
  spawnSync(tcpreplay!, ['-q', '-i', 'lo', '--topspeed', path.join(ROOT, 'captures', 'psexec-like.pcap')]);
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  t.equal(code, 0, `exit 0 (${stderr.trim().split('\n').pop()})`);
  const page = fs.readFileSync(html, 'utf8');
  const data = JSON.parse(/<script type="application\/json" id="sw-data">(.*?)<\/script>/.exec(page)![1]);
  const run = JSON.parse(/<script type="application\/json" id="sw-run">(.*?)<\/script>/.exec(page)![1]);
  const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  t.ok(lines.length >= 10, `${lines.length} events written live`);
  t.equal(data.counts.events, lines.length, 'the report counts the events the run wrote');
  t.equal(data.counts.alerts, lines.filter((l) => l.includes(' ALERT ')).length);
  t.same(run.inputs, ['live: lo']);
  t.ok(run.packets > 0);
});
