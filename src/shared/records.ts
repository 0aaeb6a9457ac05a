/**
 * Lifecycle records: what the tracker emits, detection consumes and output shapes into events.
 * Plain data, built once per lifecycle event (rare next to packets), never mutated after emit.
 */

/** Capture time: seconds since the epoch + nanoseconds within the second. */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

/** client = the side that sent the SMB request / opened the TCP connection */
export interface Flow {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly serverIp: string;
  readonly serverPort: number;
  /** the connection's first packet time, when the flow comes from a tracked connection (Zeek uid) */
  readonly startSec?: number;
  readonly startNsec?: number;
}

export type AuthKind = 'ntlmssp' | 'kerberos' | 'anonymous' | 'guest' | 'unknown';

export type EndReason =
  | 'tree_disconnect'
  | 'logoff'
  | 'connection_close'
  | 'connection_reset'
  | 'idle_timeout'
  | 'capture_end';

/** `unknown`: the TREE_CONNECT request (and so the path) was not seen, only its response */
export type ShareClass = 'admin' | 'ipc' | 'hidden' | 'normal' | 'unknown';
export type ShareType = 'disk' | 'pipe' | 'print';
export type Outcome = 'success' | 'failure' | 'unknown';

/** What is known of a session when a record is emitted. Fields are null when not seen. */
export interface SessionView {
  /** '0x' + 16 hex digits (SMB2/3) or '0x' + 4 hex digits (SMB1 UID) */
  readonly sessionId: string | null;
  /** '1', '2.0.2', '2.1', '3.0', '3.0.2', '3.1.1' */
  readonly version: string | null;
  readonly user: string | null;
  readonly domain: string | null;
  readonly workstation: string | null;
  readonly auth: AuthKind | null;
  /** Kerberos service principal / realm when the session authenticated with Kerberos */
  readonly kerberosRealm: string | null;
  readonly kerberosService: string | null;
  /** lower-case names of named pipes opened in this session so far (svcctl, atsvc, winreg, …) */
  readonly pipes: readonly string[];
}

export interface TreeView {
  /** '0x' + 8 hex digits */
  readonly treeId: string;
  /** UNC path as sent */
  readonly share: string;
  /** last path component, case as sent */
  readonly shareName: string;
  readonly shareClass: ShareClass;
  readonly shareType: ShareType | null;
  /** NT status name (STATUS_SUCCESS, STATUS_BAD_NETWORK_NAME, 0x…) or DOS:0x..:0x.. */
  readonly status: string;
  readonly success: boolean;
}

export interface Activity {
  readonly creates: number;
  readonly reads: number;
  readonly writes: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly ioctls: number;
}

interface RecordBase {
  readonly ts: Timestamp;
  readonly flow: Flow;
  readonly session: SessionView;
  /**
   * `lateral_movement.id` of the established chain this record is a later step of. Set only on
   * the copy that detection hands to output (src/detect stamps it; the tracker never does).
   */
  readonly lateralMovementId?: string;
}

/** NTLM facts of a SESSION_SETUP exchange (Zeek's ntlm.log): the server's CHALLENGE and the outcome. */
export interface NtlmFacts {
  /** CHALLENGE target info: MsvAvNbComputerName, MsvAvDnsComputerName, MsvAvDnsTreeName */
  readonly serverNbComputerName: string | null;
  readonly serverDnsComputerName: string | null;
  readonly serverTreeName: string | null;
  /** AUTHENTICATE as sent (null when that field was empty or the message not seen) */
  readonly user: string | null;
  readonly domain: string | null;
  readonly workstation: string | null;
  /** SPNEGO negState of the final response (0 accept-completed, 2 reject), -1 when not wrapped */
  readonly negState: number;
}

export interface SessionSetupRecord extends RecordBase {
  readonly kind: 'session-setup';
  readonly status: string;
  readonly success: boolean;
  readonly auth: AuthKind;
  /** set when the exchange used NTLMSSP (a CHALLENGE or AUTHENTICATE was seen) */
  readonly ntlm?: NtlmFacts | null;
}

export interface SessionEndRecord extends RecordBase {
  readonly kind: 'session-end';
  readonly reason: Exclude<EndReason, 'tree_disconnect'>;
  readonly durationNs: number;
  /** trees connected (successfully) during the session */
  readonly trees: number;
  /** LOGOFF response status when reason is logoff, else null */
  readonly status: string | null;
  /** a connection of the session lost bytes (TCP gap, memcap cut) while it was open */
  readonly gap: boolean;
}

