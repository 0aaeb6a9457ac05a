/**
 * Counters of src/net: plain numeric fields, incremented in place on the hot path and read by
 * metrics/summary. Each memcap that bites and each gap/resync has its own field.
 */
export class NetCounters {
  // packets
  packets = 0;
  packetsNotDecoded = 0;
  packetsFragmented = 0;
  packetsOtherPort = 0;
  /** packets of no known connection that cannot start one (pure ACK/FIN/RST) */
  packetsNoConn = 0;
  // connections
  /** connections started (total) */
  flows = 0;
  connsEndedFin = 0;
  connsEndedRst = 0;
  connsEndedIdle = 0;
  connsEndedCaptureEnd = 0;
  connsEndedEvicted = 0;
  /** SYN with a new ISN on a connection that had carried data: old one ended, new one started */
  connsReused = 0;
  /** connections on other ports picked up because their first payload looked like NBSS+SMB */
  connsDetectedOtherPort = 0;
  /** open connections right now (gauge) */
  flowsOpen = 0;
  // TCP reassembly
  bytesInOrder = 0;
  segmentsRetransmitted = 0;
  segmentsOverlapping = 0;
  bytesOverlapIgnored = 0;
  segmentsHeldOutOfOrder = 0;
  /** bytes held out of order right now (gauge) */
  oooBytesHeld = 0;
  oooMemcapFlowHits = 0;
  oooMemcapGlobalHits = 0;
  /** TCP-level gaps: bytes never seen (lost segments, snaplen cuts, holes given up on) */
  gaps = 0;
  gapBytes = 0;
  gapsAckedHole = 0;
  gapsTimeout = 0;
  gapsMemcap = 0;
  gapsAtEnd = 0;
  snaplenCutBytes = 0;
  // NBSS framing
  /** times a stream started hunting for the next plausible NBSS+SMB header */
  resyncsStarted = 0;
  /** times such a header was found */
  resyncs = 0;
  /** bytes passed over while hunting (mid-stream pickup, after a gap) */
  resyncSkippedBytes = 0;
  /** headers with an unknown type or reserved bits set, where a header had to be */
  nbssBadHeaders = 0;
  nbssSessionMessages = 0;
  nbssControlMessages = 0;
  nbssKeepAlives = 0;
  /** control message bodies longer than the sanity bound (treated as a bad header) */
  nbssControlTooLong = 0;
  // SMB messages
  messagesDelivered = 0;
  /** messages delivered as a view into one segment (no copy) */
  messagesZeroCopy = 0;
  /** messages joined (copied) because they spanned segments */
  messagesJoined = 0;
  messagesTruncated = 0;
  /** bytes of messages skipped by length instead of buffered (keepBytes / message memcap) */
  messageBytesSkipped = 0;
  messageMemcapHits = 0;
  /** messages not delivered because a gap hit their kept bytes */
  messagesLostInGap = 0;
  /** messages still incomplete when their connection ended */
  messagesIncompleteAtEnd = 0;
  /** DCE/RPC over TCP (ncacn_ip_tcp): connections, PDUs framed, headers that were not v5.0 */
  connsDcerpc = 0;
  dcerpcPdus = 0;
  dcerpcBadHeaders = 0;
  /** endpoints learned from endpoint-mapper answers forgotten under maxDcerpcEndpoints */
  dcerpcEndpointsEvicted = 0;
}
