/**
 * SMB2 NEGOTIATE request/response bodies (MS-SMB2 2.2.3, 2.2.4) and the SMB 3.1.1 negotiate
 * contexts (2.2.3.1): preauth integrity, encryption, compression and signing algorithm lists.
 */
import { fail, type Result } from './result';
import type { Smb2Header, Smb2NegotiateContexts, Smb2NegotiateRequest, Smb2NegotiateResponse } from './smb2-types';
import { body, clampEnd, span, SMB2_HEADER_SIZE } from './smb2-body';

const DIALECT_311 = 0x0311;
/** Contexts walked at most (Windows sends 3-6). */
export const MAX_NEGOTIATE_CONTEXTS = 32;
/** Algorithm ids kept per context list. */
const MAX_IDS = 64;

const PREAUTH_INTEGRITY_CAPABILITIES = 1;
const ENCRYPTION_CAPABILITIES = 2;
const COMPRESSION_CAPABILITIES = 3;
const SIGNING_CAPABILITIES = 8;

/** NEGOTIATE request: StructureSize 36, dialect list, 3.1.1 contexts when 0x0311 is offered. */
export function parseNegotiateRequest(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2NegotiateRequest> {
  const b = body(buf, hdr, end, 36, 36);
  if (typeof b !== 'number') return b;
  const e = clampEnd(buf, end);
  const count = buf.readUInt16LE(b + 2);
  if (b + 36 + count * 2 > e) return fail('dialects_out_of_bounds', SMB2_HEADER_SIZE + 36);
  const dialects: number[] = [];
  let has311 = false;
  for (let i = 0; i < count; i++) {
    const d = buf.readUInt16LE(b + 36 + i * 2);
    if (d === DIALECT_311) has311 = true;
    dialects.push(d);
  }
  let contexts: Smb2NegotiateContexts | null = null;
  if (has311) {
    const ctxOff = buf.readUInt32LE(b + 28);
    const ctxCount = buf.readUInt16LE(b + 32);
    if (ctxCount > 0) {
      const c = parseContexts(buf, hdr, e, ctxOff, ctxCount);
      if (!c.ok) return c;
      contexts = c;
    }
  }
  return {
    ok: true,
    dialects,
    securityMode: buf.readUInt16LE(b + 4),
    capabilities: buf.readUInt32LE(b + 8),
    clientGuid: buf.subarray(b + 12, b + 28),
    contexts,
  };
}

/** NEGOTIATE response: StructureSize 65, chosen dialect, security buffer, 3.1.1 contexts. */
export function parseNegotiateResponse(buf: Buffer, hdr: Smb2Header, end: number): Result<Smb2NegotiateResponse> {
  const b = body(buf, hdr, end, 65, 64);
  if (typeof b !== 'number') return b;
  const e = clampEnd(buf, end);
  const dialect = buf.readUInt16LE(b + 4);
  const secOff = buf.readUInt16LE(b + 56);
  const secLen = buf.readUInt16LE(b + 58);
  const s = span(hdr, e, secOff, secLen);
  if (s < 0) return fail('security_buffer_out_of_bounds', SMB2_HEADER_SIZE + 56);
  let contexts: Smb2NegotiateContexts | null = null;
  const ctxCount = buf.readUInt16LE(b + 6);
  if (dialect === DIALECT_311 && ctxCount > 0) {
    const c = parseContexts(buf, hdr, e, buf.readUInt32LE(b + 60), ctxCount);
    if (!c.ok) return c;
    contexts = c;
  }
  return {
    ok: true,
    dialect,
    securityMode: buf.readUInt16LE(b + 2),
    capabilities: buf.readUInt32LE(b + 24),
    serverGuid: buf.subarray(b + 8, b + 24),
    securityBuffer: buf.subarray(s, s + secLen),
    contexts,
  };
}

/** Read up to MAX_IDS uint16 ids at [off, off + 2n) that must end by `limit`. */
function ids(buf: Buffer, off: number, n: number, limit: number, into: number[]): boolean {
  if (off + n * 2 > limit) return false;
  const k = n < MAX_IDS ? n : MAX_IDS;
  for (let i = 0; i < k; i++) into.push(buf.readUInt16LE(off + i * 2));
  return true;
}

/**
 * Walk `count` negotiate contexts starting at header-relative `ctxOff`. Each is
 * ContextType(2) DataLength(2) Reserved(4) Data, and the next starts 8-byte aligned
 * (relative to the header). Bounded by MAX_NEGOTIATE_CONTEXTS and by `end`.
 */
function parseContexts(buf: Buffer, hdr: Smb2Header, end: number, ctxOff: number, count: number): Result<Smb2NegotiateContexts> {
  const r: Smb2NegotiateContexts = { preauthHashes: [], ciphers: [], compression: [], signing: [], types: [] };
  if (count > MAX_NEGOTIATE_CONTEXTS) return fail('too_many_negotiate_contexts', SMB2_HEADER_SIZE);
  let rel = ctxOff;
  if (rel < SMB2_HEADER_SIZE) return fail('negotiate_context_out_of_bounds', SMB2_HEADER_SIZE);
  for (let i = 0; i < count; i++) {
    const p = hdr.offset + rel;
    if (p + 8 > end) return fail('negotiate_context_out_of_bounds', rel);
    const type = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    const d = p + 8;
    const dEnd = d + len;
    if (dEnd > end) return fail('negotiate_context_out_of_bounds', rel);
    r.types.push(type);
    let ok = true;
    switch (type) {
      case PREAUTH_INTEGRITY_CAPABILITIES:
        ok = len >= 4 && ids(buf, d + 4, buf.readUInt16LE(d), dEnd, r.preauthHashes);
        break;
      case ENCRYPTION_CAPABILITIES:
        ok = len >= 2 && ids(buf, d + 2, buf.readUInt16LE(d), dEnd, r.ciphers);
        break;
      case COMPRESSION_CAPABILITIES:
        ok = len >= 8 && ids(buf, d + 8, buf.readUInt16LE(d), dEnd, r.compression);
        break;
      case SIGNING_CAPABILITIES:
        ok = len >= 2 && ids(buf, d + 2, buf.readUInt16LE(d), dEnd, r.signing);
        break;
      default:
        break; // netname, transport, RDMA, POSIX...: only the type is recorded
    }
    if (!ok) return fail('bad_negotiate_context', rel);
    rel = (rel + 8 + len + 7) & ~7;
  }
  return { ok: true, ...r };
}
