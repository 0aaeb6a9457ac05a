/**
 * Runs the whole analysis in-process (reader → net → tracker → detection) over capture files
 * and collects what would be written: lifecycle records and alerts, plus their ECS events.
 */
import * as path from 'node:path';
import { readCaptures } from '../../src/capture/reader';
import { AnalysisPipeline } from '../../src/cli/pipeline';
import { defaultConfig, parseConfig, type Config } from '../../src/shared/config';
import { toEcs } from '../../src/output/ecs';
import type { OutputRecord } from '../../src/shared/records';

export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'captures');
export const OWN = path.resolve(__dirname, '..', '..', 'captures');

export function shared(rel: string): string {
  return path.join(SHARED, rel);
}
export function own(rel: string): string {
  return path.join(OWN, rel);
}

export interface Analysis {
  records: OutputRecord[];
  events: Record<string, any>[];
  pipeline: AnalysisPipeline;
  error: Error | null;
}

export async function analyze(files: string[], config?: unknown): Promise<Analysis> {
  const cfg: Config = config === undefined ? defaultConfig() : parseConfig(config, 'test');
  const records: OutputRecord[] = [];
  const pipeline = new AnalysisPipeline(cfg, { write: (r) => records.push(r) });
  const summary = await readCaptures(files, pipeline.onPacket);
  pipeline.finish();
  return { records, events: records.map((r) => toEcs(r) as Record<string, any>), pipeline, error: summary.error };
}

/** Events with a given event.action. */
export function actions(a: Analysis, action: string): Record<string, any>[] {
  return a.events.filter((e) => e.event.action === action);
}
