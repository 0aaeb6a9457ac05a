/**
 * Alerts per rule for every capture of the corpus and of the lab (test/detect-precision and the
 * README's precision table). Counts alert lines: first alerts and summaries alike.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, OWN } from './analyze';
import { corpusFiles, corpusName } from './corpus';

export type Table = Record<string, Record<string, number>>;

export function precisionFiles(): { name: string; file: string }[] {
  const corpus = corpusFiles().map((f) => ({ name: corpusName(f), file: f }));
  const lab = fs
    .readdirSync(OWN)
    .filter((f) => f.endsWith('.pcap'))
    .sort()
    .map((f) => ({ name: `captures/${f}`, file: path.join(OWN, f) }));
  return [...corpus, ...lab];
}

export async function alertsPerRule(file: string): Promise<Record<string, number>> {
  const a = await analyze([file]);
  const out: Record<string, number> = {};
  for (const r of a.records) if (r.kind === 'alert') out[r.ruleId] = (out[r.ruleId] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
}
