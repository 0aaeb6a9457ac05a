/**
 * Differential test against the npm package pcap-parser 0.2.1 on the classic µs corpus files.
 * That package only knows the a1b2c3d4 magic (no ns pcap, no pcapng, no gzip) and stops silently
 * on a truncated record, which is why src/capture has its own reader; where it does read, the
 * packets (time, lengths, bytes) must be identical.
 */
import t from 'tap';
import * as fs from 'node:fs';
import { readCaptures } from '../src/capture/reader';
import { corpusFiles, corpusName } from './helpers/corpus';
 
const pcapParser = require('pcap-parser') as { parse(input: string): NodeJS.EventEmitter };

interface P {
  sec: number;
  usec: number;
  orig: number;
  data: Buffer;
}

function oracle(file: string): Promise<P[]> {
  return new Promise((resolve, reject) => {
    const out: P[] = [];
    const p = pcapParser.parse(file);
    p.on('packet', (pk: { header: { timestampSeconds: number; timestampMicroseconds: number; originalLength: number }; data: Buffer }) =>
      out.push({ sec: pk.header.timestampSeconds, usec: pk.header.timestampMicroseconds, orig: pk.header.originalLength, data: Buffer.from(pk.data) }),
    );
    p.on('error', reject);
    p.on('end', () => resolve(out));
  });
}

t.test('same packets as pcap-parser on classic µs files', async (t) => {
  const files = corpusFiles().filter((f) => {
    if (f.endsWith('.gz')) return false;
    const m = fs.readFileSync(f).subarray(0, 4).toString('hex');
    return m === 'd4c3b2a1' || m === 'a1b2c3d4';
  });
  t.ok(files.length >= 60, `${files.length} classic µs files`);
  for (const f of files) {
    const theirs = await oracle(f);
    const ours: P[] = [];
    const s = await readCaptures([f], (p) => ours.push({ sec: p.tsSec, usec: p.tsNsec / 1000, orig: p.origLen, data: Buffer.from(p.data) }));
    t.equal(s.error, null);
    t.same(ours, theirs, `${corpusName(f)}: ${theirs.length} identical packets`);
  }
});
