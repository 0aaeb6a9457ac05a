/**
 * DCE/RPC connection-oriented dissector core (MS-RPCE / C706), pure and zero-copy.
 *
 * Tracker integration, per pipe or TCP connection:
 *  1. Framing: `peekFragLength(buf, off)` → frag_length (or -1: need ≥10 bytes; or a typed error
 *     for non-v5.0 bytes). Cut each PDU, then `decodePdu(pdu)` → a `Pdu` (discriminated on
 *     `type`) or a `DissectError` (count `reason`). `looksLikeBind(buf)` sniffs unknown TCP ports.
 *  2. bind / alter_context: remember `contexts[i].ctxId → contexts[i].abstract` (uuid, version);
 *     the bind_ack's `results[i].result === 0` accepts context i, with transfer syntax
 *     `results[i].transfer.uuid` (NDR64_SYNTAX → pass `ndr64 = true` when decoding its stubs).
 *     bind_ack `secondaryAddress` is the TCP port (ncacn_ip_tcp) or the pipe name.
 *  3. request: fragments share `callId`; concatenate `stub` views from `firstFrag` to `lastFrag`
 *     (bounded copy), then with `iface = lookupInterface(uuid)` and `op = iface?.ops.get(opnum)`:
 *     `decodeRequestStub(op, stub, bigEndian, ndr64)` → `{ args, handle? }` or an error. Skip decoding
 *     when the PDU is `encrypted` (auth level privacy) and set `dcerpc.encrypted`.
 *  4. response: same reassembly, `decodeResponseStub(op, stub, bigEndian, ndr64)` → `{ args, returnCode,
 *     handle? }`; name returnCode by `op.returns` (win32/ntstatus/hresult). fault → `status`.
 *  5. handles: if `op.opens` and the response returned `handle`, remember
 *     handle → `objectArgs(objectOf(request.handle), request.args)`; for every request with a
 *     `handle`, emit `mergeHandleArgs(objectOf(request.handle), args)`.
 *  `operationName(iface, opnum)` gives the contract's `dcerpc.operation` (`opnum-N` if unknown).
 */
export * from './pdu';
export { NdrReader, MAX_NDR_DEPTH, MAX_NDR_POINTERS, MAX_NDR_STRING_UNITS } from './ndr';
export { lookupInterface, operationName, objectArgs, mergeHandleArgs } from './registry';
export { decodeRequestStub, decodeResponseStub, trailingStatus } from './call';
export type { Args, ArgValue, DecodedRequest, DecodedResponse, OpDecoder, InterfaceInfo, IfaceDecoders, InterfaceNames, ReturnKind } from './iface/types';
