/**
 * Differential test: SMB2/3 dissectors vs tshark on the suricata-verify captures (see
 * smb2-tshark-zeek.test.ts). smb-length-5770 also runs SMB over TCP port 4445.
 */
import t from 'tap';
import { runDifferential } from './helpers/smb2-differential';

runDifferential(t, [
  { file: 'suricata-verify/dcerpc-smb-test-01.pcap' },
  { file: 'suricata-verify/dcerpc_dcerpc-smb-ctxid.pcap' },
  { file: 'suricata-verify/smb-dce_iface.pcap' },
  { file: 'suricata-verify/smb-filename.pcap' },
  {
    file: 'suricata-verify/smb-length-5770.pcap',
    decodeAs: ['tcp.port==4445,nbss'],
    expected: { 'aapl-create-context-status': 36, 'generated-share-type': 2 },
  },
  { file: 'suricata-verify/smb-length-5786.pcap', expected: { 'aapl-create-context-status': 18 } },
  { file: 'suricata-verify/smb-version-keyword.pcap' },
  { file: 'suricata-verify/smb2-01.pcap' },
  { file: 'suricata-verify/smb2-04.pcap' },
  { file: 'suricata-verify/smb2-05.pcap' },
  { file: 'suricata-verify/smb2-06.pcap' },
  { file: 'suricata-verify/smb2-07.pcap' },
  { file: 'suricata-verify/smb2-09-trunc-file-logging.pcap' },
  { file: 'suricata-verify/smb2-async-read.pcap' },
  { file: 'suricata-verify/smb2-async.pcap' },
  { file: 'suricata-verify/smb2-delete.pcap' },
  { file: 'suricata-verify/smb2-frames-gap-payload-logging.pcap' },
  { file: 'suricata-verify/smb2-frames-gap-payload-logging-02.pcap' },
  { file: 'suricata-verify/smb2-named-pipe-unicode.pcap', expected: { 'session-setup-error-body': 3 } },
  { file: 'suricata-verify/smb2-ntlmssp-negotiateflags.pcap', expected: { 'session-setup-error-body': 15 } },
  { file: 'suricata-verify/smb2-ntlmssp-order.pcap' },
  { file: 'suricata-verify/smb3-02-midstream.pcap' },
  { file: 'suricata-verify/smb3-03-midstream.pcap' },
]);
