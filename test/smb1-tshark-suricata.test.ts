/**
 * Differential test: SMB1 and authentication dissectors vs tshark on the suricata-verify captures, frame
 * by frame over the NBSS PDUs tshark itself reassembles: SMB1 header of every message (command,
 * response flag, NT or DOS status, UID, TID), AndX chain commands, lifecycle bodies (dialects,
 * account/domain/NativeOS, tree path and service, NT create name/access/disposition/options,
 * FIDs, write/read lengths and offsets), and every SESSION_SETUP/NEGOTIATE security blob of SMB1
 * and SMB2 (NTLMSSP user/domain/workstation, SPNEGO mech types and negResult, Kerberos realm and
 * principal names). Differences must match a reviewed rule in helpers/smb1-expectations.ts.
 */
import t from 'tap';
import { runDifferential } from './helpers/smb1-differential';

runDifferential(t, [
  { file: 'suricata-verify/dcerpc-smb-test-01.pcap', blobs: true },
  { file: 'suricata-verify/dcerpc_dcerpc-dce-iface-01.pcap' },
  { file: 'suricata-verify/dcerpc_dcerpc-smb-ctxid.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/filestore-filecontainer-smb.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/filestore-filecontainer-smb1-data-offset.pcap', smb1: true, blobs: true, expected: {'trailing-partial-message': 5} },
  { file: 'suricata-verify/filestore-filecontainer-smb1-padding.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/output-eve-smb-01.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-dce_iface.pcap', blobs: true },
  { file: 'suricata-verify/smb-eicar-andx.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-file-nbss-more-ffsmb.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-file-segmentation-postheader.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-file-segmentation-random.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-file.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-overlap.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-eicar-padding.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-filename.pcap', smb1: true, blobs: true, expected: {'trailing-partial-message': 5,'oem-non-ascii': 2} },
  { file: 'suricata-verify/smb-length-5770.pcap', smb1: true, blobs: true, expected: {'pdu-exported-as-data': 15} },
  { file: 'suricata-verify/smb-length-5786.pcap', smb1: true, blobs: true, expected: {'iakerb-proxy-token': 38} },
  { file: 'suricata-verify/smb-named-pipe-ascii.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb-version-keyword.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb1-02.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb1-03-midstream.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb2-01.pcap', blobs: true },
  { file: 'suricata-verify/smb2-04.pcap' },
  { file: 'suricata-verify/smb2-05.pcap', blobs: true },
  { file: 'suricata-verify/smb2-06.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb2-07.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb2-09-trunc-file-logging.pcap', smb1: true, blobs: true, expected: {'oem-non-ascii': 2} },
  { file: 'suricata-verify/smb2-async-read.pcap', blobs: true },
  { file: 'suricata-verify/smb2-async.pcap' },
  { file: 'suricata-verify/smb2-delete.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb2-frames-gap-payload-logging-02.pcap', blobs: true },
  { file: 'suricata-verify/smb2-frames-gap-payload-logging.pcap', blobs: true },
  { file: 'suricata-verify/smb2-named-pipe-unicode.pcap', blobs: true },
  { file: 'suricata-verify/smb2-ntlmssp-negotiateflags.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb2-ntlmssp-order.pcap', smb1: true, blobs: true },
  { file: 'suricata-verify/smb3-02-midstream.pcap' },
  { file: 'suricata-verify/smb3-03-midstream.pcap' },
]);
