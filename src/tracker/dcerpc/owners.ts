/**
 * Who a DCE/RPC conversation belongs to: an SMB named-pipe open (identity = its SMB session) or
 * an ncacn_ip_tcp connection (identity = whatever its own bind authentication showed).
 */
import type { Flow, SessionView } from '../../shared/records';
import type { ConnState, OpenFile } from '../state';
import type { RpcOwner } from './conversation';
import { authNoteFromBlob } from '../auth-note';
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

  constructor(
    readonly flow: Flow,
    private readonly counters: TrackerCounters,
  ) {}

  noteAuth(verifier: Buffer): void {
    const n = authNoteFromBlob(verifier, this.counters);
    if (!n) return;
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
