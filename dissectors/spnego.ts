/**
 * SPNEGO (RFC 4178) and the GSS-API token framing (RFC 2743 3.1). A GSS InitialContextToken is
 * [APPLICATION 0] { thisMech OID, innerToken }; SPNEGO's innerToken is a NegotiationToken:
 * [0] NegTokenInit { mechTypes [0], reqFlags [1], mechToken [2], mechListMIC [3] } (NegTokenInit2
 * from servers has negHints [3] and mechListMIC [4]) or [1] NegTokenResp { negState [0],
 * supportedMech [1], responseToken [2], mechListMIC [3] }. Later legs send a bare NegTokenResp.
 */
import { fail, type DissectError } from './result';
import { ctx, derExpect, derOid, derRead, derSmallInt, derValidate, newDerTlv, DER_ENUMERATED, DER_OCTET_STRING, DER_OID, DER_SEQUENCE } from './der';

export const OID_SPNEGO = '1.3.6.1.5.5.2';
export const OID_NTLMSSP = '1.3.6.1.4.1.311.2.2.10';
export const OID_KRB5 = '1.2.840.113554.1.2.2';
export const OID_MS_KRB5 = '1.2.840.48018.1.2.2';
export const OID_KRB5_U2U = '1.2.840.113554.1.2.2.3';
export const OID_NEGOEX = '1.3.6.1.4.1.311.2.2.30';
/** IAKERB (RFC draft, Apple's LKDC): a krb5 token, same 2-byte TOK_ID framing */
export const OID_IAKERB = '1.3.6.1.5.2.5';
/** Mech types kept from one NegTokenInit (Windows offers 4). */
const MAX_MECH_TYPES = 16;

/** What a NegotiationToken holds; the inner token is a view into the blob. */
export interface SpnegoToken {
  /** 0 NegTokenInit, 1 NegTokenResp */
  kind: 0 | 1;
  mechTypes: string[];
  negState: number;
  supportedMech: string | null;
  /** mechToken (init) or responseToken (resp), or null */
  token: Buffer | null;
}

/** GSS InitialContextToken header: the mech OID and where the inner token starts. */
export interface GssHeader {
  oid: string | null;
  innerOff: number;
  end: number;
}

/** Read the [APPLICATION 0] framing at off. The inner token is not necessarily DER. */
export function parseGssHeader(buf: Buffer, off: number, end: number, out: GssHeader): DissectError | null {
  const t = newDerTlv();
  let err = derExpect(buf, off, end, 0x60, t);
  if (err) return err;
  const outerEnd = t.end;
  err = derExpect(buf, t.valueOff, outerEnd, DER_OID, t);
  if (err) return fail('gss_no_mech_oid', t.valueOff);
  out.oid = derOid(buf, t.valueOff, t.valueLen);
  if (out.oid === null) return fail('der_bad_oid', t.valueOff);
  out.innerOff = t.end;
  out.end = outerEnd;
  return null;
}

/** Parse the NegotiationToken ([0] or [1]) occupying buf[off, end). */
export function parseNegotiationToken(buf: Buffer, off: number, end: number, out: SpnegoToken): DissectError | null {
  const bad = derValidate(buf, off, end);
  if (bad) return bad;
  const t = newDerTlv();
  let err = derRead(buf, off, end, t);
  if (err) return err;
  if (t.id !== ctx(0) && t.id !== ctx(1)) return fail('spnego_unknown_choice', off);
  out.kind = t.id === ctx(0) ? 0 : 1;
  err = derExpect(buf, t.valueOff, t.end, DER_SEQUENCE, t);
  if (err) return fail('spnego_no_sequence', t.valueOff);
  const seqEnd = t.end;
  const f = newDerTlv();
  let p = t.valueOff;
  while (p < seqEnd) {
    if ((err = derRead(buf, p, seqEnd, f))) return err;
    p = f.end;
    const n = f.id & 0x1f;
    if (f.cls !== 2) continue;
    if (out.kind === 0 && n === 0) {
      // mechTypes: SEQUENCE OF OID
      if (derExpect(buf, f.valueOff, f.end, DER_SEQUENCE, t)) return fail('spnego_bad_mech_types', f.valueOff);
      let q = t.valueOff;
      const qEnd = t.end;
      while (q < qEnd) {
        if ((err = derExpect(buf, q, qEnd, DER_OID, t))) return fail('spnego_bad_mech_types', q);
        const oid = derOid(buf, t.valueOff, t.valueLen);
        if (oid === null) return fail('der_bad_oid', t.valueOff);
        if (out.mechTypes.length < MAX_MECH_TYPES) out.mechTypes.push(oid);
        q = t.end;
      }
    } else if (n === 2) {
      if (derExpect(buf, f.valueOff, f.end, DER_OCTET_STRING, t)) return fail('spnego_bad_token', f.valueOff);
      out.token = buf.subarray(t.valueOff, t.end);
    } else if (out.kind === 1 && n === 0) {
      if (derExpect(buf, f.valueOff, f.end, DER_ENUMERATED, t)) return fail('spnego_bad_neg_state', f.valueOff);
      const v = derSmallInt(buf, t.valueOff, t.valueLen);
      if (v === null) return fail('spnego_bad_neg_state', t.valueOff);
      out.negState = v;
    } else if (out.kind === 1 && n === 1) {
      if (derExpect(buf, f.valueOff, f.end, DER_OID, t)) return fail('spnego_bad_supported_mech', f.valueOff);
      out.supportedMech = derOid(buf, t.valueOff, t.valueLen);
      if (out.supportedMech === null) return fail('der_bad_oid', t.valueOff);
    }
  }
  return null;
}
