/**
 * Checks on what the tracker/detector emit and on its three output forms: records are plain data
 * (finite numbers, no undefined, bounded strings); the NDJSON line is one valid JSON object; the
 * pretty and zeek lines carry no raw control bytes or lone surrogates.
 */
import type { OutputRecord } from '../../src/shared/records';
import { toNdjsonLine } from '../../src/output/ecs';
import { formatPretty } from '../../src/output/pretty';
import { zeekRow } from '../../src/output/zeek';
import { checkPrintable, checkValue } from './checks';
import { bump } from './harness';

const KINDS = new Set(['session-setup', 'session-end', 'tree-connect', 'tree-disconnect', 'encrypted-session', 'dcerpc-call', 'inferred-tree', 'alert']);
/** longest string any record field may hold (dissector strings are capped at 4096 UTF-16 units) */
export const MAX_RECORD_STRING = 4 * 4096 + 64;

export function checkRecord(rec: OutputRecord, counts: Record<string, number>): Record<string, unknown> {
  if (!KINDS.has(rec.kind)) throw new Error('record kind ' + rec.kind);
  checkValue(null, rec, rec.kind, MAX_RECORD_STRING);
  const d = (rec as { durationNs?: number }).durationNs;
  if (d !== undefined && d < 0) throw new Error(`${rec.kind}: negative duration ${d}`);
  bump(counts, 'rec.' + rec.kind);
  const line = toNdjsonLine(rec);
  if (!line.endsWith('\n') || line.indexOf('\n') !== line.length - 1) throw new Error('ndjson: not exactly one line');
  // JSON.stringify escapes C0 controls and lone surrogates
  checkPrintable(line, 'ndjson', true);
  const ev = JSON.parse(line) as Record<string, unknown>;
  checkPrintable(formatPretty(rec), 'pretty');
  const z = zeekRow(rec);
  if (z !== null) checkPrintable(z, 'zeek');
  return ev;
}
