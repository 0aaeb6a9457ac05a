/**
 * Every crash, hang or wrong result the fuzzers found, as a capture in test/regressions/ and a
 * test that replays it the way it failed. Each entry names the property that found it.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseChunked } from './fuzz/layers/reader';

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
