/**
 * Reference DCE/RPC PDUs for the dcerpc tests, cut out of corpus captures by tshark: each PDU's
 * raw bytes (`dcerpc_raw`, after tshark's TCP/SMB reassembly) with the fields tshark decoded
 * from it (dcerpc.* and the interface layer's: svcctl.*, winreg.*, atsvc.*, epm.* …).
 */
import { tsharkCachedSync } from './tshark-cache';
import { corpusFile } from './corpus';

export interface TsharkPdu {
  frame: number;
  /** index of this PDU among the frame's dcerpc layers */
  index: number;
  /** tshark's tcp.stream (-1 when not TCP) */
  stream: number;
  raw: Buffer;
  /** field name → values, dcerpc layer plus the paired interface layer */
  fields: Map<string, string[]>;
}

type Json = string | number | Json[] | { [k: string]: Json };

function flatten(o: Json, into: Map<string, string[]>, key = ''): void {
  if (Array.isArray(o)) {
    for (const x of o) flatten(x, into, key);
  } else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) if (!k.endsWith('_raw')) flatten(v, into, k);
  } else if (key) {
    const l = into.get(key);
    if (l) l.push(String(o));
    else into.set(key, [String(o)]);
  }
}

function asList<T>(x: T | T[] | undefined): T[] {
  return x === undefined ? [] : Array.isArray(x) && !(typeof x[0] === 'string') ? (x as T[]) : [x as T];
}

/** Every interface layer the dcerpc tests read: one tshark run per capture serves them all. */
const ALL_LAYERS = ['frame', 'tcp', 'dcerpc', 'svcctl', 'atsvc', 'winreg', 'epm', 'isystemactivator'];

/** tshark's JSON of a capture's DCE/RPC PDUs with every layer the tests read (cached: tshark-cache.ts) */
function tsharkJson(rel: string, filter: string): string {
  return tsharkCachedSync(corpusFile(rel), ['-Q', '-n', '-Y', filter, '-T', 'json', '-x', '--no-duplicate-keys', '-J', ALL_LAYERS.join(' ')]);
}

/** `rel` is a corpus path ("dcerpc/sv_…pcap"); `ifaceLayers` the interface layers to pair with each PDU. */
export function tsharkPdus(rel: string, ifaceLayers: string[] = [], filter = 'dcerpc'): TsharkPdu[] {
  for (const l of ifaceLayers) if (!ALL_LAYERS.includes(l)) throw new Error(`layer ${l} is not in ALL_LAYERS`);
  const out = tsharkJson(rel, filter);
  const pkts = JSON.parse(out) as { _source: { layers: Record<string, Json> } }[];
  const res: TsharkPdu[] = [];
  for (const p of pkts) {
    const L = p._source.layers;
    const frame = Number((L.frame as any)?.['frame.number'] ?? 0);
    const stream = Number((L.tcp as any)?.['tcp.stream'] ?? -1);
    // one raw entry is [hex, off, len, bitmask, type]; several PDUs → a list of them
    const rawsJ = L.dcerpc_raw as Json[];
    const raws: Json[][] = typeof rawsJ[0] === 'string' ? [rawsJ] : (rawsJ as Json[][]);
    const layers = asList(L.dcerpc as any) as Json[];
    const ifs = ifaceLayers.map((n) => asList(L[n] as any) as Json[]);
    raws.forEach((r, i) => {
      const fields = new Map<string, string[]>();
      if (layers[i] !== undefined) flatten(layers[i], fields);
      for (const il of ifs) {
        // interface layers pair by position when there is one per PDU; else the frame's only one
        const x = il.length === raws.length ? il[i] : il.length === 1 && raws.length === 1 ? il[0] : undefined;
        if (x !== undefined) flatten(x, fields);
      }
      res.push({ frame, index: i, stream, raw: Buffer.from(String(r[0]), 'hex'), fields });
    });
  }
  return res;
}

export function field(p: TsharkPdu, name: string): string | undefined {
  return p.fields.get(name)?.[0];
}
