/** Replay of -r files (or stdin) through the pipeline, with the progress line on a terminal. */
import { readCaptures, type ReadSummary } from '../capture/reader';
import { Progress } from './progress';
import { err } from './diagnostics';
import { totalSize } from './startup';
import { isSharded, type AnyPipeline } from './workers/sharded';
import type { CliOptions } from './args';
import type { RunControl } from './run-control';
import type { RunOutcome } from './outcome';

export async function runReplay(opts: CliOptions, pipeline: AnyPipeline, ctl: RunControl): Promise<RunOutcome> {
  let progress: Progress | null = null;
  try {
    if (opts.progress && process.stderr.isTTY && !opts.quiet) {
      progress = new Progress(pipeline, totalSize(opts.readFiles));
      progress.start();
    }
    // a replay can wait on its input (stdin from tcpdump): quiet moments still move the merge
    if (isSharded(pipeline)) pipeline.startLiveTimer();
    const summary = await readCaptures(opts.readFiles, pipeline.onPacket, {
      signal: ctl.abort.signal,
      onProgress: progress ? (n: number) => progress!.setBytes(n) : undefined,
      counters: pipeline.capture,
    });
    progress?.stop();
    // An interrupted replay stops where it is: what was written is a prefix of the full run.
    if (!ctl.interrupted && !(isSharded(pipeline) && pipeline.failed)) await pipeline.finish();
    else if (isSharded(pipeline)) await pipeline.stop();
    // after the end: a sharded run's workers have then reported every loss
    // a snaplen that cuts SMB messages hides what they said: always told, even with -q
    pipeline.snaplenCut.forEach((s, i) => {
      if (s !== undefined && s.lostMessages > 0) {
        const name = opts.readFiles[i] === '-' ? 'stdin' : opts.readFiles[i];
        err(`${name}: warning: the snaplen cut ${s.packets} packets; ${s.lostMessages} SMB messages could not be read`);
      }
    });
    return {
      status: summary.error ? 2 : 0,
      stopReason: summary.error ? summary.error.message : null,
      inputBytes: summary.bytes,
      linktypes: linktypeCounts(summary),
    };
  } finally {
    progress?.stop();
  }
}

function linktypeCounts(summary: ReadSummary): Map<number, number> {
  const m = new Map<number, number>();
  for (const f of summary.files) for (const lt of f.linktypes) m.set(lt, (m.get(lt) ?? 0) + 1);
  return m;
}
