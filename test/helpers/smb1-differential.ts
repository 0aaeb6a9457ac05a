/** Shared body of the SMB1/auth-vs-tshark differential test files (split so tap runs them in parallel). */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { CAPTURES, requireTshark } from './tshark-messages';
import { compareCaptureSmb1 } from './smb1-reference';
import { EXPECTED_DIFFERENCES } from './smb1-expectations';

export interface CaptureCase {
  /** path under ../shared/captures */
  file: string;
  /** expected typed errors (reason → count) on this capture's real bytes */
  errors?: Record<string, number>;
  /** expected-difference id → number of mismatches it explains in this capture */
  expected?: Record<string, number>;
  /** the capture has SMB1 messages / security blobs (so the test proves it compared something) */
  smb1?: boolean;
  blobs?: boolean;
}

 
export function runDifferential(t: any, cases: CaptureCase[]): void {
  requireTshark();
  const totals: Record<string, number> = {};
  for (const c of cases) {
    const file = path.join(CAPTURES, c.file);
     
    t.test(c.file, (tt: any) => {
      tt.ok(existsSync(file), 'capture present');
      const rep = compareCaptureSmb1(file);
      if (c.smb1) tt.ok(rep.smb1Messages > 0, `dissected ${rep.smb1Messages} SMB1 messages in ${rep.frames} frames`);
      if (c.blobs) tt.ok(rep.blobs > 0, `parsed ${rep.blobs} security blobs`);
      tt.same(rep.errors, c.errors ?? {}, 'typed errors on real traffic, as reviewed');
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
    t.comment('values compared: ' + JSON.stringify(totals));
  });
}
