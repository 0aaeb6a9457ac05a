/** Command-line parsing (node:util parseArgs: no dependency needed for this flag set). */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';

export type Format = 'ndjson' | 'pretty' | 'zeek';

export interface CliOptions {
  readFiles: string[];
  iface: string | null;
  bpf: string | null;
  config: string | null;
  format: Format;
  writeFile: string | null;
  report: string | null;
  /** --zeek-dir DIR (Zeek logs beside the main output), --zeek-json */
  zeekDir: string | null;
  zeekJson: boolean;
  metrics: string | null;
  progress: boolean;
  quiet: boolean;
  stats: boolean;
  user: string | null;
  bufferSizeMiB: number | null;
  snaplen: number;
  /** analysis threads (1: single-threaded) */
  workers: number;
  /** --workers was given (else the default, which small replays trade for one thread: see main) */
  workersGiven: boolean;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

export const DEFAULT_BPF = 'tcp port 445 or tcp port 139 or tcp port 135';

export const USAGE = `Usage:
  sharewatch -r FILE [-r FILE …] [options]     replay pcap/pcapng captures (gzip ok, - = stdin)
  sharewatch -i IFACE [options] [BPF filter…]    tail a live interface
                                                 (default filter: ${DEFAULT_BPF})
  sharewatch report EVENTS.ndjson… -o FILE.html  HTML report from NDJSON event logs

Options:
  -r, --read FILE        capture file to replay; repeat to merge several in timestamp order
  -i, --interface IFACE  live capture interface (needs CAP_NET_RAW, via tcpdump)
  -c, --config FILE      configuration file (JSON or YAML)
  --format FMT           event format: ndjson (default), pretty, zeek
  -w, --write FILE       append events to FILE instead of stdout (reopened on SIGHUP)
  --report FILE.html     at the end of the run (replay end, SIGINT/SIGTERM live) also write
                         an HTML investigation report of everything the run emitted
  --zeek-dir DIR         also write Zeek logs (smb_mapping, smb_files, dce_rpc, ntlm, notice)
                         into DIR (appended; reopened on SIGHUP)
  --zeek-json            with --zeek-dir: Zeek's JSON log format instead of TSV
  --metrics HOST:PORT    serve Prometheus metrics at http://HOST:PORT/metrics
  --stats                print a capture summary (packets, bytes, link types, SMB flows) to stderr
  --no-progress          no progress bar on stderr during replay
  -q, --quiet            no summary on stderr at the end
  --user NAME            live, as root: drop to NAME once the capture is open (default nobody)
  --buffer-size MIB      live: kernel capture buffer size in MiB (default 64)
  --snaplen N            live: snapshot length (default 262144)
  --workers N            analysis threads, sharded by address pair (default: CPUs, at most 8,
                         but 1 for replays under 16 MiB; 1 = single-threaded); the output is
                         the same whatever N
  -h, --help             show this help
  -V, --version          show the version

Exit status: 0 done, 1 runtime failure, 2 usage error or unreadable input.
`;

function intOption(name: string, v: string | undefined, min: number, max: number): number | null {
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: expected a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name}: ${n} is out of range (${min}..${max})`);
  return n;
}

/**
 * node:util parseArgs errors as one line each. Its own messages span three lines for a missing
 * value before another option (`-r -q`) and suggest `--` positionals for an unknown option, which
 * replay does not take.
 */
function parseArgsMessage(e: NodeJS.ErrnoException): string {
  const msg = e.message ?? String(e);
  // "Option '-r, --read <value>' argument missing" / "Option '-r' argument is ambiguous." / "Unknown option '--x'."
  const quoted = /ption '([^']*)'/.exec(msg)?.[1]?.replace(/ <value>$/, '');
  if (quoted !== undefined) {
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${quoted}'`;
    if (/argument missing|argument is ambiguous/.test(msg)) return `option '${quoted}' needs a value`;
    if (/does not take an argument/.test(msg)) return `option '${quoted}' takes no value`;
  }
  return msg.split('\n')[0]!; // split yields at least one part
}

/** --workers default: the CPUs, at most 8 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        read: { type: 'string', short: 'r', multiple: true },
        interface: { type: 'string', short: 'i' },
        config: { type: 'string', short: 'c' },
        format: { type: 'string' },
        write: { type: 'string', short: 'w' },
        report: { type: 'string' },
        'zeek-dir': { type: 'string' },
        'zeek-json': { type: 'boolean' },
        metrics: { type: 'string' },
        stats: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        user: { type: 'string' },
        'buffer-size': { type: 'string' },
        snaplen: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw new UsageError(parseArgsMessage(e as NodeJS.ErrnoException));
  }
  const v = parsed.values;
  const opts: CliOptions = {
    readFiles: v.read ?? [],
    iface: v.interface ?? null,
    bpf: null,
    config: v.config ?? null,
    format: 'ndjson',
    writeFile: v.write ?? null,
    report: v.report ?? null,
    zeekDir: v['zeek-dir'] ?? null,
    zeekJson: !!v['zeek-json'],
    metrics: v.metrics ?? null,
    progress: !v['no-progress'],
    quiet: !!v.quiet,
    stats: !!v.stats,
    user: v.user ?? null,
    bufferSizeMiB: intOption('buffer-size', v['buffer-size'], 1, 4096),
    snaplen: intOption('snaplen', v.snaplen, 64, 262144) ?? 262144,
    workers: intOption('workers', v.workers, 1, 64) ?? defaultWorkers(),
    workersGiven: v.workers !== undefined,
    help: !!v.help,
    version: !!v.version,
  };
  if (opts.help || opts.version) return opts;
  if (v.format !== undefined) {
    if (v.format !== 'ndjson' && v.format !== 'pretty' && v.format !== 'zeek') {
      throw new UsageError(`--format: expected ndjson, pretty or zeek, got '${v.format}'`);
    }
    opts.format = v.format;
  }
  if (opts.zeekJson && opts.zeekDir === null) throw new UsageError('--zeek-json needs --zeek-dir DIR');
  if (opts.zeekDir === '') throw new UsageError("--zeek-dir: expected a directory, got ''");
  if (opts.readFiles.length > 0 && opts.iface !== null) throw new UsageError('-r and -i cannot be used together');
  if (opts.readFiles.length === 0 && opts.iface === null) throw new UsageError('nothing to do: give -r FILE or -i IFACE');
  if (parsed.positionals.length > 0) {
    if (opts.iface === null) throw new UsageError(`unexpected argument '${parsed.positionals[0]}' (a BPF filter goes with -i)`);
    opts.bpf = parsed.positionals.join(' ');
  } else if (opts.iface !== null) {
    opts.bpf = DEFAULT_BPF;
  }
  if (opts.readFiles.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-r -) can be read only once');
  return opts;
}
