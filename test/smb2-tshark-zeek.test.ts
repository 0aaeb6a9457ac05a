/**
 * Differential test: SMB2/3 dissectors vs tshark on the Zeek captures, frame by frame over the
 * NBSS PDUs tshark itself reassembles (header fields of every message, lifecycle body fields).
 */
import t from 'tap';
import { runDifferential } from './helpers/smb2-differential';

runDifferential(t, [
  { file: 'zeek/smb1.pcap' },
  { file: 'zeek/smb2.pcap' },
  { file: 'zeek/smb2-multiple-pdus.pcap' },
  { file: 'zeek/smb2-zero-byte-error-ioctl.pcapng' },
  { file: 'zeek/smb2.delete-on-close-perms-delete-existing.pcap' },
  { file: 'zeek/smb2_100_small_files.pcap' },
  { file: 'zeek/smb2readwrite.pcap' },
  { file: 'zeek/smb3.pcap' },
  { file: 'zeek/smb311.pcap' },
  { file: 'zeek/smb3_multichannel.pcap' },
  { file: 'zeek/smb3_negotiate_context.pcap' },
  { file: 'zeek/smb_many_open_files_500.pcap.gz' },
  { file: 'zeek/smb_v2_only_non_zero_reserved1.pcap' },
  { file: 'zeek/SMBGhost.pcap' },
]);
