/** Shared body of the SMB2-vs-tshark differential test files (split so tap runs them in parallel). */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { CAPTURES, requireTshark } from './tshark-messages';
import { compareCapture } from './smb2-reference';
import { EXPECTED_DIFFERENCES } from './smb2-expectations';

export interface CaptureCase {
  /** path under ../shared/captures */
  file: string;
  /** tshark -d rules needed to see the SMB traffic */
  decodeAs?: string[];
  /** expected-difference id → number of mismatches it explains in this capture */
  expected?: Record<string, number>;
}

 
export function runDifferential(t: any, cases: CaptureCase[]): void {
  requireTshark();
  const totals: Record<string, number> = {};
  for (const c of cases) {
    const file = path.join(CAPTURES, c.file);
    t.test(c.file, (tt: any) => {
      tt.ok(existsSync(file), 'capture present');
      const rep = compareCapture(file, c.decodeAs ?? []);
      tt.ok(rep.messages > 0, `dissected ${rep.messages} SMB2/3 messages in ${rep.frames} frames`);
      tt.same(rep.errors, {}, 'no typed errors on real traffic');
      const explained: Record<string, number> = {};
      const unexplained = [];
      for (const m of rep.mismatches) {
        const rule = EXPECTED_DIFFERENCES.find((r) => r.matches(m));
        if (rule) explained[rule.id] = (explained[rule.id] ?? 0) + 1;
        else unexplained.push(m);
      }
      tt.same(unexplained.slice(0, 10), [], 'every field agrees with tshark (or has a reviewed reason)');
      tt.same(explained, c.expected ?? {}, 'expected differences, as reviewed');
      for (const [k, v] of Object.entries(rep.compared)) totals[k] = (totals[k] ?? 0) + v;
      tt.end();
    });
  }
  t.teardown(() => {
    // which fields the corpus exercised, for the reader of the test log
    t.comment('values compared: ' + JSON.stringify(totals));
  });
}
