/**
 * Connection-oriented DCE/RPC v5.0 PDUs (C706 ch. 12, MS-RPCE 2.2.2): the common header, every
 * PDU type's body, and the auth trailer. Pure and zero-copy: stubs and verifiers are views into
 * the PDU buffer; hostile bytes give a typed error value, never an exception.
 */
import { fail, type DissectError } from '../result';
import { u16be, u16le, u32be, u32le } from '../../src/shared/bytes';
import { uuidAt } from './uuid';

export const PTYPE = {
  request: 0,
  ping: 1,
  response: 2,
  fault: 3,
  working: 4,
  nocall: 5,
  reject: 6,
  ack: 7,
  cl_cancel: 8,
  fack: 9,
  cancel_ack: 10,
  bind: 11,
  bind_ack: 12,
  bind_nak: 13,
  alter_context: 14,
  alter_context_resp: 15,
  auth3: 16,
  shutdown: 17,
  co_cancel: 18,
  orphaned: 19,
} as const;

export const PFC_FIRST_FRAG = 0x01;
export const PFC_LAST_FRAG = 0x02;
export const PFC_PENDING_CANCEL = 0x04;
export const PFC_CONC_MPX = 0x10;
export const PFC_DID_NOT_EXECUTE = 0x20;
export const PFC_MAYBE = 0x40;
export const PFC_OBJECT_UUID = 0x80;

/** Common header length. */
export const HEADER_LEN = 16;
/** Auth trailer header (sec_trailer) length, before the verifier. */
export const AUTH_TRAILER_LEN = 8;
/** Windows caps fragments at 5840 by default, Samba at 4280; the wire field allows 65535. */
export const MAX_FRAG_LEN = 0xffff;
/** Presentation contexts per bind: the wire field is a u8; we accept all of them. */
export const MAX_CONTEXTS = 255;

/** Transfer syntaxes: NDR 2.0 and NDR64 (MS-RPCE 2.2.5). A context accepted with NDR64 needs
 * `ndr64 = true` when its stubs are decoded. */
export const NDR20_SYNTAX = '8a885d04-1ceb-11c9-9fe8-08002b104860';
export const NDR64_SYNTAX = '71710533-beba-4937-8319-b5dbef9ccc36';

export type AuthLevelName = 'none' | 'connect' | 'call' | 'packet' | 'integrity' | 'privacy';
const AUTH_LEVELS: readonly AuthLevelName[] = ['none', 'none', 'connect', 'call', 'packet', 'integrity', 'privacy'];

/** RPC_C_AUTHN_LEVEL_* (1 = default/none … 6 = packet privacy); unknown levels → 'none'. */
export function authLevelName(level: number): AuthLevelName {
  return AUTH_LEVELS[level] ?? 'none';
}

/** RPC_C_AUTHN_* names (MS-RPCE 2.2.1.1.7). */
export function authTypeName(t: number): string {
  switch (t) {
    case 0: return 'none';
    case 9: return 'spnego';
    case 10: return 'ntlmssp';
    case 14: return 'schannel';
    case 16: return 'kerberos';
    case 68: return 'netlogon';
    case 255: return 'default';
    default: return `auth-${t}`;
  }
}

export interface PduHeader {
  /** PTYPE value (see PTYPE) */
  readonly ptype: number;
  /** pfc_flags byte */
  readonly flags: number;
  readonly firstFrag: boolean;
  readonly lastFrag: boolean;
  /** drep[0] & 0xf0 == 0: big-endian integers */
  readonly bigEndian: boolean;
  readonly fragLength: number;
  readonly authLength: number;
  readonly callId: number;
}

export interface AuthTrailer {
  readonly authType: number;
  readonly authLevel: number;
  readonly authLevelName: AuthLevelName;
  readonly padLength: number;
  readonly contextId: number;
  /** the auth_value bytes (NTLMSSP/Kerberos token or signature), a view */
  readonly verifier: Buffer;
}

export interface SyntaxId {
  /** lower-case 8-4-4-4-12 */
  readonly uuid: string;
  /** `maj.min` */
  readonly version: string;
}

export interface PresentationContext {
  readonly ctxId: number;
  readonly abstract: SyntaxId;
  readonly transfer: readonly SyntaxId[];
}

export interface ContextResult {
  /** 0 acceptance, 1 user_rejection, 2 provider_rejection, 3 negotiate_ack (bind time features) */
  readonly result: number;
  readonly reason: number;
  readonly transfer: SyntaxId;
}