export interface TreeConnectRecord extends RecordBase {
  readonly kind: 'tree-connect';
  readonly tree: TreeView;
}

export interface TreeDisconnectRecord extends RecordBase {
  readonly kind: 'tree-disconnect';
  readonly tree: TreeView;
  readonly reason: EndReason;
  /** connect response → end */
  readonly durationNs: number;
  readonly activity: Activity;
  /** up to 16 names opened for write or created in this tree, in first-seen order (never pipes,
   * never the empty share-root name) */
  readonly files: readonly string[];
  /** up to 16 named pipes opened on this tree (lower case, no `\` or `PIPE\` prefix) */
  readonly pipes: readonly string[];
  /** the tree wrote a file whose first bytes were 'MZ' or whose name ends .exe/.dll/.bat/.ps1/… */
  readonly wroteExecutable: boolean;
  /** the tree had any write activity (WRITE, or CREATE for write/created) */
  readonly wroteFiles: boolean;
  /** its connection lost bytes while it was open: duration, activity and files may be partial */
  readonly gap: boolean;
}

export interface EncryptedSessionRecord extends RecordBase {
  readonly kind: 'encrypted-session';
  readonly reason: Exclude<EndReason, 'tree_disconnect'>;
  readonly durationNs: number;
  /** transform-header messages seen */
  readonly messages: number;
  /** sum of their OriginalMessageSize */
  readonly bytes: number;
}

/** A decoded DCE/RPC argument value (strings bounded and escaped at output). */
export type DcerpcArgValue = string | number | boolean | null | readonly string[];

/** A DCE/RPC request that ended: its response, a fault, or the end of its pipe/connection. */
export interface DcerpcCallRecord extends RecordBase {
  readonly kind: 'dcerpc-call';
  readonly transport: 'smb' | 'tcp';
  /** pipe name without `\` and `PIPE\` prefixes (SMB only), else null */
  readonly pipe: string | null;
  /** the tree the pipe was opened on (SMB only) */
  readonly treeId: string | null;
  /**
   * the bind_ack's secondary address (port_spec) as sent, e.g. `\PIPE\lsass` or `49676`: Zeek's
   * dce_rpc.log `named_pipe`; null/absent when the bind_ack was not seen
   */
  readonly secondaryAddress?: string | null;
  readonly interfaceUuid: string;
  /** `maj.min` */
  readonly interfaceVersion: string;
  /** Zeek's dce_rpc.log name, or the UUID when unknown */
  readonly interfaceName: string;
  /** IDL name or `opnum-N` */
  readonly operation: string;
  readonly opnum: number;
  readonly authLevel: 'none' | 'connect' | 'call' | 'packet' | 'integrity' | 'privacy';
  /** stub sealed by packet privacy: no arguments */
  readonly encrypted: boolean;
  /** the operation's return value as a name, or `0x…`; null without a response */
  readonly returnCode: string | null;
  /** a fault PDU's status name, else null */
  readonly fault: string | null;
  readonly outcome: Outcome;
  /** request → response (ns); null without a response */
  readonly durationNs: number | null;
  /** decoded arguments, snake_case (contract's `dcerpc.args` table) */
  readonly args: Readonly<Record<string, DcerpcArgValue>>;
  /** the connection lost bytes while the call was open */
  readonly gap: boolean;
}

/** A tree inferred inside an SMB3-encrypted session, from transform-header message sizes. */
export interface InferredTreeRecord extends RecordBase {
  readonly kind: 'inferred-tree';
  readonly reason: EndReason;
  /** TREE_CONNECT response (the inferred tree's start) */
  readonly startTs: Timestamp;
  /** the exchange that ended it; `ts` is when that was decided (the next request, or the session's end) */
  readonly endTs: Timestamp;
  /** startTs → endTs */
  readonly durationNs: number;
  readonly shareNameLength: number;
  readonly shareCandidates: readonly string[];
  /** 'admin' when every candidate is an admin share, else 'unknown' */
  readonly shareClass: 'admin' | 'unknown';
  /** 0–1 */
  readonly confidence: number;
  readonly activity: Activity;
}

/**
 * One file (not pipe) opened on a tree, when its handle closes or the tree ends: the basis of
 * Zeek's smb_files.log. Internal: not an NDJSON event of its own.
 */
