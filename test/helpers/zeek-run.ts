/**
 * Replays captures through the whole analysis (capture → net → tracker → detect) with a
 * --zeek-dir writer, as the CLI wires it, and returns the directory's logs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCaptures } from '../../src/capture/reader';
import { AnalysisPipeline } from '../../src/cli/pipeline';
import { defaultConfig } from '../../src/shared/config';
import { ZeekDirWriter } from '../../src/output/zeek/dir-writer';
import type { OutputRecord } from '../../src/shared/records';

export interface ZeekRun {
  /** file name (smb_mapping.log, …) → contents; logs without rows have no file */
  logs: Record<string, string>;
  records: OutputRecord[];
}

export async function runZeekDir(captures: string[], json = false): Promise<ZeekRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-zeekdir-'));
  try {
    const zeek = new ZeekDirWriter({ dir, json, suppressForSec: defaultConfig().suppression.window });
    const records: OutputRecord[] = [];
    const pipeline = new AnalysisPipeline(defaultConfig(), {
      write: (rec) => {
        records.push(rec);
        zeek.write(rec);
      },
      writeInternal: (rec) => zeek.writeInternal(rec),
    });
    const summary = await readCaptures(captures, pipeline.onPacket);
    if (summary.error) throw new Error(`${captures.join(' ')}: ${summary.error.message}`);
    pipeline.finish();
    await zeek.close();
    const logs: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) logs[f] = readFileSync(path.join(dir, f), 'utf8');
    return { logs, records };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
