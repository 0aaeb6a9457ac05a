/**
 * Zeek's own logs for corpus captures (../shared/captures/zeek/baselines and dcerpc/baselines) and
 * the reviewed reasons for every row where sharewatch's --zeek-dir logs differ from them on Zeek's
 * columns (ts and uid excepted: Zeek's are its own clock and random ids). test/zeek-baselines
 * pins how many rows each reason explains per pair, so a new difference cannot hide behind one.
 */
import type { ZeekReadValue } from './zeek-log-reader';

export interface BaselinePair {
  /** capture, relative to the corpus root */
  capture: string;
  /** Zeek's log, relative to the corpus root */
  baseline: string;
  /** sharewatch's file in the --zeek-dir directory */
  log: string;
  /**
   * When set, the comparison runs as a tap todo while the condition holds (work not on main yet):
   * 'dcerpc-records' = the run produced no dcerpc-call records; 'dcerpc-ntlm' = the run wrote no
   * ntlm.log (NTLM of DCE/RPC binds over TCP).
   */
  pendingUntil?: 'dcerpc-records' | 'dcerpc-ntlm';
}

export const BASELINE_PAIRS: BaselinePair[] = [
  { capture: 'zeek/smb1.pcap', baseline: 'zeek/baselines/smb1.smb_files.log', log: 'smb_files.log' },
  { capture: 'zeek/smb2.pcap', baseline: 'zeek/baselines/smb2.smb_files.log', log: 'smb_files.log' },
  { capture: 'zeek/smb2.pcap', baseline: 'zeek/baselines/smb2.smb_mapping.log', log: 'smb_mapping.log' },
  { capture: 'zeek/smb3.pcap', baseline: 'zeek/baselines/smb3.smb_mapping.log', log: 'smb_mapping.log' },
  { capture: 'zeek/smb3_multichannel.pcap', baseline: 'zeek/baselines/smb3-multichannel.smb_files.log', log: 'smb_files.log' },
  { capture: 'dcerpc/zeek_cs_window7-join_stream092.pcap', baseline: 'dcerpc/baselines/dce-rpc.context/dce_rpc.log', log: 'dce_rpc.log', pendingUntil: 'dcerpc-records' },
  { capture: 'dcerpc/zeek_mapi.pcap', baseline: 'dcerpc/baselines/dce-rpc.mapi/dce_rpc.log', log: 'dce_rpc.log', pendingUntil: 'dcerpc-records' },
  { capture: 'dcerpc/zeek_dce_rpc_netlogon.pcapng', baseline: 'dcerpc/baselines/dce-rpc.dce_rpc_netlogon/dce_rpc.log', log: 'dce_rpc.log', pendingUntil: 'dcerpc-records' },
  {
    capture: 'zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap',
    baseline: 'dcerpc/baselines/smb.smb1-transaction-dcerpc/dce_rpc.log',
    log: 'dce_rpc.log',
    pendingUntil: 'dcerpc-records',
  },
  { capture: 'dcerpc/zeek_mapi.pcap', baseline: 'dcerpc/baselines/dce-rpc.mapi/ntlm.log', log: 'ntlm.log', pendingUntil: 'dcerpc-ntlm' },
  { capture: 'dcerpc/zeek_dce_rpc_ntlm.pcapng', baseline: 'dcerpc/baselines/dce-rpc.dce_rpc_ntlm/ntlm.log', log: 'ntlm.log', pendingUntil: 'dcerpc-ntlm' },
  { capture: 'dcerpc/zeek_ntlm-empty-av-sequence.pcap', baseline: 'dcerpc/baselines/dce-rpc.ntlm-empty-av-pair-seq/ntlm.log', log: 'ntlm.log', pendingUntil: 'dcerpc-ntlm' },
  {
    capture: 'dcerpc/zeek_ntlm-unterminated-av-sequence.pcap',
    baseline: 'dcerpc/baselines/dce-rpc.ntlm-unterminated-av-pair-seq/ntlm.log',
    log: 'ntlm.log',
    pendingUntil: 'dcerpc-ntlm',
  },
];

type Row = Record<string, ZeekReadValue>;
type Raw = Record<string, string>;

export interface RowDifference {
  id: string;
  reason: string;
  /** a row only Zeek logged */
  zeekOnly?: (zeek: Raw) => boolean;
  /** a row only sharewatch logged (the full row, sharewatch's columns included) */
  oursOnly?: (ours: Raw, typed: Row) => boolean;
  /** a Zeek row and a sharewatch row that are the same row, differing as the reason says */
  pair?: (zeek: Raw, ours: Raw) => boolean;
  /** rows explained, per capture (pairs count once) */
  counts: Record<string, number>;
}

const sameExcept = (a: Raw, b: Raw, except: string[]): boolean =>
  Object.keys(a).every((k) => except.includes(k) || a[k] === b[k]);

