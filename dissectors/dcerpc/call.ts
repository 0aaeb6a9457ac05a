/** Decoding one call's reassembled stub with an interface operation's decoder. */
import { fail, type DissectError } from '../result';
import { NdrReader } from './ndr';
import type { DecodedRequest, DecodedResponse, OpDecoder } from './iface/types';

/** One reader reused for every call (decoding is synchronous): no allocation per call. */
const READER = new NdrReader();

const NO_ARGS: DecodedRequest = { ok: true, args: {} };

/**
 * Request args of `op` (undefined op or no request decoder → empty args). The stub is the
 * reassembled request stub; bigEndian from the PDU's data representation; ndr64 when the
 * context's accepted transfer syntax (bind_ack result) is NDR64_SYNTAX.
 */
export function decodeRequestStub(op: OpDecoder | undefined, stub: Buffer, bigEndian: boolean, ndr64 = false): DecodedRequest | DissectError {
  if (!op?.request) return NO_ARGS;
  return op.request(READER.reset(stub, bigEndian, ndr64));
}

/**
 * Response args and return code. Without a response decoder, the return code is the stub's last
 * four bytes (every MS-* operation returning a status marshals it last), none for 'none' ops.
 */
export function decodeResponseStub(op: OpDecoder | undefined, stub: Buffer, bigEndian: boolean, ndr64 = false): DecodedResponse | DissectError {
  if (op?.response) return op.response(READER.reset(stub, bigEndian, ndr64));
  if (op && op.returns === 'none') return { ok: true, args: {}, returnCode: null };
  const rc = trailingStatus(stub, bigEndian);
  if (rc === null) return fail('ndr-short', stub.length);
  return { ok: true, args: {}, returnCode: rc };
}

/** The last four bytes of a response stub as a uint32 status, null when shorter. */
export function trailingStatus(stub: Buffer, bigEndian: boolean): number | null {
  if (stub.length < 4) return null;
  return bigEndian ? stub.readUInt32BE(stub.length - 4) : stub.readUInt32LE(stub.length - 4);
}
