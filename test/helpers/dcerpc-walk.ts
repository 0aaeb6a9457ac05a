/**
 * Calls as a tracker would see them, built from tshark's PDUs with our decoders: per TCP stream,
 * bind/alter_context contexts → interface, fragments reassembled per call id, requests and
 * responses decoded with the interface's OpDecoder. For the dcerpc differential tests.
 */
import { decodePdu, NDR64_SYNTAX, type Pdu } from '../../dissectors/dcerpc/pdu';
import { lookupInterface, decodeRequestStub, decodeResponseStub } from '../../dissectors/dcerpc/index';
import type { DecodedRequest, DecodedResponse, InterfaceInfo } from '../../dissectors/dcerpc/iface/types';
import type { DissectError } from '../../dissectors/result';
import type { TsharkPdu } from './dcerpc-tshark';

export interface CallPdu {
  pdu: TsharkPdu;
  decoded: Pdu;
  uuid?: string;
  iface?: InterfaceInfo;
  opnum?: number;
  /** set on the last fragment of a request or response */
  request?: DecodedRequest | DissectError;
  response?: DecodedResponse | DissectError;
  encrypted?: boolean;
  ndr64?: boolean;
}

export function walkCalls(pdus: TsharkPdu[]): CallPdu[] {
  const ctx = new Map<string, string>(); // stream/ctx → uuid
  const ndr64 = new Set<string>(); // stream/ctx accepted with NDR64
  const bound = new Map<number, number[]>(); // stream → ctx ids of the last bind/alter_context
  const pending = new Map<string, { uuid?: string; opnum: number; ndr64: boolean }>(); // stream/call → request
  const frags = new Map<string, Buffer[]>(); // stream/type/call → stubs so far
  const out: CallPdu[] = [];
  for (const p of pdus) {
    const d = decodePdu(p.raw);
    if (!d.ok) throw new Error(`frame ${p.frame}: ${d.reason}`);
    const c: CallPdu = { pdu: p, decoded: d };
    out.push(c);
    if (d.type === 'bind' || d.type === 'alter_context') {
      for (const x of d.contexts) ctx.set(`${p.stream}/${x.ctxId}`, x.abstract.uuid);
      bound.set(p.stream, d.contexts.map((x) => x.ctxId));
      continue;
    }
    if (d.type === 'bind_ack' || d.type === 'alter_context_resp') {
      const ids = bound.get(p.stream) ?? [];
      d.results.forEach((r, i) => {
        if (r.result === 0 && ids[i] !== undefined && r.transfer.uuid === NDR64_SYNTAX) ndr64.add(`${p.stream}/${ids[i]}`);
      });
      continue;
    }
    if (d.type !== 'request' && d.type !== 'response') continue;
    const fk = `${p.stream}/${d.type}/${d.callId}`;
    if (d.firstFrag) frags.set(fk, []);
    const parts = frags.get(fk) ?? [];
    parts.push(d.stub);
    frags.set(fk, parts);
    c.encrypted = d.encrypted;
    if (d.type === 'request') {
      c.uuid = ctx.get(`${p.stream}/${d.ctxId}`);
      c.opnum = d.opnum;
      c.ndr64 = ndr64.has(`${p.stream}/${d.ctxId}`);
      pending.set(`${p.stream}/${d.callId}`, { uuid: c.uuid, opnum: d.opnum, ndr64: c.ndr64 });
    } else {
      const q = pending.get(`${p.stream}/${d.callId}`);
      c.uuid = q?.uuid;
      c.opnum = q?.opnum;
      c.ndr64 = q?.ndr64;
    }
    c.iface = c.uuid ? lookupInterface(c.uuid) : undefined;
    if (!d.lastFrag || d.encrypted) continue;
    frags.delete(fk);
    const stub = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const op = c.iface?.ops.get(c.opnum!);
    if (d.type === 'request') c.request = decodeRequestStub(op, stub, d.bigEndian, c.ndr64);
    else c.response = decodeResponseStub(op, stub, d.bigEndian, c.ndr64);
  }
  return out;
}