export interface FileRecord extends RecordBase {
  readonly kind: 'file';
  readonly treeId: string;
  readonly share: string;
  readonly name: string;
  /** open, read, write, delete, rename — what happened to it while open */
  readonly actions: readonly ('open' | 'read' | 'write' | 'delete' | 'rename')[];
  readonly size: number | null;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** new name for a rename */
  readonly renamedTo: string | null;
  readonly openTs: Timestamp;
  /** MAC times from the CREATE response, as Zeek computes them (epoch seconds, double); null when unset */
  readonly times?: FileTimes | null;
  /** when the delete (SET_INFO FileDispositionInformation) / rename was requested */
  readonly deleteTs?: Timestamp | null;
  readonly renameTs?: Timestamp | null;
}

/**
 * NTLMSSP seen in the binds of a DCE/RPC-over-TCP connection (Zeek's ntlm.log), when the
 * connection ends. Internal: not an NDJSON event of its own.
 */
export interface NtlmAuthRecord extends RecordBase {
  readonly kind: 'ntlm';
  readonly ntlm: NtlmFacts;
}

/** Records the tracker hands to the optional internal sink (the Zeek logs), never to NDJSON. */
export type InternalRecord = FileRecord | NtlmAuthRecord;

export interface FileTimes {
  readonly modified: number;
  readonly accessed: number;
  readonly created: number;
  readonly changed: number;
}

export type LifecycleRecord =
  | SessionSetupRecord
  | SessionEndRecord
  | TreeConnectRecord
  | TreeDisconnectRecord
  | EncryptedSessionRecord
  | DcerpcCallRecord
  | InferredTreeRecord;

export interface Technique {
  readonly id: string;
  readonly name: string;
}

/** One step of a lateral-movement chain (contract SW-0012). */
export type LateralStepLetter = 'W' | 'S' | 'T' | 'X' | 'R' | 'C';

export interface LateralMovementStep {
  readonly ts: Timestamp;
  readonly step: LateralStepLetter;
  /** one line: what happened (`service PSEXESVC created running %SystemRoot%\PSEXESVC.exe`) */
  readonly summary: string;
}

/** `lateral_movement.*` of an alert: the chain's alert has steps and tool; later alerts only the id. */
export interface LateralMovement {
  readonly id: string;
  /** ordered by capture time; null on alerts that are only stamped with the chain's id */
  readonly steps: readonly LateralMovementStep[] | null;
  /** `psexec`, `impacket-psexec`, `smbexec`, `atexec`, `wmiexec`, `crackmapexec`, or null */
  readonly tool: string | null;
}

/** An alert from src/detect, about one lifecycle record (the one that decided it). */
export interface AlertRecord {
  readonly kind: 'alert';
  readonly ts: Timestamp;
  /** stable id, e.g. SW-0001 */
  readonly ruleId: string;
  /** rule name = event.action, e.g. short-lived-admin-share */
  readonly ruleName: string;
  /** 21 low, 47 medium, 73 high, 99 critical (after escalation) */
  readonly severity: number;
  /** one human sentence */
  readonly message: string;
  readonly techniques: readonly Technique[];
  /** summary alerts: number of suppressed repeats (event.count); null for a first alert */
  readonly count: number | null;
  /** summary alerts only: what the folded repeats covered */
  readonly summary?: AlertSummary | null;
  /** the record the alert is about: its flow/session/tree fields are copied into the alert */
  readonly about: LifecycleRecord;
  /** SW-0012's chain (id, steps, tool), or the id of the chain a later alert belongs to */
  readonly lateralMovement?: LateralMovement;
}

/** What a summary alert says of the repeats it folds. */
export interface AlertSummary {
  /** first and last folded repeat (event.start, event.end) */
  readonly start: Timestamp;
  readonly end: Timestamp;
  /** union of the repeats' files / services / tasks, first seen first, at most 16 */
  readonly names: readonly string[];
  /** how many more distinct names there were */
  readonly namesOmitted: number;
}

/** What a summary alert says of the repeats it folds. */
export interface AlertSummary {
  /** first and last folded repeat (event.start, event.end) */
  readonly start: Timestamp;
  readonly end: Timestamp;
  /** union of the repeats' files / services / tasks, first seen first, at most 16 */
  readonly names: readonly string[];
  /** how many more distinct names there were */
  readonly namesOmitted: number;
}

export type OutputRecord = LifecycleRecord | AlertRecord;

/** Nanoseconds from a to b (exact for durations below ~104 days). */
export function durationNs(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * 1e9 + (b.nsec - a.nsec);
}
