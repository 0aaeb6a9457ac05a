/**
 * Fuzz properties of every layer (test/fuzz/): reader, link/IP/TCP decode, reassembly, NBSS,
 * SMB2, SMB1, SPNEGO/NTLMSSP/Kerberos, tracker, whole pipeline. CI runs FUZZ_CASES (default 2000)
 * cases per property, scaled by each property's weight; tools/fuzz.js runs as many as asked
 * (FUZZ_CASES, FUZZ_LAYER, FUZZ_SEED, FUZZ_EXACT=1 for exactly N per property).
 */
import t from 'tap';
import { LAYERS, runLayers } from './fuzz/index';
import { corpusSeeds } from './fuzz/seeds';

const cases = Number(process.env.FUZZ_CASES ?? 2000);
const seed = Number(process.env.FUZZ_SEED ?? 20240611);
const layers = (process.env.FUZZ_LAYER ?? '').split(',').filter(Boolean);
const exact = process.env.FUZZ_EXACT === '1';
const verbose = process.env.FUZZ_VERBOSE === '1';

if (!Number.isInteger(cases) || cases < 1) throw new Error('FUZZ_CASES must be a positive integer');
for (const l of layers) if (!LAYERS[l]) throw new Error(`unknown FUZZ_LAYER ${l} (known: ${Object.keys(LAYERS).join(', ')})`);

t.test('corpus seeds', (t) => {
  const s = corpusSeeds();
  t.ok(s.smb2.length > 1000 && s.smb1.length > 500 && s.blobs.length > 100 && s.conversations.length > 50, `${s.smb2.length} SMB2, ${s.smb1.length} SMB1, ${s.blobs.length} blobs, ${s.conversations.length} conversations`);
  t.end();
});

for (const layer of layers.length ? layers : Object.keys(LAYERS)) {
  t.test(`fuzz ${layer}`, (t) => {
    let lastPct = -1;
    const reports = runLayers({
      cases,
      seed,
      exact,
      layers: [layer],
      progress: (l, name, done, total) => {
        const pct = Math.floor((done * 10) / total);
        if (verbose && pct !== lastPct && total >= 100_000) t.comment(`${l}: ${name}: ${done}/${total}`);
        lastPct = pct;
      },
    });
    for (const r of reports) {
      t.pass(`${r.name}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (slowest ${r.slowestMs.toFixed(1)} ms)`);
      if (verbose) t.comment(JSON.stringify(r.counts));
    }
    t.end();
  });
}
