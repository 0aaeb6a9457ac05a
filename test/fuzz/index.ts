/**
 * Every fuzz property by layer, and a runner parameterised by case count, seed and layer: used by
 * test/robust-fuzz.test.ts (CI: a few cases each) and tools/fuzz.js (`npm run fuzz -- --cases N`).
 */
import { runProperty, type FuzzProperty, type PropertyReport } from './harness';
import { readerProperties } from './layers/reader';
import { decodeProperties } from './layers/decode';
import { nbssProperties, reassemblyProperties } from './layers/net';
import { authProperties, nbssBodyProperties, smb1Properties, smb2Properties } from './layers/dissectors';
import { trackerProperties } from './layers/tracker';
import { pipelineProperties } from './layers/pipeline';
import { dcerpcProperties, ndrProperties } from './layers/dcerpc';

export const LAYERS: Record<string, FuzzProperty[]> = {
  reader: readerProperties,
  decode: decodeProperties,
  reassembly: reassemblyProperties,
  nbss: [...nbssProperties, ...nbssBodyProperties],
  smb2: smb2Properties,
  smb1: smb1Properties,
  auth: authProperties,
  tracker: trackerProperties,
  pipeline: pipelineProperties,
  dcerpc: dcerpcProperties,
  ndr: ndrProperties,
};

export interface RunOptions {
  /** cases per property (scaled by its weight unless `exact`) */
  cases: number;
  seed: number;
  layers?: string[];
  exact?: boolean;
  caseTimeoutMs?: number;
  onReport?: (r: PropertyReport) => void;
  progress?: (layer: string, name: string, done: number, total: number) => void;
}

export function casesFor(p: FuzzProperty, o: RunOptions): number {
  return o.exact ? o.cases : Math.max(1, Math.round(o.cases * (p.weight ?? 1)));
}

export function runLayers(o: RunOptions): PropertyReport[] {
  const names = o.layers && o.layers.length ? o.layers : Object.keys(LAYERS);
  const out: PropertyReport[] = [];
  for (const layer of names) {
    const props = LAYERS[layer];
    if (!props) throw new Error(`unknown fuzz layer ${layer} (known: ${Object.keys(LAYERS).join(', ')})`);
    for (const p of props) {
      const r = runProperty(p, {
        cases: casesFor(p, o),
        seed: o.seed,
        caseTimeoutMs: o.caseTimeoutMs ?? 5000,
        progress: o.progress ? (d, t) => o.progress!(layer, p.name, d, t) : undefined,
      });
      o.onReport?.(r);
      out.push(r);
    }
  }
  return out;
}
