/**
 * Our decoders run over tshark's view of a capture's calls (test/helpers/dcerpc-calls.ts):
 * fragments reassembled per stream, pipe and call id, each finished request / response stub
 * decoded with the operation's decoder from the given decoder sets.
 */
import { decodePdu } from '../../dissectors/dcerpc/pdu';
import { decodeRequestStub, decodeResponseStub } from '../../dissectors/dcerpc/call';
import type { DecodedRequest, DecodedResponse, IfaceDecoders, OpDecoder } from '../../dissectors/dcerpc/iface/types';
import type { DissectError } from '../../dissectors/result';
import type { TsharkCall } from './dcerpc-calls';

export interface DecodedCall {
  call: TsharkCall;
  op?: OpDecoder;
  stub?: Buffer;
  bigEndian?: boolean;
  encrypted?: boolean;
  request?: DecodedRequest | DissectError;
  response?: DecodedResponse | DissectError;
}

export function decodeCalls(calls: TsharkCall[], sets: readonly IfaceDecoders[]): DecodedCall[] {
  const byUuid = new Map(sets.map((s) => [s.uuid, s]));
  const frags = new Map<string, Buffer[]>();
  const out: DecodedCall[] = [];
  for (const c of calls) {
    if (c.pktType !== 0 && c.pktType !== 2) continue;
    const d = decodePdu(c.raw);
    if (!d.ok || (d.type !== 'request' && d.type !== 'response')) throw new Error(`frame ${c.frame}: not a request/response`);
    const key = `${c.stream}/${c.fid}/${d.type}/${d.callId}`;
    if (d.firstFrag) frags.set(key, []);
    const parts = frags.get(key) ?? [];
    parts.push(d.stub);
    frags.set(key, parts);
    if (!d.lastFrag) continue;
    frags.delete(key);
    const op = c.uuid ? byUuid.get(c.uuid)?.ops[c.opnum] : undefined;
    const stub = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const dc: DecodedCall = { call: c, op, stub, bigEndian: d.bigEndian, encrypted: d.encrypted };
    if (op && !d.encrypted) {
      if (d.type === 'request') dc.request = decodeRequestStub(op, stub, d.bigEndian, c.ndr64);
      else dc.response = decodeResponseStub(op, stub, d.bigEndian, c.ndr64);
    }
    out.push(dc);
  }
  return out;
}
