/** TCP flow summary of a capture through src/capture + src/net/decode, for comparing variants. */
import { readCaptures, type ReadSummary } from '../../src/capture/reader';
import { PacketDecoder, formatIp, newDecodedPacket, type DecodeCounts } from '../../src/net/decode';

export interface FlowSummary {
  /** "src:port>dst:port" → [packets, TCP payload bytes announced by IP, of which missing] */
  flows: Record<string, [number, number, number]>;
  counts: DecodeCounts;
  summary: ReadSummary;
}

export async function flowSummary(file: string): Promise<FlowSummary> {
  const dec = new PacketDecoder();
  const out = newDecodedPacket();
  const flows: Record<string, [number, number, number]> = {};
  const summary = await readCaptures([file], (p) => {
    if (!dec.decode(p, out)) return;
    const key = `${formatIp(out.buf, out.srcAddrOffset, out.ipVersion)}:${out.srcPort}>${formatIp(out.buf, out.dstAddrOffset, out.ipVersion)}:${out.dstPort}`;
    const f = (flows[key] ??= [0, 0, 0]);
    f[0]++;
    f[1] += out.payloadLength + out.payloadMissing;
    f[2] += out.payloadMissing;
  });
  return { flows, counts: dec.counts, summary };
}

/** Flows without the missing-bytes column (what must survive a snaplen cut). */
export function announced(f: FlowSummary): Record<string, [number, number]> {
  const o: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(f.flows)) o[k] = [v[0], v[1]];
  return o;
}
