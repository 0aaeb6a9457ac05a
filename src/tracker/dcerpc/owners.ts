/**
 * Who a DCE/RPC conversation belongs to: an SMB named-pipe open (identity = its SMB session) or
 * an ncacn_ip_tcp connection (identity = whatever its own bind authentication showed).
 */
import type { Flow, SessionView } from '../../shared/records';
import type { SessionState, TreeState } from '../state';
import type { RpcOwner } from './conversation';
import { authNoteFromBlob } from '../auth-note';
import type { TrackerCounters } from '../options';

/** Pipe name as the contract writes it: no leading `\`, no `PIPE\` prefix, case as sent. */
export function rpcPipeName(name: string): string {
  let n = name.replace(/^[\\/]+/, '');
  if (/^pipe[\\/]/i.test(n)) n = n.slice(5);
  return n;
}

export class PipeOwner implements RpcOwner {
  readonly transport = 'smb' as const;
  readonly pipe: string;
  readonly treeId: string;
  private readonly s: SessionState;

  constructor(
    readonly flow: Flow,
    tree: TreeState,
    name: string,
  ) {
    this.pipe = rpcPipeName(name);
    this.treeId = tree.treeId;
    this.s = tree.session;
  }

  session(): SessionView {
    return this.s.view();
  }
}

const NO_PIPES: readonly string[] = Object.freeze([]);

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
