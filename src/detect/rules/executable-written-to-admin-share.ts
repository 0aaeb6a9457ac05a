/**
 * SW-0006 executable-written-to-admin-share: a successful tree on an admin share wrote an
 * executable (first bytes `MZ`, or an executable extension: the tracker's wroteExecutable) —
 * whatever the tree's lifetime, so a PsExec shell held open for ten minutes alerts too. Decided
 * when the tree ends (its tree-disconnect record, any end reason: capture_end and idle_timeout
 * included), the first moment the tracker reports what the tree wrote.
 */
import type { ExecutableWrittenConfig } from '../../shared/config';
import type { LifecycleRecord, TreeDisconnectRecord } from '../../shared/records';
import { Allowlist } from '../allowlist';
import type { Candidate, Rule } from '../candidate';
import { listSome, seconds, sentenceStart, who } from '../describe';
import { looksExecutableName } from '../../shared/executable-name';
import { SEVERITY, T1021_002, T1570 } from '../severity';

const TECHNIQUES = [T1570, T1021_002];


export class ExecutableWrittenToAdminShare implements Rule {
  readonly id = 'SW-0006';
  readonly name = 'executable-written-to-admin-share';
  allowlisted = 0;
  private readonly allowlist: Allowlist;

  constructor(private readonly cfg: ExecutableWrittenConfig) {
    this.allowlist = new Allowlist(cfg.allowlist);
  }

  process(rec: LifecycleRecord): Candidate | null {
    if (!this.cfg.enabled || rec.kind !== 'tree-disconnect') return null;
    if (!rec.tree.success || rec.tree.shareClass !== 'admin' || !rec.wroteExecutable) return null;
    if (this.allowlist.matches(rec)) {
      this.allowlisted++;
      return null;
    }
    // the files named like executables; when the MZ header alone told, every file written
    const named = rec.files.filter(looksExecutableName);
    const names = named.length > 0 ? named : rec.files;
    return {
      ts: rec.ts,
      ruleId: this.id,
      ruleName: this.name,
      severity: SEVERITY[this.cfg.severity],
      message: this.sentence(rec, names),
      techniques: TECHNIQUES,
      about: rec,
      names,
    };
  }

  /** `alice@CORP from 10.0.0.5 wrote an executable (PSEXESVC.exe) to \\srv\ADMIN$ on 10.0.0.9 (tree held 612.0 s, disconnected)` */
  private sentence(rec: TreeDisconnectRecord, names: readonly string[]): string {
    const what = names.length > 0 ? `an executable (${listSome(names, 3)})` : 'an executable';
    return (
      `${sentenceStart(who(rec.session))} from ${rec.flow.clientIp} wrote ${what} to ${rec.tree.share} on ${rec.flow.serverIp} ` +
      `(tree held ${seconds(rec.durationNs)}, ended by ${rec.reason})`
    );
  }
}
