/**
 * Kerberos messages met in SMB security blobs (RFC 4120 5.3-5.5, 5.9.1; RFC 4121 4.1 wrapper).
 * From an AP-REQ the ticket's realm and service principal are in the clear; the client
 * principal is not (it sits in the encrypted authenticator), so `cname` stays null there.
 * AS-REQ/TGS-REQ (cname, realm, sname of the request body), AS-REP/TGS-REP (crealm, cname and
 * the ticket) and KRB-ERROR (realm, sname, cname) are read when met; AP-REP carries no names.
 */
import { fail, type DissectError, type Result } from './result';
import type { KerberosApReq } from './auth-types';
import { app, ctx, derExpect, derRead, derText, derValidate, newDerTlv, DER_GENERAL_STRING, DER_SEQUENCE, DER_UTF8STRING, type DerTlv } from './der';

export const KRB_AS_REQ = 10;
export const KRB_AS_REP = 11;
export const KRB_TGS_REQ = 12;
export const KRB_TGS_REP = 13;
export const KRB_AP_REQ = 14;
export const KRB_AP_REP = 15;
export const KRB_ERROR = 30;
/** Most principal components joined (real ones have 1 to 3). */
const MAX_NAME_COMPONENTS = 8;

/** True when the byte at off starts a Kerberos message this module reads. */
export function isKerberosMessage(buf: Buffer, off: number): boolean {
  if (off < 0 || off >= buf.length) return false;
  const b = buf[off];
  return b === app(KRB_AS_REQ) || b === app(KRB_AS_REP) || b === app(KRB_TGS_REQ) || b === app(KRB_TGS_REP) ||
    b === app(KRB_AP_REQ) || b === app(KRB_AP_REP) || b === 0x7e;
}

/**
 * Find the child [n] of the SEQUENCE value [off, end) and leave it in `out` (its value holds the
 * field). Returns false when absent. Children are visited in order; lengths were validated.
 */
function child(buf: Buffer, off: number, end: number, n: number, out: DerTlv): boolean {
  let p = off;
  while (p < end) {
    if (derRead(buf, p, end, out)) return false;
    if (out.id === ctx(n)) return true;
    p = out.end;
  }
  return false;
}

/** Enter the value of field [n] of a SEQUENCE and expect `id` there; returns false when absent. */
function field(buf: Buffer, seq: DerTlv, n: number, id: number, out: DerTlv): boolean {
  if (!child(buf, seq.valueOff, seq.end, n, out)) return false;
  return derExpect(buf, out.valueOff, out.end, id, out) === null;
}

function isString(id: number): boolean {
  return id === DER_GENERAL_STRING || id === DER_UTF8STRING || id === 0x16; // IA5String too
}

/** Realm (a GeneralString) at field [n] of `seq`, or null. */
function realmAt(buf: Buffer, seq: DerTlv, n: number, t: DerTlv): string | null {
  if (!child(buf, seq.valueOff, seq.end, n, t)) return null;
  if (derRead(buf, t.valueOff, t.end, t) || !isString(t.id)) return null;
  return derText(buf, t);
}

/** PrincipalName ::= SEQUENCE { name-type [0], name-string [1] SEQUENCE OF KerberosString } at field [n]. */
function principalAt(buf: Buffer, seq: DerTlv, n: number, t: DerTlv): string | null {
  if (!field(buf, seq, n, DER_SEQUENCE, t)) return null;
  if (!field(buf, t, 1, DER_SEQUENCE, t)) return null;
  let s: string | null = null;
  let p = t.valueOff;
  const end = t.end;
  for (let i = 0; p < end && i < MAX_NAME_COMPONENTS; i++) {
    if (derRead(buf, p, end, t) || !isString(t.id)) break;
    const c = derText(buf, t);
    s = s === null ? c : s + '/' + c;
    p = t.end;
  }
  return s;
}

/** Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] } at field [n]. */
function ticketAt(buf: Buffer, seq: DerTlv, n: number, out: KerberosApReq): void {
  const t = newDerTlv();
  if (!field(buf, seq, n, app(1), t)) return;
  if (derExpect(buf, t.valueOff, t.end, DER_SEQUENCE, t)) return;
  const tkt = { ...t };
  out.realm = realmAt(buf, tkt, 1, t);
  out.sname = principalAt(buf, tkt, 2, t);
}

/** Parse the Kerberos message occupying buf[off, end). */
export function parseKerberos(buf: Buffer, off: number, end: number): Result<KerberosApReq> {
  const v: DissectError | null = derValidate(buf, off, end);
  if (v) return v;
  const t = newDerTlv();
  const err = derRead(buf, off, end, t);
  if (err) return err;
  if (t.cls !== 1 || !t.constructed) return fail('krb_not_application', off);
  const msgType = t.number;
  const seq = newDerTlv();
  if (derExpect(buf, t.valueOff, t.end, DER_SEQUENCE, seq)) return fail('krb_no_sequence', t.valueOff);
  const out: KerberosApReq & { ok: true } = { ok: true, msgType, realm: null, sname: null, cname: null };
  switch (msgType) {
    case KRB_AP_REQ:
      ticketAt(buf, seq, 3, out);
      break;
    case KRB_AS_REQ:
    case KRB_TGS_REQ: {
      const body = newDerTlv();
      if (!field(buf, seq, 4, DER_SEQUENCE, body)) break;
      out.cname = principalAt(buf, body, 1, t);
      out.realm = realmAt(buf, body, 2, t);
      out.sname = principalAt(buf, body, 3, t);
      break;
    }
    case KRB_AS_REP:
    case KRB_TGS_REP:
      ticketAt(buf, seq, 5, out);
      out.cname = principalAt(buf, seq, 4, t);
      break;
    case KRB_ERROR:
      out.realm = realmAt(buf, seq, 9, t);
      out.sname = principalAt(buf, seq, 10, t);
      out.cname = principalAt(buf, seq, 8, t);
      break;
    case KRB_AP_REP:
      break;
    default:
      return fail('krb_unknown_message', off);
  }
  return out;
}
