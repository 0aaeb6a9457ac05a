/**
 * Every crash, hang or wrong result the fuzzers found, as a capture in test/regressions/ and a
 * test that replays it the way it failed. Each entry names the property that found it.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseChunked } from './fuzz/layers/reader';
import { readCaptures } from '../src/capture/reader';
import { AnalysisPipeline } from '../src/cli/pipeline';
import { metricsSources } from '../src/cli/metrics-sources';
import { defaultConfig } from '../src/shared/config';

const REG = path.join(__dirname, 'regressions');
const reg = (name: string): Buffer => fs.readFileSync(path.join(REG, name));

t.test('reader: a bad magic is reported the same however the input is chunked', (t) => {
  // found by reader/"arbitrary bytes behind pcap/pcapng magics, any chunking": 4 zero bytes fed
  // as 1 + 3 waited for a whole 24-byte file header and then reported "input ends 4 bytes into
  // the file header", while the same bytes in one chunk gave "not a pcap or pcapng file"
  const bytes = reg('reader-bad-magic-chunked.pcap');
  const counts = {};
  const whole = parseChunked(bytes, [], counts);
  for (const cuts of [[0.25], [0.5], [0.25, 0.5, 0.75]]) {
    const r = parseChunked(bytes, cuts, counts);
    t.equal(r.error, whole.error, `cuts ${cuts.join(',')}: same error`);
    t.equal(r.errorOffset, 0);
  }
  t.match(whole.error, /not a pcap or pcapng file \(magic 0x00000000\)/);
  // gzip-in-gzip is named as such in every chunking too
  const gz = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]);
  t.match(parseChunked(gz, [0.25], counts).error, /gzip data where a capture header was expected/);
  t.end();
});

// ---------------------------------------------------------------------------------------------
// Input bugs of issue 14, end to end through the built CLI (`npm run build` first). The captures
// are made by test/regressions/make-input-bugs.sh from the lab's c-drop-delete.pcap.

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const childEnv = { ...process.env };
delete childEnv.NODE_OPTIONS;

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, env: childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('pcapng timestamp past year 9999: damage at its block, not an internal error', (t) => {
  // was: `internal error: RangeError: timestamp out of range` from src/output/timestamp.ts,
  // thrown through the tracker, detector and pipeline, exit 1, the session's end event lost
  const file = path.join(REG, 'pcapng-far-future.pcapng');
  const bytes = reg('pcapng-far-future.pcapng');
  const r = cli(['-r', file, '-q']);
  t.equal(r.code, 2, 'exit 2');
  const lines = r.stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, 'one stderr line');
  const m = /^sharewatch: (.+): packet timestamp 9001795401759 s is outside the years 0000-9999 \(no ISO 8601 date for it\) at byte offset (\d+)$/.exec(lines[0]);
  t.ok(m, lines[0]);
  t.equal(m?.[1], file, 'names the file');
  const offset = Number(m?.[2]);
  // the offset is frame 19's block: the bytes before it are a complete capture of frames 1-18
  t.equal(bytes.readUInt32LE(offset), 6, 'offset of an enhanced packet block');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-reg-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const intact = path.join(tmp, 'intact.pcapng');
  fs.writeFileSync(intact, bytes.subarray(0, offset));
  const whole = cli(['-r', intact, '-q']);
  t.equal(whole.code, 0);
  t.equal(r.stdout, whole.stdout, 'stdout = the run over the intact part (everything before it processed)');
  const actions = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: { action: string } }).event.action);
  t.same(actions, ['smb-session-setup', 'smb-tree-connect', 'smb-tree-disconnect', 'smb-session-end'], 'events before it, then capture end');
  t.end();
});

t.test('classic pcap record caplen above the file snaplen: read, counted', (t) => {
  // was: "packet record claims 296 captured bytes, more than the file's snaplen 128 at byte
  // offset 286", exit 2 after three packets; tcpdump and tshark read the whole file
  const file = path.join(REG, 'pcap-caplen-over-snaplen.pcap');
  const bytes = reg('pcap-caplen-over-snaplen.pcap');
  t.equal(bytes.readUInt32LE(16), 128, 'the file header says snaplen 128');
  let over = 0;
  for (let o = 24; o + 16 <= bytes.length; o += 16 + bytes.readUInt32LE(o + 8)) if (bytes.readUInt32LE(o + 8) > 128) over++;
  t.ok(over > 10, `${over} records above it`);
  const r = cli(['-r', file, '-q', '--stats']);
  t.equal(r.code, 0, 'exit 0');
  const orig = cli(['-r', path.join(ROOT, 'captures', 'c-drop-delete.pcap'), '-q']);
  t.equal(r.stdout, orig.stdout, 'the same events as the capture with its real snaplen');
  t.match(r.stderr, new RegExp(`\\n  input        records-over-snaplen=${over}\\n`), 'counted in the summary');
  t.end();
});

t.test('records over the snaplen reach the metrics', async (t) => {
  const file = path.join(REG, 'pcap-caplen-over-snaplen.pcap');
  const p = new AnalysisPipeline(defaultConfig(), { write: () => undefined });
  const s = await readCaptures([file], p.onPacket, { counters: p.capture });
  t.equal(s.error, null);
  const src = metricsSources(p, () => 0);
  t.ok(src.recordsOverSnaplen() > 10, `${src.recordsOverSnaplen()} counted`);
  t.equal(src.recordsOverSnaplen(), s.files[0].recordsOverSnaplen, 'run-wide = per-file for one input');
});
