/** Hand-built OutputRecords in the exact shapes of src/shared/records.ts, for the output tests. */
import type {
  AlertRecord,
  DcerpcCallRecord,
  EncryptedSessionRecord,
  SessionEndRecord,
  SessionSetupRecord,
  SessionView,
  TreeConnectRecord,
  TreeDisconnectRecord,
  TreeView,
  Flow,
  OutputRecord,
} from '../../src/shared/records';

export const flow: Flow = { clientIp: '10.0.0.11', clientPort: 49208, serverIp: '10.0.0.12', serverPort: 445 };
export const flow6: Flow = { clientIp: 'fe80::1', clientPort: 50000, serverIp: 'fe80::2', serverPort: 445 };

export const ntlmSession: SessionView = {
  sessionId: '0x0000040000000005',
  version: '3.1.1',
  user: 'alice',
  domain: 'CORP',
  workstation: 'WS01',
  auth: 'ntlmssp',
  kerberosRealm: null,
  kerberosService: null,
  pipes: [],
};

export const krbSession: SessionView = {
  sessionId: '0x0000000000000c11',
  version: '2.1',
  user: null,
  domain: null,
  workstation: null,
  auth: 'kerberos',
  kerberosRealm: 'CONTOSO.LOCAL',
  kerberosService: 'cifs/dc01.contoso.local',
  pipes: ['svcctl'],
};

/** TREE_CONNECT seen without its SESSION_SETUP: nothing known of the session but its id */
export const unknownSession: SessionView = {
  sessionId: null,
  version: null,
  user: null,
  domain: null,
  workstation: null,
  auth: null,
  kerberosRealm: null,
  kerberosService: null,
  pipes: [],
};

export const adminTree: TreeView = {
  treeId: '0x00000001',
  share: '\\\\10.0.0.12\\C$',
  shareName: 'C$',
  shareClass: 'admin',
  shareType: 'disk',
  status: 'STATUS_SUCCESS',
  success: true,
};

export const badTree: TreeView = {
  treeId: '0x00000000',
  share: '\\\\10.0.0.12\\nosuch',
  shareName: 'nosuch',
  shareClass: 'normal',
  shareType: null,
  status: 'STATUS_BAD_NETWORK_NAME',
  success: false,
};

export const ts0 = { sec: 1795395723, nsec: 123456789 };
export const ts1 = { sec: 1795395725, nsec: 623456789 };

export const setupOk: SessionSetupRecord = {
  kind: 'session-setup',
  ts: ts0,
  flow,
  session: ntlmSession,
  status: 'STATUS_SUCCESS',
  success: true,
  auth: 'ntlmssp',
};

export const setupFail: SessionSetupRecord = {
  kind: 'session-setup',
  ts: ts0,
  flow,
  session: { ...ntlmSession, sessionId: '0x0000040000000009' },
  status: 'STATUS_LOGON_FAILURE',
  success: false,
  auth: 'ntlmssp',
};

export const treeConnect: TreeConnectRecord = { kind: 'tree-connect', ts: ts0, flow, session: ntlmSession, tree: adminTree };
export const treeConnectFail: TreeConnectRecord = { kind: 'tree-connect', ts: ts0, flow, session: ntlmSession, tree: badTree };

export const treeDisconnect: TreeDisconnectRecord = {
  kind: 'tree-disconnect',
  ts: ts1,
  flow,
  session: ntlmSession,
  tree: adminTree,
  reason: 'tree_disconnect',
  durationNs: 2_500_000_000,
  activity: { creates: 2, reads: 1, writes: 3, bytesRead: 512, bytesWritten: 73_802, ioctls: 0 },
  files: ['Windows\\Temp\\evil.exe', 'Windows\\Temp\\out.txt'],
  pipes: [],
  wroteExecutable: true,
  wroteFiles: true,
};

/** an IPC$ tree that opened named pipes (psexec: svcctl and the PSEXESVC stdio pipes) */
export const ipcTreeEnd: TreeDisconnectRecord = {
  ...treeDisconnect,
  tree: { ...adminTree, share: '\\\\FILESRV01\\IPC$', shareName: 'IPC$', shareClass: 'ipc', shareType: 'pipe', treeId: '0x00000009' },
  activity: { creates: 4, reads: 2, writes: 2, bytesRead: 300, bytesWritten: 200, ioctls: 1 },
  files: [],
  pipes: ['svcctl', 'psexesvc-host-1234-stdin', 'remcom_communicaton'],
  wroteExecutable: false,
  wroteFiles: false,
};

