/**
 * Who a DCE/RPC conversation belongs to: an SMB named-pipe open (identity = its SMB session) or
 * an ncacn_ip_tcp connection (identity = whatever its own bind authentication showed).
 */
import type { Flow, NtlmAuthRecord, SessionView, Timestamp } from '../../shared/records';
import type { ConnState, OpenFile } from '../state';
import type { RpcOwner } from './conversation';
import { authNoteFromBlob, serverFactsFromBlob } from '../auth-note';
import type { TrackerCounters } from '../options';

/** Pipe name as the contract writes it: no leading `\`, no `PIPE\` prefix, case as sent. */
export function rpcPipeName(name: string): string {
  let n = name.replace(/^[\\/]+/, '');
  if (/^pipe[\\/]/i.test(n)) n = n.slice(5);
  return n;
}

const NO_PIPES: readonly string[] = Object.freeze([]);

export class PipeOwner implements RpcOwner {
  readonly transport = 'smb' as const;
  readonly flow: Flow;
  readonly pipe: string;
  readonly treeId: string | null;

  constructor(
    private readonly cs: ConnState,
    private readonly f: OpenFile,
  ) {
    // the connection the pipe was opened on (a tree may have been connected on another channel)
    this.flow = cs.flow;
    this.pipe = rpcPipeName(f.name);
    this.treeId = f.tree !== null ? f.tree.treeId : null;
  }

  session(): SessionView {
    const s = this.f.tree !== null ? this.f.tree.session : this.f.session;
    if (s !== null) return s.view();
    // a pipe in a session whose setup the capture missed
    return {
      sessionId: this.f.sessionId,
      version: this.cs.version,
      user: null,
      domain: null,
      workstation: null,
      auth: null,
      kerberosRealm: null,
      kerberosService: null,
      pipes: NO_PIPES,
    };
  }
}

export class TcpOwner implements RpcOwner {
  readonly transport = 'tcp' as const;
  readonly pipe = null;
  readonly treeId = null;
  private user: string | null = null;
  private domain: string | null = null;
  private workstation: string | null = null;
  private kerberosRealm: string | null = null;
  private kerberosService: string | null = null;
  private auth: 'ntlmssp' | 'kerberos' | null = null;

  /** NTLMSSP of the binds (Zeek's ntlm.log): first message time, CHALLENGE names, AUTHENTICATE names */
  private ntlmTs: Timestamp | null = null;
  private ntlmServer: { nb: string | null; dns: string | null; tree: string | null } | null = null;
  private ntlmClient: { user: string | null; domain: string | null; workstation: string | null } | null = null;

  constructor(
    readonly flow: Flow,
    private readonly counters: TrackerCounters,
    private readonly onNtlm: ((rec: NtlmAuthRecord) => void) | null = null,
    private readonly now: (() => Timestamp) | null = null,
  ) {}

  noteServerAuth(verifier: Buffer): void {
    if (this.onNtlm === null) return;
    const f = serverFactsFromBlob(verifier, this.counters);
    if (!f || !f.challenge) return;
    this.ntlmTs ??= this.now ? this.now() : null;
    this.ntlmServer = f.challenge;
  }

  /** one ntlm row per connection that carried NTLMSSP (as Zeek, at connection removal) */
  end(ts: Timestamp): void {
    if (this.onNtlm === null || (this.ntlmServer === null && this.ntlmClient === null)) return;
    const c = this.ntlmClient;
    this.onNtlm({
      kind: 'ntlm',
      ts: this.ntlmTs ?? ts,
      flow: this.flow,
      session: this.session(),
      ntlm: {
        serverNbComputerName: this.ntlmServer ? this.ntlmServer.nb : null,
        serverDnsComputerName: this.ntlmServer ? this.ntlmServer.dns : null,
        serverTreeName: this.ntlmServer ? this.ntlmServer.tree : null,
        user: c ? c.user : null,
        domain: c ? c.domain : null,
        workstation: c ? c.workstation : null,
        negState: -1,
      },
    });
    this.ntlmServer = this.ntlmClient = null;
  }

  noteAuth(verifier: Buffer): void {
    const n = authNoteFromBlob(verifier, this.counters);
    if (!n) return;
    if (n.mech === 'ntlmssp' && this.onNtlm !== null) {
      this.ntlmTs ??= this.now ? this.now() : null;
      if (n.user !== null || n.domain !== null || n.workstation !== null) this.ntlmClient = { user: n.user, domain: n.domain, workstation: n.workstation };
      else this.ntlmClient ??= { user: null, domain: null, workstation: null };
    }
    if (n.user) this.user = n.user;
    if (n.domain) this.domain = n.domain;
    if (n.workstation) this.workstation = n.workstation;
    if (n.kerberosRealm) this.kerberosRealm = n.kerberosRealm;
    if (n.kerberosService) this.kerberosService = n.kerberosService;
    if (n.mech === 'ntlmssp' || n.mech === 'kerberos') this.auth = n.mech;
  }

  session(): SessionView {
    return {
      sessionId: null,
      version: null,
      user: this.user,
      domain: this.domain,
      workstation: this.workstation,
      auth: this.auth,
      kerberosRealm: this.kerberosRealm,
      kerberosService: this.kerberosService,
      pipes: NO_PIPES,
    };
  }
}
