/**
 * Issue 21: inference happens only inside encryption. No capture without SMB3 transform headers —
 * the whole public corpus and every lab capture — yields an smb-inferred-tree event or SW-0015,
 * and on those with transform headers every inferred tree belongs to an encrypted session.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, OWN } from './helpers/analyze';
import { corpusFiles, corpusName } from './helpers/corpus';

t.test('no inferred tree and no SW-0015 on any capture that is not encrypted', async (t) => {
  const own = [OWN, path.join(OWN, 'inf-holdout')].flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.pcap')).map((f) => path.join(d, f)));
  let clear = 0;
  let encrypted = 0;
  for (const f of [...corpusFiles(), ...own]) {
    const a = await analyze([f]);
    const inferred = a.events.filter((e) => e.event.action === 'smb-inferred-tree');
    const sw15 = a.events.filter((e) => e.rule?.id === 'SW-0015');
    if (a.pipeline.tracker.counters.transformMessages === 0) {
      clear++;
      if (inferred.length + sw15.length > 0) t.fail(`${corpusName(f)}: ${inferred.length} inferred trees, ${sw15.length} SW-0015 without any transform header`);
    } else {
      encrypted++;
      const sessions = new Set(a.events.filter((e) => e.event.action === 'smb-encrypted-session').map((e) => e.smb.session_id));
      for (const e of inferred) if (!sessions.has(e.smb.session_id)) t.fail(`${corpusName(f)}: inferred tree outside an encrypted session`);
    }
  }
  t.ok(clear > 60, `${clear} captures without encryption checked`);
  t.ok(encrypted >= 10, `${encrypted} captures with encryption checked`);
});
