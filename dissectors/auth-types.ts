/** Records returned by dissectors/auth.ts (SPNEGO, NTLMSSP, Kerberos inside SESSION_SETUP). */

export interface NtlmsspMessage {
  /** 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE */
  type: 1 | 2 | 3;
  flags: number;
  /** AUTHENTICATE only (else null) */
  user: string | null;
  domain: string | null;
  workstation: string | null;
  /** AUTHENTICATE with empty user and empty/1-byte LM response (MS-NLMP anonymous) */
  anonymous: boolean;
  /** CHALLENGE only: target name */
  targetName: string | null;
  /** CHALLENGE only: the server's names from TargetInfo (MsvAvNbComputerName, MsvAvDnsComputerName) */
  nbComputerName: string | null;
  dnsComputerName: string | null;
  /** CHALLENGE only: MsvAvDnsTreeName (Zeek's ntlm.log server_tree_name) */
  dnsTreeName?: string | null;
}

export interface KerberosApReq {
  realm: string | null;
  /** service principal name, components joined with '/', e.g. cifs/dc1.example.com */
  sname: string | null;
  /** client principal when visible in the clear (usually not: it is in the encrypted authenticator) */
  cname: string | null;
  /** Kerberos message type: 14 AP-REQ (the usual), 15 AP-REP, 30 KRB-ERROR, 10/12 AS/TGS-REQ, 11/13 AS/TGS-REP (added by the auth dissector) */
  msgType: number;
}

export type AuthMech = 'ntlmssp' | 'kerberos' | 'unknown' | 'none';

/** What a security blob (SESSION_SETUP security buffer) carries, after unwrapping SPNEGO. */
export interface SecurityBlobInfo {
  mech: AuthMech;
  /** SPNEGO wrapper seen */
  spnego: boolean;
  /** mech OIDs offered in NegTokenInit (dotted strings) */
  mechTypes: string[];
  /** NegTokenResp negState (0 accept-completed, 1 accept-incomplete, 2 reject, 3 request-mic) or -1 */
  negState: number;
  /** NegTokenResp supportedMech (dotted OID) or null (added by the auth dissector) */
  supportedMech: string | null;
  ntlmssp: NtlmsspMessage | null;
  kerberos: KerberosApReq | null;
}
