/**
 * The `lateral_movement` object (contract SW-0012): `id` on every event and alert of an established
 * chain, plus `steps` (ordered `@timestamp`, `step`, `summary`) and `tool` on the chain's own alert.
 * Written last in the line, so records without it keep their bytes. Shared by the object builder
 * and the NDJSON writer (which writes it with ByteOut.val, i.e. as JSON.stringify would).
 */
import type { OutputRecord } from '../shared/records';
import { isoMicros } from './timestamp';

export function lateralObj(rec: OutputRecord): Record<string, unknown> | null {
  if (rec.kind === 'alert') {
    const lm = rec.lateralMovement;
    if (lm === undefined) return rec.about.lateralMovementId === undefined ? null : { id: rec.about.lateralMovementId };
    const o: Record<string, unknown> = { id: lm.id };
    if (lm.steps !== null) {
      o.steps = lm.steps.map((s) => ({ '@timestamp': isoMicros(s.ts), step: s.step, summary: s.summary }));
    }
    if (lm.tool !== null) o.tool = lm.tool;
    return o;
  }
  return rec.lateralMovementId === undefined ? null : { id: rec.lateralMovementId };
}
