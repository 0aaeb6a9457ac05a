/**
 * What the clear text told about each server: the names a client may have typed in `\\<server>\`
 * (the address itself, NetBIOS and DNS names from the NTLMSSP CHALLENGE's target info, the
 * NetBIOS called name of a port-139 session request, the server part of plaintext tree paths) and
 * the share names plaintext trees used. Bounded: at most MAX_SERVERS servers (oldest forgotten,
 * counted), MAX_NAMES names and MAX_SHARES shares each.
 */

export const MAX_NAMES = 16;
export const MAX_SHARES = 64;

/**
 * Prior weight of a server-name source: how likely a client is to have typed that form.
 * Calibrated on the plaintext corpus (../shared/captures and the lab's clear captures, 115
 * distinct session/server-part pairs): the server's own address 59 %, a DNS name 21 %, a NetBIOS
 * name 11 %, another address (NAT, loopback) 9 %. A name seen in a plaintext path to the server,
 * or in the session's Kerberos ticket (cifs/<name>: the name the client asked a ticket for), was
 * typed by a client: weighed like the address. An IPv6 literal in a UNC path is rare.
 */
export const PRIOR = {
  plaintextPath: 6,
  kerberos: 6,
  address: 6,
  ipv6Literal: 0.5,
  dns: 2,
  netbios: 1,
  nbssCalled: 1,
} as const;

export class ServerFacts {
  /** name → prior weight (the largest of its sources) */
  readonly names = new Map<string, number>();
  /** share names seen in plaintext tree paths, case kept, first-seen order */
  readonly shares: string[] = [];

  noteName(name: string, weight: number): void {
    if (name.length === 0 || name.length > 255) return;
    const old = this.names.get(name);
    if (old !== undefined) {
      if (weight > old) this.names.set(name, weight);
      return;
    }
    if (this.names.size >= MAX_NAMES) return;
    this.names.set(name, weight);
  }

  noteShare(share: string): void {
    if (share.length === 0 || this.shares.length >= MAX_SHARES) return;
    const lower = share.toLowerCase();
    for (const s of this.shares) if (s.toLowerCase() === lower) return;
    this.shares.push(share);
  }
}

/** `\\server\share` → [server, share]; null when the path has no server part */
export function splitUncPath(path: string): [string, string] | null {
  const m = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)[\\/]*$/.exec(path);
  return m === null ? null : [m[1]!, m[2]!]; // both groups always participate
}
