/**
 * Differential test: SMB1 and authentication dissectors vs tshark on the Zeek captures, frame
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
  { file: 'zeek/SMBGhost.pcap', blobs: true },
  { file: 'zeek/cifs_negotiate_lanman.pcap', smb1: true },
  { file: 'zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap', smb1: true },
  { file: 'zeek/fragment-state-exhaustion.pcap', smb1: true },
  { file: 'zeek/raw_ntlm_in_smb.pcap', smb1: true, blobs: true },
  { file: 'zeek/smb1-OSS-fuzz-54883.pcap', smb1: true, errors: {'smb1_words_truncated': 2,'smb1_write_word_count': 1}, expected: {'andx-block-truncated': 2} },
  { file: 'zeek/smb1-logoff-andx-advance.pcap', smb1: true },
  { file: 'zeek/smb1-logoff-andx-no-advance.pcap', smb1: true, errors: {'smb1_andx_no_advance': 1} },
  { file: 'zeek/smb1.pcap' },
  { file: 'zeek/smb1_transaction2_request.pcap', smb1: true },
  { file: 'zeek/smb1_transaction2_secondary_request.pcap', smb1: true },
  { file: 'zeek/smb1_transaction_request.pcap', smb1: true },
  { file: 'zeek/smb1_transaction_response.pcap', smb1: true },
  { file: 'zeek/smb1_transaction_secondary_request.pcap', smb1: true },
  { file: 'zeek/smb2-multiple-pdus.pcap' },
  { file: 'zeek/smb2-zero-byte-error-ioctl.pcapng', smb1: true, blobs: true },
  { file: 'zeek/smb2.delete-on-close-perms-delete-existing.pcap', blobs: true },
  { file: 'zeek/smb2.pcap', smb1: true, blobs: true },
  { file: 'zeek/smb2_100_small_files.pcap', blobs: true },
  { file: 'zeek/smb2_fscontrol.pcap' },
  { file: 'zeek/smb2readwrite.pcap' },
  { file: 'zeek/smb3.pcap', blobs: true },
  { file: 'zeek/smb311.pcap', blobs: true },
  { file: 'zeek/smb3_multichannel.pcap', blobs: true },
  { file: 'zeek/smb3_negotiate_context.pcap', smb1: true, blobs: true },
  { file: 'zeek/smb_many_open_files_500.pcap.gz', smb1: true, blobs: true },
  { file: 'zeek/smb_v2_only_non_zero_reserved1.pcap', smb1: true, blobs: true },
]);
