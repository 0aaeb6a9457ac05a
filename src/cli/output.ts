/** The event writer of a run (-w FILE or stdout, --format; --zeek-dir beside it) and whether it lost events. */
import { createWriter, type EventWriter } from '../output/writer';
import type * as ZeekDir from '../output/zeek/dir-writer';
import { makeObserver } from '../output/observer';
import { err } from './diagnostics';
import type { CliOptions } from './args';

export interface RunOutput {
  readonly writer: EventWriter;
  /** events were lost to a write error (not EPIPE): the run ends with status 1 */
  readonly failed: () => boolean;
}

/**
 * The writer, or null after reporting why it cannot be opened. `suppressForSec`: notice.log's
 * suppress_for; `observerName`: config observer.name (observer.hostname on every event; null =
 * this host's name).
 */
export function openOutput(opts: CliOptions, suppressForSec: number, observerName: string | null = null): RunOutput | null {
  let failed = false;
  let writer: EventWriter;
  try {
    writer = createWriter({
      format: opts.format,
      path: opts.writeFile,
      observer: makeObserver({ name: observerName, iface: opts.iface ?? null }),
      onError: (message, code) => {
        err(message);
        // events were lost: a runtime failure — except a reader that went away (`| head`),
        // which is how pipelines end, as with tcpdump
        if (code !== 'EPIPE') failed = true;
      },
    });
  } catch (e) {
    err(`${opts.writeFile ?? 'stdout'}: ${(e as Error).message}`);
    return null;
  }
  if (opts.zeekDir !== null) {
    try {
      // loaded only with --zeek-dir (start-up)
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
      const { withZeekDir } = require('../output/zeek/dir-writer') as typeof ZeekDir;
      writer = withZeekDir(writer, {
        dir: opts.zeekDir,
        json: opts.zeekJson,
        suppressForSec,
        onError: (message) => {
          err(message);
          failed = true;
        },
      });
    } catch (e) {
      err(`--zeek-dir ${opts.zeekDir}: ${(e as Error).message}`);
      return null;
    }
  }
  return { writer, failed: () => failed };
}
