/** Turns a SESSION_SETUP security blob into the identity facts the tracker keeps. */
import { parseSecurityBlob } from '../../dissectors/auth';
import type { AuthKind } from '../shared/records';
import type { TrackerCounters } from './options';

/** Identity and auth details learned from a SESSION_SETUP request, applied at its response. */
export interface AuthNote {
  user: string | null;
  domain: string | null;
  workstation: string | null;
  anonymous: boolean;
  mech: 'ntlmssp' | 'kerberos' | 'unknown' | 'none';
  kerberosRealm: string | null;
  kerberosService: string | null;
}

export function authNoteFromBlob(blob: Buffer | null, counters: TrackerCounters): AuthNote | null {
  if (!blob || blob.length === 0) return null;
  const info = parseSecurityBlob(blob);
  if (!info.ok) {
    counters.parseError('auth:' + info.reason);
    return null;
  }
  const n = info.ntlmssp;
  const k = info.kerberos;
  return {
    user: n && n.type === 3 ? n.user : k ? k.cname : null,
    domain: n && n.type === 3 ? n.domain : null,
    workstation: n && n.type === 3 ? n.workstation : null,
    anonymous: !!(n && n.type === 3 && n.anonymous),
    mech: info.mech,
    kerberosRealm: k ? k.realm : null,
    kerberosService: k ? k.sname : null,
  };
}

/** What a server's SESSION_SETUP response blob says: the NTLM CHALLENGE's names, SPNEGO's negState. */
export interface ServerAuthFacts {
  challenge: { nb: string | null; dns: string | null; tree: string | null } | null;
  /** -1 when the blob is no SPNEGO NegTokenResp */
  negState: number;
}

export function serverFactsFromBlob(blob: Buffer | null, counters: TrackerCounters): ServerAuthFacts | null {
  if (!blob || blob.length === 0) return null;
  const info = parseSecurityBlob(blob);
  if (!info.ok) {
    counters.parseError('auth:' + info.reason);
    return null;
  }
  const n = info.ntlmssp;
  return {
    challenge:
      n && n.type === 2 ? { nb: n.nbComputerName ?? null, dns: n.dnsComputerName ?? null, tree: n.dnsTreeName ?? null } : null,
    negState: info.spnego ? info.negState : -1,
  };
}

/** The session's auth kind at the end of SESSION_SETUP (guest/anonymous flags win). */
export function authKindOf(note: AuthNote | null, guest: boolean, anonymousFlag: boolean): AuthKind {
  if (anonymousFlag || (note && note.anonymous)) return 'anonymous';
  if (guest) return 'guest';
  if (!note) return 'unknown';
  if (note.mech === 'ntlmssp') return 'ntlmssp';
  if (note.mech === 'kerberos') return 'kerberos';
  return 'unknown';
}

/** Keep what a later leg or message learned; never overwrite a known value with null. */
export function applyAuthNote(
  s: {
    user: string | null;
    domain: string | null;
    workstation: string | null;
    kerberosRealm: string | null;
    kerberosService: string | null;
  },
  note: AuthNote | null,
): void {
  if (!note) return;
  if (note.user !== null && (note.user !== '' || s.user === null)) s.user = note.user;
  if (note.domain !== null && (note.domain !== '' || s.domain === null)) s.domain = note.domain;
  if (note.workstation) s.workstation = note.workstation;
  if (note.kerberosRealm) s.kerberosRealm = note.kerberosRealm;
  if (note.kerberosService) s.kerberosService = note.kerberosService;
  if (note.kerberosRealm && s.domain === null) s.domain = note.kerberosRealm;
}

export { looksExecutableName } from '../shared/executable-name';

/** Named pipe name as the tracker records it: lower case, no leading backslashes or PIPE\ prefix. */
export function pipeName(name: string): string {
  let n = name.replace(/^[\\/]+/, '').toLowerCase();
  if (n.startsWith('pipe\\')) n = n.slice(5);
  return n;
}

/** Trees whose opens are named pipes (IPC$, or a share the server typed as a pipe). */
export function isPipeTree(tree: { shareType: string | null; shareClass: string }): boolean {
  return tree.shareType === 'pipe' || tree.shareClass === 'ipc';
}
