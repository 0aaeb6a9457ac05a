/**
 * Entry point for SESSION_SETUP security blobs (SMB1 and SMB2): unwraps GSS/SPNEGO and reports
 * the mechanism and the identities visible in the clear (NTLMSSP user/domain/workstation,
 * Kerberos realm/service). Raw NTLMSSP (no SPNEGO, as old SMB1 clients send) and raw Kerberos
 * messages are recognised too. Never throws; malformed blobs give a typed error.
 */
import { fail, type DissectError, type Result } from './result';
import type { AuthMech, SecurityBlobInfo } from './auth-types';
import { isNtlmssp, parseNtlmssp } from './ntlmssp';
import { derExpect, newDerTlv, DER_SEQUENCE } from './der';
import { isKerberosMessage, parseKerberos } from './kerberos';
import {
  OID_KRB5,
  OID_KRB5_U2U,
  OID_IAKERB,
  OID_MS_KRB5,
  OID_NTLMSSP,
  OID_SPNEGO,
  parseGssHeader,
  parseNegotiationToken,
  type GssHeader,
  type SpnegoToken,
} from './spnego';

export { OID_KRB5, OID_MS_KRB5, OID_NEGOEX, OID_NTLMSSP, OID_SPNEGO } from './spnego';

/** Tokens nested in tokens (SPNEGO → GSS krb5 → AP-REQ is 2); deeper is hostile. */
const MAX_TOKEN_NESTING = 4;

/** The mechanism an OID names. */
export function mechOfOid(oid: string | null): AuthMech {
  if (oid === OID_NTLMSSP) return 'ntlmssp';
  if (oid === OID_KRB5 || oid === OID_MS_KRB5 || oid === OID_KRB5_U2U || oid === OID_IAKERB) return 'kerberos';
  return 'unknown';
}

export function parseSecurityBlob(blob: Buffer): Result<SecurityBlobInfo> {
  const info: SecurityBlobInfo & { ok: true } = {
    ok: true,
    mech: 'none',
    spnego: false,
    mechTypes: [],
    negState: -1,
    supportedMech: null,
    ntlmssp: null,
    kerberos: null,
  };
  if (blob.length === 0) return info;
  const err = token(blob, 0, blob.length, info, 0);
  return err ?? info;
}

/** Classify and parse the token occupying buf[off, end), filling `info`. */
function token(buf: Buffer, off: number, end: number, info: SecurityBlobInfo, depth: number): DissectError | null {
  if (depth > MAX_TOKEN_NESTING) return fail('auth_token_nesting', off);
  if (off >= end) return null;
  if (isNtlmssp(buf, off, end)) {
    const n = parseNtlmssp(buf, off, end);
    if (!n.ok) return n;
    info.mech = 'ntlmssp';
    info.ntlmssp = n;
    return null;
  }
  const b0 = buf[off];
  if (b0 === 0x60) {
    const g: GssHeader = { oid: null, innerOff: 0, end: 0 };
    const err = parseGssHeader(buf, off, end, g);
    if (err) return err;
    if (g.oid === OID_SPNEGO) return negotiation(buf, g.innerOff, g.end, info, depth);
    const mech = mechOfOid(g.oid);
    if (mech === 'kerberos') {
      // RFC 4121: a 2-byte TOK_ID (01 00 AP-REQ, 02 00 AP-REP, 03 00 KRB-ERROR) precedes the message
      info.mech = 'kerberos';
      let p = g.innerOff + 2;
      if (p <= g.end && buf[g.innerOff] === 0x05 && buf[g.innerOff + 1] === 0x01) {
        // IAKERB proxy token (TOK_ID 05 01): an IAKERB-HEADER SEQUENCE precedes the KDC message
        const t = newDerTlv();
        const e = derExpect(buf, p, g.end, DER_SEQUENCE, t);
        if (e) return e;
        p = t.end;
      }
      return kerberos(buf, p, g.end, info);
    }
    if (mech === 'ntlmssp') return token(buf, g.innerOff, g.end, info, depth + 1);
    info.mech = 'unknown';
    return null;
  }
  if (b0 === 0xa0 || b0 === 0xa1) return negotiation(buf, off, end, info, depth);
  if (isKerberosMessage(buf, off)) {
    info.mech = 'kerberos';
    return kerberos(buf, off, end, info);
  }
  info.mech = 'unknown';
  return null;
}

function kerberos(buf: Buffer, off: number, end: number, info: SecurityBlobInfo): DissectError | null {
  if (off >= end) return fail('krb_truncated', off);
  const k = parseKerberos(buf, off, end);
  if (!k.ok) return k;
  info.kerberos = k;
  return null;
}

/**
 * A SPNEGO NegotiationToken. The mechanism comes from the inner token when there is one, else
 * from supportedMech, else from the first (preferred) offered mech type.
 */
function negotiation(buf: Buffer, off: number, end: number, info: SecurityBlobInfo, depth: number): DissectError | null {
  info.spnego = true;
  const s: SpnegoToken = { kind: 0, mechTypes: info.mechTypes, negState: -1, supportedMech: null, token: null };
  const err = parseNegotiationToken(buf, off, end, s);
  if (err) return err;
  info.negState = s.negState;
  info.supportedMech = s.supportedMech;
  if (s.token && s.token.length > 0) {
    // the inner token is a view of buf: parse it in place
    const innerOff = s.token.byteOffset - buf.byteOffset;
    const e = token(buf, innerOff, innerOff + s.token.length, info, depth + 1);
    if (e) return e;
    if (info.mech !== 'unknown' && info.mech !== 'none') return null;
  }
  if (s.supportedMech) info.mech = mechOfOid(s.supportedMech);
  else if (s.mechTypes.length > 0) info.mech = mechOfOid(s.mechTypes[0]!);
  else if (info.mech === 'none') info.mech = 'unknown';
  return null;
}
