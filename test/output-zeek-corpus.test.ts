/**
 * --format zeek on real captures: the smb_mapping columns (4-tuple, path, share_type) of
 * zeek/smb2.pcap and zeek/smb3.pcap equal Zeek's own baselines. Runs capture → net → tracker →
 * output (no detection: alerts are not mapping rows).
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCaptures } from '../src/capture/reader';
import { NetPipeline } from '../src/net/pipeline';
import { Tracker } from '../src/tracker/tracker';
import { createWriter } from '../src/output/writer';

const CAPTURES = path.resolve(__dirname, '..', '..', 'shared', 'captures');
const dir = mkdtempSync(path.join(tmpdir(), 'sw-zeek-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
async function zeekLog(capture: string): Promise<string> {
  // a fresh file per run: -w appends
  const out = path.join(dir, `${runs++}-${path.basename(capture)}.log`);
  const w = createWriter({ format: 'zeek', path: out });
  const tracker = new Tracker((rec) => w.write(rec));
  const net = new NetPipeline(tracker);
  const summary = await readCaptures([path.join(CAPTURES, capture)], (p) => net.handle(p));
  t.equal(summary.error, null, `${capture} read without error`);
  net.finish();
  await w.close();
  return readFileSync(out, 'utf8');
}

/** data rows as objects keyed by the #fields names */
function rows(log: string): Record<string, string>[] {
  const lines = log.split('\n').filter((l) => l !== '');
  const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i], v])));
}

const COMPARED = ['id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'path', 'service', 'native_file_system', 'share_type'];

for (const name of ['smb2', 'smb3']) {
  t.test(`zeek/${name}.pcap matches baselines/${name}.smb_mapping.log`, async (t) => {
    const baseline = rows(readFileSync(path.join(CAPTURES, 'zeek', 'baselines', `${name}.smb_mapping.log`), 'utf8'));
    const ours = rows(await zeekLog(`zeek/${name}.pcap`));
    const pick = (r: Record<string, string>): string => COMPARED.map((k) => r[k]).join('\t');
    t.same(ours.map(pick).sort(), baseline.map(pick).sort());
    t.ok(baseline.length > 0);
    const log = await zeekLog(`zeek/${name}.pcap`);
    t.equal(log, await zeekLog(`zeek/${name}.pcap`), 'byte-identical replays');
    t.match(log.split('\n')[5], /^#open\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
  });
}
