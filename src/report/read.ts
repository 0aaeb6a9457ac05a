/**
 * Reading NDJSON event logs for `sharewatch report`: files (gzip-compressed ones too, as logrotate
 * leaves them) and `-` for stdin, merged by @timestamp so rotated logs can be given in any order
 * (`events.log events.log.1 …`). Each log is in time order (the contract); the merge keeps that
 * order and takes ties in the order the logs were given.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { type ParsedLine, parseEventLine } from './event';

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function open(file: string): Readable {
  if (file === '-') return process.stdin;
  const s = createReadStream(file);
  return isGzip(file) ? s.pipe(createGunzip()) : s;
}

async function* parsedLines(file: string): AsyncGenerator<ParsedLine> {
  const rl = createInterface({ input: open(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    yield parseEventLine(line);
  }
}

/** Every line of every log, merged by time, to `onLine` (bad lines as they come). Throws on read errors. */
export async function readEventLogs(files: string[], onLine: (p: ParsedLine) => void): Promise<void> {
  const its = files.map((f) => parsedLines(f)[Symbol.asyncIterator]());
  const heads: (ParsedLine | null)[] = [];
  const next = async (i: number): Promise<void> => {
    for (;;) {
      const r = await its[i]!.next(); // i < its.length: heads and its are parallel
      if (r.done) {
        heads[i] = null;
        return;
      }
      if (!r.value.ok) {
        onLine(r.value);
        continue;
      }
      heads[i] = r.value;
      return;
    }
  };
  for (let i = 0; i < its.length; i++) await next(i);
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h === null || !h.ok) continue;
      const b = best < 0 ? null : heads[best]!;
      if (b === null || (b.ok && h.t < b.t)) best = i;
    }
    if (best < 0) return;
    onLine(heads[best]!);
    await next(best);
  }
}
