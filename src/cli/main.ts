#!/usr/bin/env node
/**
 * sharewatch entry point: parses arguments, wires capture → analysis → output, handles signals
 * (SIGINT/SIGTERM flush and exit 0, SIGHUP reopens -w), prints the summary, sets the exit status
 * (0 done, 1 runtime failure, 2 usage error or unreadable input).
 */
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { parseCli, UsageError, USAGE, type CliOptions } from './args';
import { packageVersion } from './version';
import { AnalysisPipeline } from './pipeline';
import { summaryText } from './summary';
import { Progress } from './progress';
import { readCaptures, readStream } from '../capture/reader';
import { LiveCapture, LiveCaptureError, dropPrivileges, lookupUser } from '../capture/live';
import { ConfigError, defaultConfig, loadConfig, type Config } from '../shared/config';
import { createWriter, type EventWriter } from '../output/writer';
import { startMetricsServer, type MetricsServer } from '../output/metrics';
import { metricsSources } from './metrics-sources';

// Keep the heap near what is live: V8 otherwise lets the old generation grow to ~4x the live data
// between full collections (synth-5G replay: 226 MB peak RSS with ~55 MB live; 155 MB with this,
// for ~8% more CPU). Read by V8 each time it sizes the heap, so setting it here takes effect.
setFlagsFromString('--heap-growing-percent=50');

/** whom a root-started live capture runs as without --user */
const DEFAULT_RUN_AS = 'nobody';
const STATS_INTERVAL_MS = 5_000;

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

  let outputFailed = false;
  let writer: EventWriter;
  try {
    writer = createWriter({
      format: opts.format,
      path: opts.writeFile,
      onError: (message, code) => {
        err(message);
        // events were lost: a runtime failure — except a reader that went away (`| head`),
        // which is how pipelines end, as with tcpdump
        if (code !== 'EPIPE') outputFailed = true;
      },
    });
  } catch (e) {
    err(`${opts.writeFile ?? 'stdout'}: ${(e as Error).message}`);
    return 2;
  }
  const pipeline = new AnalysisPipeline(config, writer);
  const started = process.hrtime.bigint();
  const abort = new AbortController();
  let live: LiveCapture | null = null;
  let interrupted = false;

  // Live: whom the analyzer runs as once the capture is open. Root never keeps running the
  // analysis: without --user it becomes 'nobody'. tcpdump (-Z) drops to the same user, so this
  // process can still signal it (SIGUSR1 for counters, SIGINT to stop) after its own drop.
  let runAs: string | null = null;
  if (opts.iface) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (opts.user !== null) {
      if (opts.user === 'root' || lookupUser(opts.user)?.uid === 0) {
        err(`--user ${opts.user}: the analyzer does not run as root; name an unprivileged user`);
        return 2;
      }
      if (lookupUser(opts.user) === null) {
        err(`--user ${opts.user}: no such user`);
        return 2;
      }
      if (!isRoot && lookupUser(opts.user)!.uid !== process.getuid!()) {
        err(`--user ${opts.user}: only root can switch users (running as uid ${process.getuid!()})`);
        return 2;
      }
      runAs = isRoot ? opts.user : null;
    } else if (isRoot) {
      if (lookupUser(DEFAULT_RUN_AS) === null) {
        err(`running as root and there is no '${DEFAULT_RUN_AS}' user: give --user NAME (an unprivileged account)`);
        return 2;
      }
      runAs = DEFAULT_RUN_AS;
    }
  }

  const onStop = (): void => {
    if (interrupted) {
      // a second signal: what is written stays complete lines, the rest is given up
      writer.flushSync();
      process.exit(1);
    }
    interrupted = true;
    if (live) live.stop();
    else {
      abort.abort();
      // a replay waiting on stdin would not see the abort until more bytes came
      if (opts.readFiles.includes('-')) process.stdin.destroy();
    }
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', () => writer.reopen());
  process.on('exit', () => writer.flushSync());

  let metrics: MetricsServer | null = null;
  if (opts.metrics) {
    try {
      metrics = await startMetricsServer(opts.metrics, metricsSources(pipeline, () => live?.stats.droppedKernel ?? 0));
    } catch (e) {
      err(`--metrics ${opts.metrics}: ${(e as Error).message}`);
      return 2;
    }
    if (!opts.quiet) {
      const a = metrics.address;
      err(`metrics at http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`);
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
        // where tcpdump is not in PATH or /usr/sbin (and for tests of the "not found" error)
        tcpdump: process.env.SHAREWATCH_TCPDUMP || undefined,
        user: runAs,
      });
      let stream;
      try {
        stream = await live.start();
      } catch (e) {
        if (e instanceof LiveCaptureError) {
          err(e.message);
          await metrics?.close();
          return 2;
        }
        throw e;
      }
      if (runAs !== null) {
        try {
          dropPrivileges(runAs);
        } catch (e) {
          err(`cannot drop privileges to ${runAs}: ${(e as Error).message}`);
          live.stop();
          await live.exited();
          await metrics?.close();
          return 2;
        }
      }
      if (!opts.quiet) {
        err(`listening on ${opts.iface} (filter: ${opts.bpf})${runAs !== null ? `, running as ${runAs}` : ''}`);
      }
      // kernel drop counters: tcpdump prints them on SIGUSR1 (and at exit)
      const statsTimer = setInterval(() => live?.requestStats(), STATS_INTERVAL_MS);
      statsTimer.unref();
      const summary = await readStream(stream, `${opts.iface} (tcpdump)`, pipeline.onPacket, { counters: pipeline.capture });
      clearInterval(statsTimer);
      await live.exited();
      inputBytes = summary.bytes;
      const unexpected = live.unexpectedEnd();
      if (summary.error && !interrupted) {
        stopReason = summary.error.message;
        status = 1;
      } else if (unexpected !== null) {
        stopReason = unexpected;
        status = 1;
      }
      // the capture is over: open connections, sessions and trees end with capture_end
      pipeline.finish();
    } else {
      if (opts.progress && process.stderr.isTTY && !opts.quiet) {
        progress = new Progress(pipeline, totalSize(opts.readFiles));
        progress.start();
      }
      const summary = await readCaptures(opts.readFiles, pipeline.onPacket, {
        signal: abort.signal,
        onProgress: progress ? (n: number) => progress!.setBytes(n) : undefined,
        counters: pipeline.capture,
      });
      progress?.stop();
      inputBytes = summary.bytes;
      linktypes = linktypeCounts(summary);
      if (summary.error) {
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
        live: live ? live.stats : null,
        error: stopReason === null && interrupted ? 'interrupted by signal' : null,
      }),
    );
  }
  // The reason the input stopped is one stderr line, after the summary, so it is the last thing seen.
  if (stopReason !== null) err(stopReason);
  if (outputFailed && status === 0) status = 1;
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
