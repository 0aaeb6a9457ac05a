/**
 * `sharewatch report EVENTS.ndjson… -o FILE.html`: the investigation report from NDJSON event
 * logs written earlier (-w files, rotated and gzip-compressed ones included, `-` for stdin), and
 * the `--report FILE.html` of a run: a tee of the records the run writes, as their NDJSON lines.
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type * as Report from '../report';
import type { ReportBuilder, RunInfo } from '../report';
import { toNdjsonLine } from '../output/ecs';
import type { OutputRecord } from '../shared/records';
import type { RecordWriter } from './pipeline';
import type { CliOptions } from './args';
import { err } from './diagnostics';

export const REPORT_USAGE = `Usage:
  sharewatch report EVENTS.ndjson [EVENTS.ndjson …] -o FILE.html
      build the HTML investigation report from NDJSON event logs (sharewatch's stdout or -w files;
      rotated and .gz files included, merged by time; - = stdin)

Options:
  -o, --output FILE   the report to write (- = stdout)
  -q, --quiet         no summary line on stderr
  -h, --help          show this help
`;


/** The report builder and page (loaded only by runs that write a report: start-up). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
const report = (): typeof Report => require('../report') as typeof Report;

/** Opens the report file now (so a bad path is a usage error before any work), written at the end. */
export class ReportFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static open(path: string): ReportFile {
    return new ReportFile(path, path === '-' ? 1 : openSync(path, 'w'));
  }

  write(builder: ReportBuilder, run: RunInfo): void {
    const html = report().renderReport(builder.finish(), run);
    const buf = Buffer.from(html, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } finally {
      if (this.fd !== 1) closeSync(this.fd);
    }
  }
}

export interface RunReport {
  readonly file: ReportFile;
  readonly builder: ReportBuilder;
}

/** --report FILE.html: opened now (a bad path is a usage error, false), null without the flag. */
export function openReport(path: string | null): RunReport | null | false {
  if (path === null) return null;
  if (path === '-') {
    err('--report -: stdout carries the events; give the report a file');
    return false;
  }
  try {
    return { file: ReportFile.open(path), builder: new (report().ReportBuilder)() };
  } catch (e) {
    err(`--report ${path}: ${(e as Error).message}`);
    return false;
  }
}

/** The run is over (replay end, signal, live stop): write the page; false if it could not be written. */
export function finishReport(r: RunReport, opts: CliOptions, packets: number, bytes: number): boolean {
  try {
    r.file.write(r.builder, {
      inputs: opts.iface ? [`live: ${opts.iface}`] : opts.readFiles.map((f) => (f === '-' ? 'stdin' : f)),
      packets,
      bytes,
    });
    return true;
  } catch (e) {
    err(`--report ${r.file.path}: ${(e as Error).message}`);
    return false;
  }
}

/** The run's record writer, also feeding the report the NDJSON line of each record. */
export function teeToReport(out: RecordWriter, builder: ReportBuilder): RecordWriter {
  return {
    write(rec: OutputRecord): void {
      out.write(rec);
      builder.addLine(toNdjsonLine(rec));
    },
  };
}

export async function runReportCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err(`report: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
    process.stderr.write(`Try 'sharewatch report --help' for more information.\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(REPORT_USAGE);
    return 0;
  }
  const files = parsed.positionals;
  const usage = (m: string): number => {
    err(`report: ${m}`);
    process.stderr.write(`Try 'sharewatch report --help' for more information.\n`);
    return 2;
  };
  if (files.length === 0) return usage('no event log given (a file, or - for stdin)');
  if (v.output === undefined) return usage('give the report file with -o FILE.html');
  if (files.filter((f) => f === '-').length > 1) return usage('stdin (-) can be read only once');
  for (const f of files) {
    if (f === '-') continue;
    try {
      if (!statSync(f).isFile()) return usage(`${f}: not a regular file`);
    } catch (e) {
      return usage(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  let out: ReportFile;
  try {
    out = ReportFile.open(v.output);
  } catch (e) {
    return usage(`${v.output}: ${(e as Error).message}`);
  }
  const builder = new (report().ReportBuilder)();
  try {
    await report().readEventLogs(files, (p) => builder.addParsed(p));
  } catch (e) {
    err(`report: ${(e as Error).message}`);
    return 2;
  }
  try {
    out.write(builder, { inputs: files.map((f) => (f === '-' ? 'stdin' : f)), packets: null, bytes: null });
  } catch (e) {
    err(`report: ${v.output}: ${(e as Error).message}`);
    return 1;
  }
  const bad = [...builder.badLines.values()].reduce((a, b) => a + b, 0);
  if (bad > 0) err(`report: ${bad} line(s) were not sharewatch events and were skipped`);
  if (!v.quiet) err(`report: ${builder.eventCount} events → ${v.output}`);
  return 0;
}
