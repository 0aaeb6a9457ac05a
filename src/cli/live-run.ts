/**
 * A live capture through the pipeline: start tcpdump, drop privileges, read its pcap stream until
 * a signal or its end, ask for kernel drop counters along the way.
 */
import { readStream } from '../capture/reader';
import { LiveCapture, LiveCaptureError, dropPrivileges } from '../capture/live';
import { err } from './diagnostics';
import { isSharded, type AnyPipeline } from './workers/sharded';
import type { CliOptions } from './args';
import type { RunControl } from './run-control';
import type { RunOutcome } from './outcome';

const STATS_INTERVAL_MS = 5_000;

/** The outcome, or null when the capture could not start (reported; exit 2, no summary). */
export async function runLive(opts: CliOptions, runAs: string | null, pipeline: AnyPipeline, ctl: RunControl): Promise<RunOutcome | null> {
  const live = new LiveCapture({
    iface: opts.iface!,
    bpf: opts.bpf!,
    snaplen: opts.snaplen,
    bufferSizeMiB: opts.bufferSizeMiB,
    // where tcpdump is not in PATH or /usr/sbin (and for tests of the "not found" error)
    tcpdump: process.env.SHAREWATCH_TCPDUMP || undefined,
    user: runAs,
  });
  ctl.live = live;
  let stream;
  try {
    stream = await live.start();
  } catch (e) {
    if (e instanceof LiveCaptureError) {
      err(e.message);
      return null;
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
      return null;
    }
  }
  if (!opts.quiet) {
    err(`listening on ${opts.iface} (filter: ${opts.bpf})${runAs !== null ? `, running as ${runAs}` : ''}`);
  }
  // kernel drop counters: tcpdump prints them on SIGUSR1 (and at exit)
  if (isSharded(pipeline)) pipeline.startLiveTimer();
  const statsTimer = setInterval(() => live.requestStats(), STATS_INTERVAL_MS);
  statsTimer.unref();
  const summary = await readStream(stream, `${opts.iface} (tcpdump)`, pipeline.onPacket, { counters: pipeline.capture });
  clearInterval(statsTimer);
  await live.exited();
  let status = 0;
  let stopReason: string | null = null;
  const unexpected = live.unexpectedEnd();
  if (summary.error && !ctl.interrupted) {
    stopReason = summary.error.message;
    status = 1;
  } else if (unexpected !== null) {
    stopReason = unexpected;
    status = 1;
  }
  // the capture is over: open connections, sessions and trees end with capture_end
  if (isSharded(pipeline) && pipeline.failed) await pipeline.stop();
  else await pipeline.finish();
  return { status, stopReason, inputBytes: summary.bytes };
}