interface Base extends PduHeader {
  readonly ok: true;
  /** null when auth_length is 0 */
  readonly auth: AuthTrailer | null;
}

export interface BindPdu extends Base {
  readonly type: 'bind' | 'alter_context';
  readonly maxXmitFrag: number;
  readonly maxRecvFrag: number;
  readonly assocGroup: number;
  readonly contexts: readonly PresentationContext[];
}

export interface BindAckPdu extends Base {
  readonly type: 'bind_ack' | 'alter_context_resp';
  readonly maxXmitFrag: number;
  readonly maxRecvFrag: number;
  readonly assocGroup: number;
  /** the secondary address, e.g. the TCP port as a decimal string or `\PIPE\lsass`; '' when empty */
  readonly secondaryAddress: string;
  /** per context, in the order of the bind's contexts */
  readonly results: readonly ContextResult[];
}

export interface BindNakPdu extends Base {
  readonly type: 'bind_nak';
  readonly rejectReason: number;
}

export interface RequestPdu extends Base {
  readonly type: 'request';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly opnum: number;
  /** the object UUID when PFC_OBJECT_UUID is set (DCOM IPID), else null */
  readonly object: string | null;
  /** stub data without auth padding and trailer, a view (sealed bytes when encrypted) */
  readonly stub: Buffer;
  /** auth level privacy: the stub is sealed and must not be decoded */
  readonly encrypted: boolean;
}

export interface ResponsePdu extends Base {
  readonly type: 'response';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly cancelCount: number;
  readonly stub: Buffer;
  readonly encrypted: boolean;
}

export interface FaultPdu extends Base {
  readonly type: 'fault';
  readonly allocHint: number;
  readonly ctxId: number;
  readonly cancelCount: number;
  /** NCA / Win32 / NT status of the fault */
  readonly status: number;
}

/** auth3, shutdown, co_cancel, orphaned: header (and trailer) only */
export interface OtherPdu extends Base {
  readonly type: 'auth3' | 'shutdown' | 'co_cancel' | 'orphaned';
}

export type Pdu = BindPdu | BindAckPdu | BindNakPdu | RequestPdu | ResponsePdu | FaultPdu | OtherPdu;
export type PduResult = Pdu | DissectError;

/**
 * Framing a TCP byte stream or a pipe message: the frag_length of the PDU at `off`, or a typed
 * error when the bytes there are not a DCE/RPC v5.0 connection-oriented header. Returns -1 when
 * fewer than 10 bytes are available (need more data). Never reads outside buf.
 */
export function peekFragLength(buf: Uint8Array, off: number): number | DissectError {
  if (off < 0 || off + 10 > buf.length) return -1;
  if (buf[off] !== 5 || buf[off + 1] !== 0) return fail('dcerpc-version', off);
  if (buf[off + 2]! > PTYPE.orphaned) return fail('dcerpc-ptype', off + 2);
  const big = (buf[off + 4]! & 0xf0) === 0;
  const len = big ? u16be(buf, off + 8) : u16le(buf, off + 8);
  if (len < HEADER_LEN) return fail('dcerpc-frag-length', off + 8);
  return len;
}

/** True when buf starts with a plausible DCE/RPC v5.0 bind (stream sniffing on unknown TCP ports). */
export function looksLikeBind(buf: Uint8Array): boolean {
  return (
    buf.length >= HEADER_LEN &&
    buf[0] === 5 &&
    buf[1] === 0 &&
    buf[2] === PTYPE.bind &&
    (buf[4]! & 0xe0) === 0 && // drep: integer 0/1 in the high nibble, nothing else defined
    buf[5]! <= 3 &&
    (buf[4]! & 0xf0 ? u16le(buf, 8) : u16be(buf, 8)) >= 72
  );
}

/**
 * Decode exactly one PDU. `buf` must hold the whole fragment (buf.length >= frag_length; extra
 * bytes after frag_length are ignored). Errors: dcerpc-short, dcerpc-version, dcerpc-ptype,
 * dcerpc-frag-length, dcerpc-auth-length, dcerpc-auth-pad, dcerpc-body-short, dcerpc-contexts.
 */
