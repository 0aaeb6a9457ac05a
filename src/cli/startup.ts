/**
 * Everything checked before the analysis starts, each failure one stderr line and exit 2: the
 * arguments (--help and --version answered here), the configuration file, the -r files.
 */
import { statSync } from 'node:fs';
import { parseCli, UsageError, USAGE, type CliOptions } from './args';
import { packageVersion } from './version';
import { err } from './diagnostics';
import { ConfigError, defaultConfig, loadConfig, type Config } from '../shared/config';

/** The options, or the exit status when there is nothing more to do (help, version, usage error). */
export function parseArguments(argv: string[]): CliOptions | number {
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
  return opts;
}

/** The -c file (or the defaults); null after reporting a bad one. */
export function loadConfiguration(path: string | null): Config | null {
  try {
    return path ? loadConfig(path) : defaultConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return null;
    }
    throw e;
  }
}

/** Every -r path (not '-') is a regular file; false after reporting the first that is not. */
export function readFilesExist(files: string[]): boolean {
  for (const f of files) {
    if (f === '-') continue;
    try {
      if (!statSync(f).isFile()) {
        err(`${f}: not a regular file`);
        return false;
      }
    } catch (e) {
      err(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      return false;
    }
  }
  return true;
}

/** Total size of the -r files for the progress line (0 when stdin is one of them). */
/**
 * Replays of regular files below this size run on one thread unless --workers is given: starting
 * worker threads (~50 ms each, measured) costs more than they save on them, and the output is the
 * same whatever N.
 */
export const SMALL_REPLAY_BYTES = 16 << 20;

/** The analysis threads a run uses (the default N, or 1 for a small replay; a given --workers N). */
export function workersFor(opts: CliOptions): number {
  if (opts.workersGiven || opts.workers === 1 || opts.iface) return opts.workers;
  if (opts.readFiles.includes('-')) return opts.workers;
  return totalSize(opts.readFiles) < SMALL_REPLAY_BYTES ? 1 : opts.workers;
}

export function totalSize(files: string[]): number {
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
