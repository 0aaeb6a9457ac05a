#!/usr/bin/env node
/**
 * sharewatch entry point: the order of a run — start-up checks (startup.ts, run-as.ts), output
 * (output.ts), signals (run-control.ts), metrics (metrics-endpoint.ts), then a replay (replay.ts)
 * or a live capture (live-run.ts) through the pipeline, the summary, the exit status (0 done,
 * 1 runtime failure, 2 usage error or unreadable input).
 */
import { setFlagsFromString } from 'node:v8';
import { AnalysisPipeline, type RecordWriter } from './pipeline';
import type { Config } from '../shared/config';
import type * as Sharded from './workers/parallel-pipeline';
import { isSharded } from './workers/sharded';
import type * as RunAs from './run-as';
import type * as LiveRun from './live-run';
import { summaryText } from './summary';
import { err } from './diagnostics';
import { loadConfiguration, parseArguments, readFilesExist, workersFor } from './startup';
import { openOutput } from './output';
import { RunControl } from './run-control';
import { startMetrics } from './metrics-endpoint';
import { runReplay } from './replay';
import { finishReport, openReport, runReportCommand, teeToReport } from './report-command';

// Keep the heap near what is live: V8 otherwise lets the old generation grow to ~4x the live data
// between full collections (synth-5G replay: 226 MB peak RSS with ~55 MB live; 155 MB with this,
// for ~8% more CPU). Read by V8 each time it sizes the heap, so setting it here takes effect.
setFlagsFromString('--heap-growing-percent=50');

async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'report') return runReportCommand(argv.slice(1));
  const opts = parseArguments(argv);
  if (typeof opts === 'number') return opts;
  const config = loadConfiguration(opts.config);
  if (config === null) return 2;
  if (!readFilesExist(opts.readFiles)) return 2;
  const output = openOutput(opts, config.suppression.window, config.observer.name);
  if (output === null) return 2;
  // live-only modules (tcpdump, privileges) load only for live runs: start-up
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
  const runAs = opts.iface ? (require('./run-as') as typeof RunAs).chooseRunAs(opts.user) : null;
  if (runAs === false) return 2;

  const report = openReport(opts.report);
  if (report === false) return 2;

  const sink = report ? teeToReport(output.writer, report.builder) : output.writer;
  const live = !!opts.iface;
  const workers = workersFor(opts);
  const pipeline = workers > 1 ? shardedPipeline(config, sink, workers, opts.config, live) : new AnalysisPipeline(config, sink, { live });
  const started = process.hrtime.bigint();
  const ctl = new RunControl(output.writer, opts.readFiles.includes('-'));
  if (isSharded(pipeline)) {
    // a worker threw: stop reading; what the workers emitted is written, exit 1
    pipeline.onFailure = () => {
      if (ctl.live) ctl.live.stop();
      else ctl.abort.abort();
    };
  }
  ctl.installSignalHandlers();
  const metrics = await startMetrics(opts, pipeline, ctl);
  if (metrics === false) return 2;

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
  const outcome = opts.iface ? await (require('./live-run') as typeof LiveRun).runLive(opts, runAs, pipeline, ctl) : await runReplay(opts, pipeline, ctl);
  if (outcome === null) {
    await metrics?.close();
    return 2;
  }
  await output.writer.close();
  if (metrics) await metrics.close();
  const reportOk = report === null || finishReport(report, opts, pipeline.packets, outcome.inputBytes);
  if (!opts.quiet || opts.stats) {
    const live = ctl.live;
    process.stderr.write(
      summaryText(pipeline, {
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        inputBytes: outcome.inputBytes,
        linktypes: outcome.linktypes,
        kernelDrops: live ? live.stats.droppedKernel : null,
        live: live ? live.stats : null,
        error: outcome.stopReason === null && ctl.interrupted ? 'interrupted by signal' : null,
      }),
    );
  }
  // The reason the input stopped is one stderr line, after the summary, so it is the last thing seen.
  if (outcome.stopReason !== null) err(outcome.stopReason);
  if (isSharded(pipeline) && pipeline.failed) return 1;
  if ((output.failed() || !reportOk) && outcome.status === 0) return 1;
  return outcome.status;
}

/** The sharded pipeline, loaded only by runs that use it (worker_threads, the merge): start-up. */
function shardedPipeline(config: Config, sink: RecordWriter, workers: number, configPath: string | null, live: boolean): Sharded.ParallelPipeline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
  const { ParallelPipeline } = require('./workers/parallel-pipeline') as typeof Sharded;
  return new ParallelPipeline(config, sink, workers, configPath, { live });
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
