/**
 * Reviewed, expected differences between our SMB1/auth dissectors and tshark (Wireshark 4.0) in
 * the differential tests. Each rule says why the mismatch is not a bug; the tests pin how many
 * mismatches each rule explains per capture, so a new difference cannot hide behind an old rule.
 */
import type { Mismatch } from './smb1-reference';

export interface ExpectedDifference {
  id: string;
  reason: string;
  matches(m: Mismatch): boolean;
}

const HEADER = new Set(['smb.cmd', 'smb.flags.response', 'smb.nt_status', 'smb.error_class', 'smb.error_code', 'smb.uid', 'smb.tid']);
const prefix = (a: string[], b: string[]) => a.length < b.length && a.every((v, i) => v === b[i]);

export const EXPECTED_DIFFERENCES: ExpectedDifference[] = [
  {
    id: 'andx-block-truncated',
    reason:
      "OSS-fuzz input: an AndX link points at a block whose parameter words run past the message. " +
      'tshark still prints that block\'s AndXCommand (then flags the frame malformed); walkAndX ' +
      "rejects the block with the typed error 'smb1_words_truncated' and reports only the blocks " +
      'before it.',
    matches: (m) =>
      m.field === 'smb.cmd' && m.errors.includes('smb1_words_truncated') && prefix(m.ours, m.tshark) && m.tshark.length === m.ours.length + 1,
  },
  {
    id: 'trailing-partial-message',
    reason:
      'The exported TCP payload ends with the first bytes of the next NBSS message (tshark hands ' +
      'NBSS whole segments). tshark dissects the header of that partial message; our test takes only ' +
      'complete messages (the reassembler delivers the rest with the next frame), so tshark lists one ' +
      'header more. The values we have are a prefix of tshark\'s.',
    matches: (m) => m.trailingPartial && HEADER.has(m.field) && prefix(m.ours, m.tshark),
  },
  {
    id: 'pdu-exported-as-data',
    reason:
      "smb-length-5770 (NBSS length evasion): tshark exports the first PDU of the stream as 'data' " +
      'and does not dissect it, so it shows no SMB field in that frame; our dissectors parse the ' +
      'NEGOTIATE request inside it (dialects NT LM 0.12, SMB 2.002, SMB 2.???).',
    matches: (m) => m.tsharkNoSmb && m.tshark.length === 0 && m.ours.length > 0,
  },
  {
    id: 'oem-non-ascii',
    reason:
      'Non-ASCII bytes in an OEM (non-unicode) string: Wireshark decodes OEM strings as ASCII and ' +
      'shows U+FFFD per byte; we read the OEM code page as latin1 (the code page is unknown on the ' +
      'wire). Only seen in garbage NativeOS fields of fuzz-like SESSION_SETUP requests.',
    matches: (m) =>
      m.field === 'smb.native_os' && m.ours.length === 1 && m.tshark.length === 1 && /[\u0080-\u00ff]/.test(m.ours[0]) && m.tshark[0].includes('\ufffd'),
  },
  {
    id: 'iakerb-proxy-token',
    reason:
      "smb-length-5786: a macOS client authenticates with IAKERB (OID 1.3.6.1.5.2.5, Apple's LKDC). " +
      'Its proxy tokens (TOK_ID 05 01, an IAKERB-HEADER then a KDC message: AS-REQ, KRB-ERROR, ' +
      'AS-REP, TGS-REQ/REP) are not dissected by Wireshark 4.0 (no kerberos.* field); we skip the ' +
      'IAKERB-HEADER and read the KDC message, which shows e.g. the client name (cname "toto") in ' +
      'the clear. The AP-REQ (TOK_ID 01 00) later in the exchange is compared normally and agrees.',
    matches: (m) => m.iakerb && m.field.startsWith('kerberos.') && m.tshark.length === 0 && m.ours.length > 0,
  },
];