/** a tree whose TREE_CONNECT request was not seen: share unknown */
export const unknownTreeConnect: TreeConnectRecord = {
  ...treeConnect,
  tree: { ...adminTree, share: '', shareName: '', shareClass: 'unknown', treeId: '0x0000000a' },
};

export const sessionEnd: SessionEndRecord = {
  kind: 'session-end',
  ts: ts1,
  flow,
  session: ntlmSession,
  reason: 'logoff',
  durationNs: 3_000_000_001,
  trees: 1,
  status: 'STATUS_SUCCESS',
};

export const sessionEndClose: SessionEndRecord = { ...sessionEnd, reason: 'connection_reset', status: null };

export const encrypted: EncryptedSessionRecord = {
  kind: 'encrypted-session',
  ts: ts1,
  flow: flow6,
  session: { ...ntlmSession, version: '3.1.1' },
  reason: 'capture_end',
  durationNs: 10_000,
  messages: 42,
  bytes: 12_345,
};

/** an SMB-pipe DCE/RPC call (the lead's dcerpc-call record; dataset sharewatch.dcerpc) */
export const dcerpcCall: DcerpcCallRecord = {
  kind: 'dcerpc-call',
  ts: ts1,
  flow,
  session: ntlmSession,
  transport: 'smb',
  pipe: 'svcctl',
  treeId: '0x00000009',
  interfaceUuid: '367abb81-9844-35f1-ad32-98f038001003',
  interfaceVersion: '2.0',
  interfaceName: 'svcctl',
  operation: 'RCreateServiceW',
  opnum: 12,
  authLevel: 'integrity',
  encrypted: false,
  returnCode: 'ERROR_SUCCESS',
  fault: null,
  outcome: 'success',
  durationNs: 1_200_000,
  args: { service_name: 'PSEXESVC', binary_path: '%SystemRoot%\\PSEXESVC.exe' },
  gap: false,
};

export const krbTreeEnd: TreeDisconnectRecord = {
  ...treeDisconnect,
  session: krbSession,
  tree: { ...adminTree, share: '\\\\DC01\\ADMIN$', shareName: 'ADMIN$', treeId: '0x00000005' },
  reason: 'logoff',
  durationNs: 900_000_000,
  activity: { creates: 0, reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, ioctls: 0 },
  files: [],
  wroteExecutable: false,
  wroteFiles: false,
};

export const alert: AlertRecord = {
  kind: 'alert',
  ts: ts1,
  ruleId: 'SW-0001',
  ruleName: 'short-lived-admin-share',
  severity: 99,
  message: 'CORP\\alice connected to admin share C$ on 10.0.0.12, wrote an executable and disconnected after 2.5 s',
  techniques: [
    { id: 'T1070.005', name: 'Network Share Connection Removal' },
    { id: 'T1021.002', name: 'SMB/Windows Admin Shares' },
  ],
  count: null,
  about: treeDisconnect,
};

export const summaryAlert: AlertRecord = {
  ...alert,
  severity: 47,
  count: 7,
  message: 'admin-share-failure-burst repeated 7 times',
  ruleId: 'SW-0002',
  ruleName: 'admin-share-failure-burst',
  techniques: [
    { id: 'T1021.002', name: 'SMB/Windows Admin Shares' },
    { id: 'T1110', name: 'Brute Force' },
  ],
  about: treeConnectFail,
};

/** a summary of folded SW-0001 repeats: start/end, union of files (17 + 3 more than listed) */
export const treeSummaryAlert: AlertRecord = {
  ...alert,
  ts: { sec: ts1.sec + 3600, nsec: 1 },
  count: 5,
  message: '5 more short-lived-admin-share alerts were folded',
  summary: {
    start: { sec: ts1.sec + 10, nsec: 5000 },
    end: { sec: ts1.sec + 3000, nsec: 999_999_999 },
    names: Array.from({ length: 17 }, (_, i) => `f${i}.exe`),
    namesOmitted: 3,
  },
};

export const allRecords: OutputRecord[] = [
  setupOk,
  setupFail,
  treeConnect,
  treeConnectFail,
  treeDisconnect,
  sessionEnd,
  sessionEndClose,
  encrypted,
  krbTreeEnd,
  alert,
  summaryAlert,
];

/** allRecords plus the contract version 2 shapes (pipes, unknown share, summary with files) */
export const allRecordsV2: OutputRecord[] = [...allRecords, ipcTreeEnd, unknownTreeConnect, treeSummaryAlert];

/** A hostile string: controls, ANSI, CR/LF, tab, bidi override, lone surrogates, quotes. */
export const hostile = 'a\x1b[31mRED\x1b[0m\r\nfake\tline\u202eexe.txt\ud800\udc00\udfff"\\=x\u0085\u0000';
