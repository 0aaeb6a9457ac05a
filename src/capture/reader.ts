/**
 * Replay of capture files and streams: one parser per input, several inputs merged in timestamp
 * order (ties keep the order of the inputs, like mergecap). Damage is reported as a value
 * (ReadSummary.error) after every packet before it has been delivered; the reader never rejects
 * on bad input (only when the onPacket callback itself throws).
 */
import type { CapturedPacket } from '../shared/packet';
import { CaptureError } from './errors';
import { CaptureCounters } from './counters';
import { CaptureParser, type CaptureFormat } from './parser';
import { openFileSource, openStreamSource, type ChunkSource } from './sources';

export { CaptureError } from './errors';
export { CaptureCounters } from './counters';
export { CaptureParser, MAX_CAPLEN, type CaptureFormat } from './parser';

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** merged inputs share this much read-buffer space (each gets at least 64 KiB) */
const MERGE_BUFFER_BUDGET = 8 * 1024 * 1024;

export interface Timestamp {
  sec: number;
  nsec: number;
}

export interface FileSummary {
  name: string;
  /** = CapturedPacket.sourceIndex of its packets */
  index: number;
  format: CaptureFormat | null;
  gzip: boolean;
  /** link types of the packets delivered (classic pcap: the file's link type) */
  linktypes: number[];
  packets: number;
  /** bytes taken from the file or stream (compressed size for gzip) */
  bytes: number;
  /** bytes after decompression that reached the parser */
  decompressedBytes: number;
  first: Timestamp | null;
  last: Timestamp | null;
  /** records read although their caplen exceeds the snaplen */
  recordsOverSnaplen: number;
}

export interface ReadSummary {
  packets: number;
  /** bytes of input read, all inputs (compressed bytes for gzip) */
  bytes: number;
  files: FileSummary[];
  /** the first damage met; reading stopped there */
  error: CaptureError | null;
  /** stopped early by opts.signal */
  aborted: boolean;
}

export interface ReadOptions {
  /** abort stops after the packet being delivered */
  signal?: AbortSignal;
  /** called after each chunk read with the total input bytes read so far */
  onProgress?: (bytesRead: number) => void;
  /** read size (default 1 MiB); small values exercise records spanning chunks in tests */
  chunkSize?: number;
  /** the stream behind '-' (default process.stdin) */
  stdin?: NodeJS.ReadableStream;
  /** run-wide capture counters, updated as the read goes (summary, --metrics) */
  counters?: CaptureCounters;
}

export type PacketHandler = (p: CapturedPacket) => void;

class Input {
  readonly parser: CaptureParser;
  source: ChunkSource | null = null;

  constructor(
    readonly name: string,
    readonly index: number,
    counters: CaptureCounters | undefined,
  ) {
    this.parser = new CaptureParser(name, index, counters);
  }

  summary(): FileSummary {
    const p = this.parser;
    return {
      name: this.name,
      index: this.index,
      format: p.format,
      gzip: this.source?.gzip ?? false,
      linktypes: [...p.linktypes].sort((a, b) => a - b),
      packets: p.packets,
      bytes: this.source?.rawBytes ?? 0,
      decompressedBytes: p.bytesPushed,
      first: p.packets > 0 ? { sec: p.firstSec, nsec: p.firstNsec } : null,
      last: p.packets > 0 ? { sec: p.lastSec, nsec: p.lastNsec } : null,
      recordsOverSnaplen: p.recordsOverSnaplen,
    };
  }
}

function sourceErrorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err?.message ?? '')) return 'truncated gzip stream';
  if (err?.code === 'Z_DATA_ERROR') return `corrupt gzip data (${err.message})`;
  return `read error: ${err?.message ?? String(e)}`;
}

function openErrorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'cannot open: no such file';
  if (err?.code === 'EACCES') return 'cannot open: permission denied';
  if (err?.code === 'EISDIR') return 'cannot open: is a directory';
  return `cannot open: ${err?.message ?? String(e)}`;
}

/** Shared state of one read: stop flag, progress, totals. */
class Run {
  stopped = false;
  aborted = false;
  private readonly detach: () => void;

