/**
 * Byte sources for the parser: a regular file read synchronously into two alternating buffers (no
 * allocation per chunk; a buffer is reused only after the parser has released its chunk), another
 * kind of file read ahead asynchronously into three rotating buffers, or any readable stream
 * (stdin, a tcpdump child). gzip is recognised by its magic (1f 8b) and inflated by streaming zlib.
 */
import { createReadStream, promises as fsp, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface ChunkSource {
  /** next chunk of (decompressed) input, null at the end; rejects on I/O or gzip errors */
  read(): Promise<Buffer | null>;
  close(): Promise<void>;
  /** bytes taken from the file or stream so far (compressed bytes for gzip) */
  readonly rawBytes: number;
  readonly gzip: boolean;
}

const GZIP_CHUNK = 256 * 1024;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** A read that never rejects: its error is handed back as a value, so one nobody awaits is harmless. */
type Pending = Promise<{ ok: true; b: Buffer; n: number } | { ok: false; e: unknown }>;

class FileSource implements ChunkSource {
  rawBytes = 0;
  readonly gzip = false;
  // Three buffers: the one being parsed (its tail may still be gathered), the one returned, and
  // the one being read ahead. The read-ahead reuses the buffer of the chunk before the current
  // one, which push() of the current chunk has released, so the disk read overlaps the parsing.
  private readonly bufs: (Buffer | null)[] = [null, null, null];
  private which = 0;
  private done = false;
  private ahead: Pending | null = null;

  constructor(
    private readonly fh: FileHandle,
    private readonly bufSize: number,
  ) {}

  private start(): Pending {
    this.which = (this.which + 1) % 3;
    let b = this.bufs[this.which] as Buffer | null; // which indexes bufs
    if (b === null) b = this.bufs[this.which] = Buffer.allocUnsafeSlow(this.bufSize);
    const buf = b;
    return this.fh.read(buf, 0, buf.length, null).then(
      (r) => ({ ok: true as const, b: buf, n: r.bytesRead }),
      (e: unknown) => ({ ok: false as const, e }),
    );
  }

  async read(): Promise<Buffer | null> {
    if (this.done) return null;
    const r = await (this.ahead ?? this.start());
    this.ahead = null;
    if (!r.ok) {
      this.done = true;
      throw r.e;
    }
    if (r.n === 0) {
      this.done = true;
      return null;
    }
    this.rawBytes += r.n;
    this.ahead = this.start();
    return r.n === r.b.length ? r.b : r.b.subarray(0, r.n);
  }

  async close(): Promise<void> {
    this.done = true;
    // the file handle must not close under a read in flight
    if (this.ahead) await this.ahead;
    this.ahead = null;
    await this.fh.close().catch(() => undefined);
  }
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks and signals). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A regular file: each chunk is read with readSync (from the page cache that is a memory copy;
 * an async read went through the thread pool and left the parser idle waiting for it: half of a
 * replay's profile was "(idle)"). Between chunks the event loop gets one turn, so SIGINT/SIGTERM,
 * the output flush and timers still run every chunk (~1 ms of work).
 * Two buffers alternate: a read never overwrites the chunk the parser may still hold a tail of.
 */
class SyncFileSource implements ChunkSource {
  rawBytes = 0;
  readonly gzip = false;
  private readonly bufs: (Buffer | null)[] = [null, null];
  private which = 0;
  private done = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly bufSize: number,
  ) {}

  async read(): Promise<Buffer | null> {
    if (this.done) return null;
    await nextTurn();
    if (this.done) return null;
    this.which ^= 1;
    let b = this.bufs[this.which] as Buffer | null; // which indexes bufs
    if (b === null) b = this.bufs[this.which] = Buffer.allocUnsafeSlow(this.bufSize);
    let n: number;
    try {
      n = readSync(this.fh.fd, b, 0, b.length, null);
    } catch (e) {
      this.done = true;
      throw e;
    }
    if (n === 0) {
      this.done = true;
      return null;
    }
    this.rawBytes += n;
    return n === b.length ? b : b.subarray(0, n);
  }

  async close(): Promise<void> {
    this.done = true;
    await this.fh.close().catch(() => undefined);
  }
}

/** Chunks of a readable stream, optionally counting them as raw input. */
class StreamSource implements ChunkSource {
  rawBytes = 0;
  private head: Buffer | null;

  constructor(
    private readonly it: AsyncIterator<unknown>,
    readonly gzip: boolean,
    head: Buffer | null,
    private readonly rawCounter: (() => number) | null,
    private readonly onClose: () => void,
  ) {
    this.head = head;
    if (head) this.rawBytes = head.length;
  }

  async read(): Promise<Buffer | null> {
    if (this.head !== null) {
      const h = this.head;
      this.head = null;
      return h;
    }
    const r = await this.it.next();
    if (this.rawCounter) this.rawBytes = this.rawCounter();
    if (r.done) return null;
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
    if (!this.rawCounter) this.rawBytes += c.length;
    return c;
  }

  async close(): Promise<void> {
    this.onClose();
    await Promise.resolve(this.it.return?.()).catch(() => undefined);
  }
}

function gunzipOf(raw: Readable, counter: { n: number }, onClose: () => void): ChunkSource {
  const gunzip = createGunzip({ chunkSize: GZIP_CHUNK });
  raw.on('data', (c: Buffer) => {
    counter.n += c.length;
  });
  // errors of either side end the iteration with that error
  pipeline(raw, gunzip, () => undefined);
  return new StreamSource(gunzip[Symbol.asyncIterator](), true, null, () => counter.n, () => {
    gunzip.destroy();
    raw.destroy();
    onClose();
  });
}

/** Opens a capture file (plain or gzip). Rejects with the system error if it cannot be read. */
export async function openFileSource(path: string, chunkSize: number): Promise<ChunkSource> {
  const fh = await fsp.open(path, 'r');
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    if (bytesRead === 2 && isGzip(magic)) {
      const raw = createReadStream('', { fd: fh, start: 0, highWaterMark: chunkSize, autoClose: true });
      return gunzipOf(raw, { n: 0 }, () => undefined);
    }
    // regular files: no bigger buffer than the file needs (many small inputs stay cheap)
    const size = st.isFile() && st.size > 0 ? Math.min(chunkSize, st.size + 1) : chunkSize;
    if (st.isFile()) return new SyncFileSource(fh, Math.max(size, 4096));
    return new FileSource(fh, Math.max(size, 4096));
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

/** Wraps a byte stream (stdin, a tcpdump pipe); gzip is detected on its first bytes. */
export async function openStreamSource(stream: NodeJS.ReadableStream): Promise<ChunkSource> {
  const rs = stream instanceof Readable ? stream : new Readable().wrap(stream);
  const it = rs[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  // gather at least 2 bytes to look for the gzip magic
  const parts: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < 2) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
    parts.push(c);
    have += c.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (!isGzip(head)) {
    const src = new StreamSource(it, false, head.length > 0 ? head : null, null, () => undefined);
    if (ended) await it.return?.();
    return src;
  }
  const counter = { n: 0 };
  const rest = Readable.from(
    (async function* () {
      yield head;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
      }
    })(),
    { objectMode: false },
  );
  return gunzipOf(rest, counter, () => {
    void it.return?.();
  });
}