export const ROW_DIFFERENCES: RowDifference[] = [
  {
    id: 'failed-tree-connect',
    reason:
      'Zeek logs a mapping from smb2_tree_connect_response, which is not raised for an error ' +
      'response: a failed TREE_CONNECT leaves no row. sharewatch writes one (its `status` column ' +
      'says which failure; the contract makes failed connects events too, and SW-0002 counts them).',
    oursOnly: (o) => o['#log'] === 'smb_mapping.log' && o.status !== 'STATUS_SUCCESS',
    counts: {},
  },
  {
    id: 'path-per-connection',
    reason:
      "Zeek keeps its tree map per TCP connection: a file opened on another channel of an SMB3 " +
      'multichannel session (the tree was connected on 57092, the opens ran on 57093–57095) gets no ' +
      '`path` in Zeek. sharewatch follows the session across its connections and names the tree.',
    pair: (z, o) => z.path === '-' && o.path !== '-' && sameExcept(z, o, ['path']),
    counts: { 'zeek/smb3_multichannel.pcap': 16 },
  },
  {
    id: 'zeek-misses-create-after-gap',
    reason:
      'Frames 670–674 of smb3_multichannel: 13,140 bytes of the server stream (inside a READ ' +
      'response) were never captured (tshark: "ACKed unseen segment"). Zeek\'s SMB analyzer is still ' +
      'out of step when the CREATE response of frame 676 (11regedit.enc, FILE_CREATED, tshark shows ' +
      'it) arrives and logs no FILE_OPEN for it; sharewatch resynchronises at the next NBSS header ' +
      'and logs the open.',
    oursOnly: (o) => o['#log'] === 'smb_files.log' && o.name === '11regedit.enc' && o.size === '0' && o['id.orig_p'] === '57092',
    counts: { 'zeek/smb3_multichannel.pcap': 1 },
  },
  {
    id: 'smb1-tree-not-seen',
    reason:
      'zeek/smb1.pcap starts after its TREE_CONNECT_ANDX: Zeek logs opens on a tree it never saw ' +
      '(path unset, share type defaulting to DISK); sharewatch attributes files only to trees whose ' +
      'connect response it saw (the tracker keeps no state for unknown TreeIds, see the contract’s ' +
      'late-start rules), so it has no FileRecord for these three opens.',
    zeekOnly: (z) => z.action === 'SMB::FILE_OPEN' && z.path === '-',
    counts: { 'zeek/smb1.pcap': 3 },
  },
  {
    id: 'zeek-stale-row-at-connection-end',
    reason:
      "A request whose response never came (the capture ends first): Zeek's finalize_dce_rpc logs the " +
      "pipe's backing Info record at connection removal, which still holds the previous call's " +
      '`operation` and `rtt` (zeek_mapi: a second "EcRRegisterPushNotification 0.003998" row for the ' +
      'unanswered EcDoRpc). sharewatch logs the unanswered call itself: its operation, `rtt` unset.',
    pair: (z, o) =>
      o.rtt === '-' &&
      z.rtt !== '-' &&
      sameExcept(z, o, ['rtt', 'operation']),
    counts: { 'dcerpc/zeek_mapi.pcap': 1 },
  },
  {
    id: 'no-bind-seen',
    reason:
      'zeek_mapi: 192.168.0.129:2482 → 1032 starts mid-stream, its bind is not in the capture. Zeek ' +
      'logs a call only when it knows the endpoint (`c$dce_rpc?$endpoint`); sharewatch writes the call ' +
      'with endpoint `unknown` and `opnum-N` (the contract: every request is an event).',
    oursOnly: (o) => o['#log'] === 'dce_rpc.log' && o.endpoint === 'unknown',
    counts: { 'dcerpc/zeek_mapi.pcap': 6 },
  },
  {
    id: 'zeek-skips-midstream-smb-139',
    reason:
      'zeek_mapi: the SMB1 connection 192.168.0.2:4597 → 192.168.0.111:139 is already running when the ' +
      'capture starts (no SYN, no NBSS session request, no NEGOTIATE; tshark decodes its lsarpc calls). ' +
      "Zeek's baseline has no row for this connection at all; sharewatch picks SMB up mid-stream and " +
      'logs its lsarpc calls (bind and bind_ack are in the capture).',
    oursOnly: (o) => o['#log'] === 'dce_rpc.log' && o['id.orig_p'] === '4597' && o['id.resp_p'] === '139',
    counts: { 'dcerpc/zeek_mapi.pcap': 28 },
  },
  {
    id: 'zeek-reversed-midstream-tcp',
    reason:
      'zeek_dce_rpc_ntlm starts mid-connection (no SYN). Zeek takes 10.10.10.121:58772 as the ' +
      'originator although 10.10.10.120:54784 sends the Bind and both Alter_contexts (tshark frames ' +
      "1, 4, 6); with the roles reversed Zeek's DCE/RPC analyzer reads the client's AUTHENTICATE as " +
      'server data and logs no username/hostname/domainname. sharewatch takes the side that binds as ' +
      'the client and logs Administrator / CBTH-WS-1 / BLACKCLOVER with the same server names.',
    pair: (z, o) =>
      z['id.orig_h'] === o['id.resp_h'] &&
      z['id.orig_p'] === o['id.resp_p'] &&
      z['id.resp_h'] === o['id.orig_h'] &&
      z['id.resp_p'] === o['id.orig_p'] &&
      z.username === '-' &&
      z.hostname === '-' &&
      z.domainname === '-' &&
      sameExcept(z, o, ['id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'username', 'hostname', 'domainname']),
    counts: { 'dcerpc/zeek_dce_rpc_ntlm.pcapng': 1 },
  },
];
