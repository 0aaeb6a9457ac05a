import { RoomFaults } from '../shared/faults';

/**
 * What the capture room counts across all inputs of a run (plain fields: the summary and
 * --metrics read them; the parser bumps them only on the rare paths, never per packet).
 */
export class CaptureCounters {
  /**
   * records whose caplen exceeds the file's (or the pcapng interface's) snaplen but not the
   * 256 KiB hard limit: read anyway, as tcpdump and tshark do (snaplen changed between writers)
   */
  recordsOverSnaplen = 0;

  /** where the parser's error boundary counts what it caught (the run's, when given) */
  constructor(readonly faults: RoomFaults = new RoomFaults()) {}
}
