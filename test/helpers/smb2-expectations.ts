/**
 * Reviewed, expected differences between our SMB2 dissectors and tshark (Wireshark 4.0) in
 * the differential tests. Each rule names the mismatch it explains and why it is not a bug;
 * the tests also pin how many mismatches each rule explains per capture, so a new difference
 * cannot hide behind an old rule.
 */
import type { Mismatch } from './smb2-reference';

export interface ExpectedDifference {
  id: string;
  reason: string;
  matches(m: Mismatch): boolean;
}

const isSubsequence = (a: string[], b: string[]) => {
  let j = 0;
  for (const v of b) if (j < a.length && a[j] === v) j++;
  return j === a.length;
};

export const EXPECTED_DIFFERENCES: ExpectedDifference[] = [
  {
    id: 'session-setup-error-body',
    reason:
      'A failed SESSION_SETUP (e.g. STATUS_LOGON_FAILURE) carries the 9-byte ERROR body. Wireshark ' +
      'always dissects it as a SESSION_SETUP response ("session_setup is special") and shows the ' +
      'ERROR body\'s zero bytes as SessionFlags; our parser returns the typed error ' +
      "'error_response' and the tracker uses only the header status.",
    matches: (m) =>
      m.field.startsWith('smb2.ses_flags.') && m.ours.length === 0 && m.tshark.every((v) => v === '0') && m.kinds.includes('1r'),
  },
  {
    id: 'aapl-create-context-status',
    reason:
      "macOS clients' AAPL create context: Wireshark dissects the server's Resolve ID reply inside " +
      'the CREATE response and prints its status with the same smb2.nt_status field, so the frame ' +
      'lists one status more than it has SMB2 headers. Our header statuses are that list minus the ' +
      "context's.",
    matches: (m) =>
      m.field === 'smb2.nt_status' && m.kinds.includes('5r') && m.tshark.length > m.ours.length && isSubsequence(m.ours, m.tshark),
  },
  {
    id: 'generated-share-type',
    reason:
      'When a TREE_CONNECT response reuses a TreeId Wireshark already knows (smb-length-5770 ' +
      'reconnects the same tree), it adds a generated [Share Type] under the header\'s Tree Id ' +
      'besides the body field: the same value twice.',
    matches: (m) =>
      m.field === 'smb2.share_type' &&
      m.kinds.every((k) => k === '3r') &&
      m.tshark.length === 2 * m.ours.length &&
      m.ours.every((v, i) => m.tshark[2 * i] === v && m.tshark[2 * i + 1] === v),
  },
];
