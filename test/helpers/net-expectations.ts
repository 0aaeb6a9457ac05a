/**
 * Where src/net's NBSS session messages differ from tshark's (TCP desegmentation on), per corpus
 * file, with the reason. Compared as (frame that completed the PDU, direction, NBSS length); the
 * counts here must match exactly, so any new difference fails the test.
 */
export interface NbssDifference {
  /** PDUs we deliver that tshark does not show in that frame/direction with that length */
  onlyOurs: number;
  /** PDUs tshark shows that we do not deliver there */
  onlyTshark: number;
  reason: string;
}

export const NBSS_DIFFERENCES: Record<string, NbssDifference> = {
  'suricata-verify/smb-eicar-file-segmentation-random.pcap': {
    onlyOurs: 8,
    onlyTshark: 0,
    reason:
      "the client's first segment holds 1 byte: tshark's NBSS dissector needs 4 bytes to start desegmenting, " +
      'calls it a continuation and never frames that direction (0 PDUs); we reassemble all 8 requests ' +
      '(NEGOTIATE, SESSION_SETUP x2, TREE_CONNECT, ... the EICAR WRITE that Suricata alerts on)',
  },
  'suricata-verify/smb1-02.pcap': {
    onlyOurs: 1,
    onlyTshark: 0,
    reason:
      "frame 9 (the client's NEGOTIATE, 51 bytes at seq 1) was captured after the server's ACK of it (frame 8): " +
      'tshark marks it a spurious retransmission and does not dissect it; it is the first data of the stream, ' +
      'in order, and the server answers it in frame 14, so we deliver it',
  },
  'zeek/smb1-OSS-fuzz-54883.pcap': {
    onlyOurs: 19,
    onlyTshark: 4,
    reason:
      'fuzzer output on port 139, not a real conversation: the stream is garbage between a few SMB1 headers. ' +
      'tshark frames whatever the 4 bytes say (a 19-byte non-SMB message, an 84-byte one, empty messages, a ' +
      '3392-byte one); we accept a session message only when it starts with an SMB protocol id and is at least ' +
      'a header long, and otherwise hunt for the next plausible NBSS+SMB header, which finds more SMB1 headers',
  },
};

/** NBSS control messages (session request/response, keep-alive) that differ from tshark's count */
export const CONTROL_DIFFERENCES: Record<string, { ours: number; tshark: number; reason: string }> = {
  'zeek/smb1-OSS-fuzz-54883.pcap': {
    ours: 0,
    tshark: 1,
    reason: 'tshark reads a header of type 0x69 inside the garbage as a PDU; 0x69 is no NBSS type, so we resync',
  },
};
