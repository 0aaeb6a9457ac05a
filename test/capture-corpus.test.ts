/**
 * Every corpus capture read by src/capture agrees with capinfos: packet count, earliest and
 * latest timestamp to the nanosecond, file type; and the packets do not depend on how the input
 * is chunked (records spanning reads are reassembled byte for byte).
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readCaptures } from '../src/capture/reader';
import { corpusFiles, corpusName, parseEpoch, pool, run } from './helpers/corpus';

interface Digest {
  packets: number;
  min: [number, number] | null;
  max: [number, number] | null;
  hash: string;
  format: string | null;
  gzip: boolean;
  error: string | null;
}

async function digest(file: string, chunkSize?: number): Promise<Digest> {
  const h = createHash('sha256');
  const head = Buffer.alloc(20);
  let min: [number, number] | null = null;
  let max: [number, number] | null = null;
  const s = await readCaptures(
    [file],
    (p) => {
      head.writeUInt32LE(p.tsSec >>> 0, 0);
      head.writeUInt32LE(p.tsNsec, 4);
      head.writeUInt32LE(p.origLen, 8);
      head.writeUInt32LE(p.linktype, 12);
      head.writeUInt32LE(p.data.length, 16);
      h.update(head);
      h.update(p.data);
      if (min === null || p.tsSec < min[0] || (p.tsSec === min[0] && p.tsNsec < min[1])) min = [p.tsSec, p.tsNsec];
      if (max === null || p.tsSec > max[0] || (p.tsSec === max[0] && p.tsNsec > max[1])) max = [p.tsSec, p.tsNsec];
    },
    { chunkSize },
  );
  return {
    packets: s.packets,
    min,
    max,
    hash: h.digest('hex'),
    format: s.files[0].format,
    gzip: s.files[0].gzip,
    error: s.error ? s.error.message : null,
  };
}

const CAPINFOS_TYPE: Record<string, string> = { pcap: 'pcap', 'pcap-ns': 'nsecpcap', pcapng: 'pcapng' };

t.test('corpus files agree with capinfos', async (t) => {
  const files = corpusFiles();
  t.ok(files.length >= 60, `corpus has ${files.length} capture files`);
  const infos = await pool(files, 2, (f) => run('capinfos', ['-T', '-r', '-t', '-c', '-a', '-e', '-S', '-M', f]));
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const [, type, count, first, last] = infos[i].trim().split('\t');
    const d = await digest(f);
    t.equal(d.error, null, `${corpusName(f)}: no error`);
    t.equal(d.packets, Number(count), `${corpusName(f)}: ${count} packets`);
    t.same(d.min, parseEpoch(first), `${corpusName(f)}: earliest ${first}`);
    t.same(d.max, parseEpoch(last), `${corpusName(f)}: latest ${last}`);
    t.equal(CAPINFOS_TYPE[d.format ?? ''], type, `${corpusName(f)}: file type ${type}`);
    t.equal(d.gzip, f.endsWith('.gz'), `${corpusName(f)}: gzip detected by magic`);
  }
});

t.test('chunking does not change the packets (records spanning reads)', async (t) => {
  const files = corpusFiles().filter((f) => !/filestore-filecontainer-smb\.pcap$/.test(f));
  for (const f of files) {
    const ref = await digest(f);
    // 1-byte reads only on small files: every header and record spans reads
    const sizes = ref.packets <= 200 ? [1, 13, 4096] : [13, 4096, 65537];
    for (const cs of sizes) {
      const d = await digest(f, cs);
      t.same(d, ref, `${corpusName(f)} read in ${cs}-byte chunks`);
    }
  }
});