  constructor(
    readonly inputs: Input[],
    private readonly opts: ReadOptions,
  ) {
    const signal = opts.signal;
    if (signal) {
      const onAbort = (): void => {
        this.stopped = true;
        this.aborted = true;
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.detach = () => signal.removeEventListener('abort', onAbort);
    } else {
      this.detach = () => undefined;
    }
  }

  rawBytes(): number {
    let n = 0;
    for (const i of this.inputs) n += i.source?.rawBytes ?? 0;
    return n;
  }

  progress(): void {
    this.opts.onProgress?.(this.rawBytes());
  }

  /** Reads until the input's parser holds a packet (true) or it ended or failed (false). */
  async advance(inp: Input): Promise<boolean> {
    const parser = inp.parser;
    for (;;) {
      if (parser.next()) return true;
      if (parser.error !== null || this.stopped) return false;
      let chunk: Buffer | null;
      try {
        chunk = await inp.source!.read();
      } catch (e) {
        parser.failSource(sourceErrorReason(e));
        return false;
      }
      if (chunk === null) {
        parser.end();
        return false;
      }
      parser.push(chunk);
      this.progress();
    }
  }

  /** One input: the hot loop, no promise per packet. */
  async drainOne(inp: Input, onPacket: PacketHandler): Promise<void> {
    const parser = inp.parser;
    const pkt = parser.packet;
    for (;;) {
      while (parser.next()) {
        onPacket(pkt);
        if (this.stopped) return;
      }
      if (parser.error !== null || this.stopped) return;
      let chunk: Buffer | null;
      try {
        chunk = await inp.source!.read();
      } catch (e) {
        parser.failSource(sourceErrorReason(e));
        return;
      }
      if (chunk === null) {
        parser.end();
        return;
      }
      parser.push(chunk);
      this.progress();
    }
  }

  /** Several inputs: always deliver the earliest head packet; equal times go in input order. */
  async merge(onPacket: PacketHandler): Promise<CaptureError | null> {
    const heads: Input[] = [];
    for (const inp of this.inputs) {
      if (await this.advance(inp)) heads.push(inp);
      else if (inp.parser.error) return inp.parser.error;
      if (this.stopped) return null;
    }
    while (heads.length > 0) {
      let best = 0;
      let bp = heads[0]!.parser.packet;
      for (let i = 1; i < heads.length; i++) {
        const q = heads[i]!.parser.packet;
        // heads stay sorted by input index, so strict < keeps ties in input order
        if (q.tsSec < bp.tsSec || (q.tsSec === bp.tsSec && q.tsNsec < bp.tsNsec)) {
          best = i;
          bp = q;
        }
      }
      onPacket(bp);
      if (this.stopped) return null;
      const h = heads[best]!;
      if (h.parser.next() || (await this.advance(h))) continue;
      if (h.parser.error) return h.parser.error;
      if (this.stopped) return null;
      heads.splice(best, 1);
    }
    return null;
  }

  finish(error: CaptureError | null): ReadSummary {
    this.detach();
    const files = this.inputs.map((i) => i.summary());
    let packets = 0;
    for (const f of files) packets += f.packets;
    return { packets, bytes: this.rawBytes(), files, error, aborted: this.aborted };
  }
}

async function runInputs(
  run: Run,
  onPacket: PacketHandler,
  open: (inp: Input) => Promise<ChunkSource>,
): Promise<ReadSummary> {
  try {
    for (const inp of run.inputs) {
      try {
        inp.source = await open(inp);
      } catch (e) {
        return run.finish(new CaptureError(inp.name, 0, openErrorReason(e)));
      }
    }
    let error: CaptureError | null;
    const only = run.inputs.length === 1 ? run.inputs[0]! : null;
    if (only !== null) {
      await run.drainOne(only, onPacket);
      error = only.parser.error;
    } else {
      error = await run.merge(onPacket);
    }
    return run.finish(run.stopped && run.aborted ? null : error);
  } finally {
    for (const inp of run.inputs) if (inp.source) await inp.source.close();
  }
}

/**
 * Reads capture files ('-' = stdin) and calls onPacket for every packet, merged in timestamp
 * order when there are several. The packet object is reused: copy what you keep. Resolves with a
 * summary whose `error` is the first damage met (packets before it were all delivered).
 */
export function readCaptures(paths: string[], onPacket: PacketHandler, opts: ReadOptions = {}): Promise<ReadSummary> {
  const inputs = paths.map((p, i) => new Input(p, i, opts.counters));
  const run = new Run(inputs, opts);
  const chunk =
    opts.chunkSize ??
    (paths.length <= 1 ? DEFAULT_CHUNK_SIZE : Math.max(64 * 1024, Math.min(DEFAULT_CHUNK_SIZE, Math.floor(MERGE_BUFFER_BUDGET / paths.length))));
  return runInputs(run, onPacket, (inp) =>
    inp.name === '-' ? openStreamSource(opts.stdin ?? process.stdin) : openFileSource(inp.name, chunk),
  );
}

/** The same over any byte stream (stdin, a `tcpdump -U -w -` child); `name` labels errors. */
export function readStream(
  stream: NodeJS.ReadableStream,
  name: string,
  onPacket: PacketHandler,
  opts: ReadOptions = {},
): Promise<ReadSummary> {
  const run = new Run([new Input(name, 0, opts.counters)], opts);
  return runInputs(run, onPacket, () => openStreamSource(stream));
}
