/**
 * How a run is stopped: SIGINT/SIGTERM stop the live capture or abort the replay (a second one
 * gives up at once), SIGHUP reopens -w, and the writer is flushed at exit.
 */
import type { EventWriter } from '../output/writer';
import type { LiveCapture } from '../capture/live';

export class RunControl {
  readonly abort = new AbortController();
  /** the live capture, once started (stop() goes to it instead of the abort signal) */
  live: LiveCapture | null = null;
  interrupted = false;

  constructor(
    private readonly writer: EventWriter,
    private readonly readsStdin: boolean,
  ) {}

  /** SIGINT/SIGTERM */
  stop(): void {
    if (this.interrupted) {
      // a second signal: what is written stays complete lines, the rest is given up
      this.writer.flushSync();
      process.exit(1);
    }
    this.interrupted = true;
    if (this.live) this.live.stop();
    else {
      this.abort.abort();
      // a replay waiting on stdin would not see the abort until more bytes came
      if (this.readsStdin) process.stdin.destroy();
    }
  }

  installSignalHandlers(): void {
    const onStop = (): void => this.stop();
    process.on('SIGINT', onStop);
    process.on('SIGTERM', onStop);
    process.on('SIGHUP', () => this.writer.reopen());
    process.on('exit', () => this.writer.flushSync());
  }
}
