/**
 * Child process for test/output-writer.test.ts: writes events the way src/cli/main.ts does and
 * stops on a signal, at exit, or when stdout's reader goes away.
 *   argv: format path|- mode(sigterm|exit|epipe) count
 */
import { createWriter } from '../../src/output/writer';
import type { OutputRecord } from '../../src/shared/records';
import { allRecords } from './output-records';

const [format, pathArg, mode, countArg] = process.argv.slice(2);
const count = Number(countArg);
const writer = createWriter({
  format: format as 'ndjson' | 'pretty' | 'zeek',
  path: pathArg === '-' ? null : pathArg,
  onError: (m) => process.stderr.write(`writer: ${m}\n`),
});

/** record i: the fixture records in turn, each at its own capture time */
export function recordAt(i: number): OutputRecord {
  const r = allRecords[i % allRecords.length];
  return { ...r, ts: { sec: 1795395723 + i, nsec: i % 1_000_000_000 } } as OutputRecord;
}

let written = 0;
process.on('exit', () => writer.flushSync());
process.on('SIGTERM', () => {
  writer.flushSync();
  process.stderr.write(`wrote ${written}\n`);
  process.exit(0);
});

if (mode === 'exit') {
  for (; written < count; written++) writer.write(recordAt(written));
  process.stderr.write(`wrote ${written}\n`);
  process.exit(0);
} else {
  // batches across event-loop turns, so a signal finds lines still buffered
  const batch = (): void => {
    for (let k = 0; k < 37 && written < count; k++, written++) writer.write(recordAt(written));
    if (written === 37) process.stderr.write('ready\n');
    if (written < count) setImmediate(batch);
    else {
      process.stderr.write(`wrote ${written}\n`);
      void writer.close();
    }
  };
  batch();
}
