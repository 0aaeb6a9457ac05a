/**
 * Lifecycle records for the detection tests, in the exact shapes of src/shared/records.ts. The
 * sessions and flows are those the tracker produced from public captures:
 * - ntlm: suricata-verify/filestore-filecontainer-smb.pcap (psexec over NTLMSSP, SMB1)
 * - krb: suricata-verify/smb2-07.pcap (impacket psexec with Kerberos, SMB 2.1)
 */
import type {
  Activity,
  EndReason,
  Flow,
  SessionSetupRecord,
  SessionView,
  ShareClass,
  Timestamp,
  TreeConnectRecord,
  TreeDisconnectRecord,
  TreeView,
} from '../../src/shared/records';
import { classifyShare, shareNameOf } from '../../src/shared/share-class';

export const T0: Timestamp = { sec: 1507567479, nsec: 268670000 };

/** T0 + ns (ns ≥ 0) */
export function at(ns: number): Timestamp {
  const total = T0.nsec + ns;
  const sec = Math.floor(total / 1e9);
  return { sec: T0.sec + sec, nsec: total - sec * 1e9 };
}
export const S = 1e9;

export const flowKrb: Flow = { clientIp: '192.168.10.31', clientPort: 49282, serverIp: '192.168.10.10', serverPort: 445 };
export const flowNtlm: Flow = {
  clientIp: '192.168.202.115',
  clientPort: 1117,
  serverIp: '192.168.24.100',
  serverPort: 445,
};

export const krbSession: SessionView = {
  sessionId: '0x0000240004000049',
  version: '2.1',
  user: null,
  domain: 'CONTOSO.LOCAL',
  workstation: null,
  auth: 'kerberos',
  kerberosRealm: 'CONTOSO.LOCAL',
  kerberosService: 'cifs/dc1.contoso.local',
  pipes: [],
};

export const ntlmSession: SessionView = {
  sessionId: '0x0800',
  version: '1',
  user: 'whitecell',
  domain: 'NONE-B91CFA7B93',
  workstation: 'STEVELAPTOP',
  auth: 'ntlmssp',
  kerberosRealm: null,
  kerberosService: null,
  pipes: [],
};

export const NO_ACTIVITY: Activity = { creates: 0, reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, ioctls: 0 };

export function tree(share: string, ok = true, status?: string, extraAdmin: readonly string[] = []): TreeView {
  const name = shareNameOf(share);
  const cls: ShareClass = classifyShare(name, extraAdmin);
  return {
    treeId: '0x00000001',
    share,
    shareName: name,
    shareClass: cls,
    shareType: cls === 'ipc' ? 'pipe' : 'disk',
    status: status ?? (ok ? 'STATUS_SUCCESS' : 'STATUS_ACCESS_DENIED'),
    success: ok,
  };
}

export interface DisconnectOpts {
  share?: string;
  reason?: EndReason;
  durationNs?: number;
  endTs?: Timestamp;
  flow?: Flow;
  session?: SessionView;
  files?: string[];
  pipes?: string[];
  wroteFiles?: boolean;
  wroteExecutable?: boolean;
  ok?: boolean;
}

/** A tree end; by default the krb psexec ADMIN$ tree, 2 s long, ended by TREE_DISCONNECT. */
export function disconnect(o: DisconnectOpts = {}): TreeDisconnectRecord {
  const durationNs = o.durationNs ?? 2 * S;
  const files = o.files ?? [];
  return {
    kind: 'tree-disconnect',
    ts: o.endTs ?? at(durationNs),
    flow: o.flow ?? flowKrb,
    session: o.session ?? krbSession,
    tree: tree(o.share ?? '\\\\dc1\\ADMIN$', o.ok ?? true),
    reason: o.reason ?? 'tree_disconnect',
    durationNs,
    activity:
      files.length > 0 || o.wroteFiles
        ? { creates: files.length, reads: 0, writes: Math.max(1, files.length), bytesRead: 0, bytesWritten: 4096, ioctls: 0 }
        : NO_ACTIVITY,
    files,
    pipes: o.pipes ?? [],
    wroteExecutable: o.wroteExecutable ?? false,
    wroteFiles: o.wroteFiles ?? files.length > 0,
  };
}

export function connect(ts: Timestamp, share: string, ok: boolean, flow: Flow = flowNtlm, session: SessionView = ntlmSession): TreeConnectRecord {
  return {
    kind: 'tree-connect',
    ts,
    flow,
    session,
    tree: tree(share, ok, ok ? 'STATUS_SUCCESS' : share.endsWith('$') ? 'STATUS_ACCESS_DENIED' : 'STATUS_BAD_NETWORK_NAME'),
  };
}

export function logon(ts: Timestamp, ok: boolean, flow: Flow = flowNtlm, session: SessionView = ntlmSession): SessionSetupRecord {
  return {
    kind: 'session-setup',
    ts,
    flow,
    session,
    status: ok ? 'STATUS_SUCCESS' : 'STATUS_LOGON_FAILURE',
    success: ok,
    auth: session.auth ?? 'unknown',
  };
}

/** The flow with another client or server address. */
export function withIps(f: Flow, clientIp: string, serverIp: string = f.serverIp): Flow {
  return { ...f, clientIp, serverIp };
}