export function decodePdu(buf: Buffer): PduResult {
  if (buf.length < HEADER_LEN) return fail('dcerpc-short', 0);
  const fl = peekFragLength(buf, 0);
  if (typeof fl !== 'number') return fl;
  if (fl > buf.length) return fail('dcerpc-frag-length', 8);
  const big = (buf[4]! & 0xf0) === 0;
  const r16 = big ? u16be : u16le;
  const r32 = big ? u32be : u32le;
  const ptype = buf[2]!;
  const flags = buf[3]!;
  const authLength = r16(buf, 10);
  const callId = r32(buf, 12);
  // auth trailer: sec_trailer (8) + verifier sit at the end of the fragment
  let auth: AuthTrailer | null = null;
  let bodyEnd = fl;
  if (authLength > 0) {
    const tr = fl - authLength - AUTH_TRAILER_LEN;
    if (tr < HEADER_LEN) return fail('dcerpc-auth-length', 10);
    const padLength = buf[tr + 2]!; // tr + 8 + authLength = fl <= buf.length
    if (tr - padLength < HEADER_LEN) return fail('dcerpc-auth-pad', tr + 2);
    auth = {
      authType: buf[tr]!,
      authLevel: buf[tr + 1]!,
      authLevelName: authLevelName(buf[tr + 1]!),
      padLength,
      contextId: r32(buf, tr + 4),
      verifier: buf.subarray(tr + AUTH_TRAILER_LEN, fl),
    };
    bodyEnd = tr - padLength;
  }
  // every result is one object literal with the header fields first (object spread costs tens
  // of microseconds per PDU in V8 here; literals keep one hidden class per PDU type)
  const firstFrag = (flags & PFC_FIRST_FRAG) !== 0;
  const lastFrag = (flags & PFC_LAST_FRAG) !== 0;
  const h: Header = { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth };
  const encrypted = auth !== null && auth.authLevel === 6;
  switch (ptype) {
    case PTYPE.request: {
      const obj = (flags & PFC_OBJECT_UUID) !== 0;
      const stubOff = HEADER_LEN + 8 + (obj ? 16 : 0);
      if (stubOff > bodyEnd) return fail('dcerpc-body-short', HEADER_LEN);
      return {
        ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth,
        type: 'request',
        allocHint: r32(buf, 16),
        ctxId: r16(buf, 20),
        opnum: r16(buf, 22),
        object: obj ? uuidAt(buf, 24, big) : null,
        stub: buf.subarray(stubOff, bodyEnd),
        encrypted,
      };
    }
    case PTYPE.response: {
      if (HEADER_LEN + 8 > bodyEnd) return fail('dcerpc-body-short', HEADER_LEN);
      return {
        ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth,
        type: 'response',
        allocHint: r32(buf, 16),
        ctxId: r16(buf, 20),
        cancelCount: buf[22]!,
        stub: buf.subarray(HEADER_LEN + 8, bodyEnd),
        encrypted,
      };
    }
    case PTYPE.fault: {
      if (HEADER_LEN + 12 > bodyEnd) return fail('dcerpc-body-short', HEADER_LEN);
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'fault', allocHint: r32(buf, 16), ctxId: r16(buf, 20), cancelCount: buf[22]!, status: r32(buf, 24) };
    }
    case PTYPE.bind:
    case PTYPE.alter_context:
      return decodeBind(buf, h, bodyEnd, r16, r32);
    case PTYPE.bind_ack:
    case PTYPE.alter_context_resp:
      return decodeBindAck(buf, h, bodyEnd, r16, r32);
    case PTYPE.bind_nak:
      if (HEADER_LEN + 2 > fl) return fail('dcerpc-body-short', HEADER_LEN);
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'bind_nak', rejectReason: r16(buf, 16) };
    case PTYPE.auth3:
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'auth3' };
    case PTYPE.shutdown:
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'shutdown' };
    case PTYPE.co_cancel:
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'co_cancel' };
    case PTYPE.orphaned:
      return { ok: true, ptype, flags, firstFrag, lastFrag, bigEndian: big, fragLength: fl, authLength, callId, auth, type: 'orphaned' };
    default:
      // connectionless-only types have no place on a connection
      return fail('dcerpc-ptype', 2);
  }
}

type R16 = (b: Uint8Array, o: number) => number;
type Header = PduHeader & { ok: true; auth: AuthTrailer | null };

function syntaxAt(buf: Buffer, off: number, big: boolean, r16: R16): SyntaxId {
  // p_syntax_id_t: uuid, u16 major, u16 minor (carried as one u32 version: major in the low half)
  return { uuid: uuidAt(buf, off, big), version: `${r16(buf, off + 16)}.${r16(buf, off + 18)}` };
}

