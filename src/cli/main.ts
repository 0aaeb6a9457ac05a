#!/usr/bin/env node
/**
 * sharewatch entry point: parses arguments, wires capture → analysis → output, handles signals
 * (SIGINT/SIGTERM flush and exit 0, SIGHUP reopens -w), prints the summary, sets the exit status
 * (0 done, 1 runtime failure, 2 usage error or unreadable input).
 */
import { statSync } from 'node:fs';
import { parseCli, UsageError, USAGE, type CliOptions } from './args';
import { packageVersion } from './version';
import { AnalysisPipeline } from './pipeline';
import { summaryText } from './summary';
import { Progress } from './progress';
import { readCaptures, readStream } from '../capture/reader';
import { LiveCapture, LiveCaptureError } from '../capture/live';
import { ConfigError, defaultConfig, loadConfig, type Config } from '../shared/config';
import { createWriter, type EventWriter } from '../output/writer';
import { startMetricsServer } from '../output/metrics';
import { metricsSources } from './metrics-sources';

const err = (line: string): void => {
  process.stderr.write(`sharewatch: ${line}\n`);
};

async function run(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      process.stderr.write(`Try 'sharewatch --help' for more information.\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`sharewatch ${packageVersion()}\n`);
    return 0;
  }

  let config: Config;
  try {
    config = opts.config ? loadConfig(opts.config) : defaultConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    throw e;
  }

  for (const f of opts.readFiles) {
    if (f === '-') continue;
    try {
      if (!statSync(f).isFile()) {
        err(`${f}: not a regular file`);
        return 2;
      }
    } catch (e) {
      err(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      return 2;
    }
  }

  let writer: EventWriter;
  try {
    writer = createWriter({ format: opts.format, path: opts.writeFile });
  } catch (e) {
    err(`${opts.writeFile ?? 'stdout'}: ${(e as Error).message}`);
    return 2;
  }
  const pipeline = new AnalysisPipeline(config, writer);
  const started = process.hrtime.bigint();
  const abort = new AbortController();
  let live: LiveCapture | null = null;
  let interrupted = false;

  const onStop = (): void => {
    if (interrupted) return;
    interrupted = true;
    if (live) live.stop();
    else abort.abort();
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', () => writer.reopen());
  process.on('exit', () => writer.flushSync());

  let metrics: { close(): Promise<void> } | null = null;
  if (opts.metrics) {
    try {
      metrics = await startMetricsServer(opts.metrics, metricsSources(pipeline, () => live?.stats.droppedKernel ?? 0));
    } catch (e) {
      err(`--metrics ${opts.metrics}: ${(e as Error).message}`);
      return 2;
    }
  }

  let status = 0;
  let stopReason: string | null = null;
  let inputBytes = 0;
  let linktypes: Map<number, number> | undefined;
  let progress: Progress | null = null;
  try {
    if (opts.iface) {
      live = new LiveCapture({
        iface: opts.iface,
        bpf: opts.bpf!,
        snaplen: opts.snaplen,
        bufferSizeMiB: opts.bufferSizeMiB,
        user: opts.user,
      });
      let stream;
      try {
        stream = await live.start();
      } catch (e) {
        if (e instanceof LiveCaptureError) {
          err(e.message);
          return 2;
        }
        throw e;
      }
      if (!opts.quiet) err(`listening on ${opts.iface} (filter: ${opts.bpf})`);
      const statsTimer = setInterval(() => live?.requestStats(), 10_000);
      statsTimer.unref();
      const summary = await readStream(stream, `${opts.iface} (tcpdump)`, pipeline.onPacket, {});
      clearInterval(statsTimer);
      await live.exited();
      inputBytes = summary.bytes;
      if (summary.error) {
        err(summary.error.message);
        status = 1;
      }
      pipeline.finish();
    } else {
      if (opts.progress && process.stderr.isTTY && !opts.quiet) {
        progress = new Progress(pipeline, totalSize(opts.readFiles));
        progress.start();
      }
      const summary = await readCaptures(opts.readFiles, pipeline.onPacket, {
        signal: abort.signal,
        onProgress: progress ? (n: number) => progress!.setBytes(n) : undefined,
      });
      progress?.stop();
      inputBytes = summary.bytes;
      linktypes = linktypeCounts(summary);
      if (summary.error) {
        err(summary.error.message);
        stopReason = summary.error.message;
        status = 2;
      }
      // An interrupted replay stops where it is: what was written is a prefix of the full run.
      if (!interrupted) pipeline.finish();
    }
  } finally {
    progress?.stop();
  }
  await writer.close();
  if (metrics) await metrics.close();
  if (!opts.quiet || opts.stats) {
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(
      summaryText(pipeline, {
        wallSeconds,
        inputBytes,
        linktypes,
        kernelDrops: live ? live.stats.droppedKernel : null,
        error: stopReason ?? (interrupted ? 'interrupted by signal' : null),
      }),
    );
  }
  return status;
}

function totalSize(files: string[]): number {
  let n = 0;
  for (const f of files) {
    if (f === '-') return 0;
    try {
      n += statSync(f).size;
    } catch {
      /* reported by the reader */
    }
  }
  return n;
}

function linktypeCounts(summary: { files: { linktypes: Iterable<number> }[] }): Map<number, number> {
  const m = new Map<number, number>();
  for (const f of summary.files) for (const lt of f.linktypes) m.set(lt, (m.get(lt) ?? 0) + 1);
  return m;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(`internal error: ${(e as Error)?.stack ?? String(e)}`);
    process.exitCode = 1;
  },
);