function decodeBind(buf: Buffer, h: Header, end: number, r16: R16, r32: R16): BindPdu | DissectError {
  if (HEADER_LEN + 12 > end) return fail('dcerpc-body-short', HEADER_LEN);
  const n = buf[24]!;
  const contexts: PresentationContext[] = [];
  let p = 28;
  for (let i = 0; i < n; i++) {
    if (p + 4 + 20 > end) return fail('dcerpc-contexts', p);
    const ctxId = r16(buf, p);
    const nt = buf[p + 2]!;
    const abs = syntaxAt(buf, p + 4, h.bigEndian, r16);
    p += 24;
    if (p + nt * 20 > end) return fail('dcerpc-contexts', p);
    const transfer: SyntaxId[] = [];
    for (let j = 0; j < nt; j++, p += 20) transfer.push(syntaxAt(buf, p, h.bigEndian, r16));
    contexts.push({ ctxId, abstract: abs, transfer });
  }
  return {
    ok: true,
    ptype: h.ptype,
    flags: h.flags,
    firstFrag: h.firstFrag,
    lastFrag: h.lastFrag,
    bigEndian: h.bigEndian,
    fragLength: h.fragLength,
    authLength: h.authLength,
    callId: h.callId,
    auth: h.auth,
    type: h.ptype === PTYPE.bind ? 'bind' : 'alter_context',
    maxXmitFrag: r16(buf, 16),
    maxRecvFrag: r16(buf, 18),
    assocGroup: r32(buf, 20),
    contexts,
  };
}

function decodeBindAck(buf: Buffer, h: Header, end: number, r16: R16, r32: R16): BindAckPdu | DissectError {
  if (HEADER_LEN + 10 > end) return fail('dcerpc-body-short', HEADER_LEN);
  const secLen = r16(buf, 24);
  let p = 26;
  if (p + secLen > end) return fail('dcerpc-body-short', 24);
  // port_any_t: a NUL-terminated 8-bit string, length including the NUL
  let s = p;
  const se = p + secLen;
  while (s < se && buf[s] !== 0) s++;
  const secondaryAddress = buf.toString('latin1', p, s);
  p = se;
  p = (p + 3) & ~3; // the result list is 4-aligned
  if (p + 4 > end) return fail('dcerpc-body-short', p);
  const n = buf[p]!;
  p += 4;
  if (p + n * 24 > end) return fail('dcerpc-contexts', p);
  const results: ContextResult[] = [];
  for (let i = 0; i < n; i++, p += 24) {
    results.push({ result: r16(buf, p), reason: r16(buf, p + 2), transfer: syntaxAt(buf, p + 4, h.bigEndian, r16) });
  }
  return {
    ok: true,
    ptype: h.ptype,
    flags: h.flags,
    firstFrag: h.firstFrag,
    lastFrag: h.lastFrag,
    bigEndian: h.bigEndian,
    fragLength: h.fragLength,
    authLength: h.authLength,
    callId: h.callId,
    auth: h.auth,
    type: h.ptype === PTYPE.bind_ack ? 'bind_ack' : 'alter_context_resp',
    maxXmitFrag: r16(buf, 16),
    maxRecvFrag: r16(buf, 18),
    assocGroup: r32(buf, 20),
    secondaryAddress,
    results,
  };
}

export interface NegotiatedContext {
  readonly ctxId: number;
  /** result 0 (acceptance) */
  readonly accepted: boolean;
  /** the accepted transfer syntax is NDR64: decode this context's stubs with ndr64 = true */
  readonly ndr64: boolean;
}

/**
 * What a bind_ack / alter_context_resp says about each context of the bind / alter_context it
 * answers (results are in the order of the request's contexts; extra or missing results are
 * ignored). Call once per bind_ack; allocation is per bind, not per call.
 */
export function negotiatedContexts(bind: BindPdu, ack: BindAckPdu): NegotiatedContext[] {
  const out: NegotiatedContext[] = [];
  const n = Math.min(bind.contexts.length, ack.results.length);
  for (let i = 0; i < n; i++) {
    const r = ack.results[i]!;
    out.push({ ctxId: bind.contexts[i]!.ctxId, accepted: r.result === 0, ndr64: r.result === 0 && r.transfer.uuid === NDR64_SYNTAX });
  }
  return out;
}
