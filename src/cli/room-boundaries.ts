/**
 * The error boundaries of the rooms entered from the wiring: tracker (as the StreamSink net
 * calls), detect and output. Whatever a room throws on hostile input is counted as a fault of that
 * room and the call returns as if the input had been ignored, so it never unwinds into the
 * caller's room. (capture and net have theirs inside: CaptureParser.next, NetPipeline.handle.)
 * These wrap the rooms from outside because the tracker and detect are being rewritten on other
 * branches; each can move into its room with that work.
 */
import type { Conn, ConnEndReason, Direction, SmbMessage, StreamSink } from '../shared/stream';
import type { RoomFaults } from '../shared/faults';
import type { InternalRecord, LifecycleRecord, OutputRecord, Timestamp } from '../shared/records';
import type { Detector } from '../detect/detector';

/** where the pipeline's records go (an EventWriter, or a test's array) */
export interface RecordWriter {
  write(rec: OutputRecord): void;
  /** internal records (--zeek-dir's smb_files.log, ntlm.log of TCP binds); the tracker makes none without it */
  writeInternal?(rec: InternalRecord): void;
}

/** net → tracker */
export class TrackerBoundary implements StreamSink {
  constructor(
    private readonly tracker: StreamSink,
    private readonly faults: RoomFaults,
  ) {}

  onConnStart(conn: Conn): void {
    try {
      this.tracker.onConnStart(conn);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  keepBytes(head: Buffer, totalLength: number, conn?: Conn, dir?: Direction): number {
    try {
      return this.tracker.keepBytes(head, totalLength, conn, dir);
    } catch (e) {
      this.faults.record('tracker', e);
      // keep nothing: the message is still framed (skipped by its length), the tracker sees it
      // as truncated
      return 0;
    }
  }

  onSmbMessage(msg: SmbMessage): void {
    try {
      this.tracker.onSmbMessage(msg);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  onDcerpcPdu(conn: Conn, dir: Direction, pdu: Buffer, afterGap: boolean, tsSec: number, tsNsec: number): void {
    try {
      this.tracker.onDcerpcPdu?.(conn, dir, pdu, afterGap, tsSec, tsNsec);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer, tsSec: number, tsNsec: number): void {
    try {
      this.tracker.onNbssControl(conn, dir, type, body, tsSec, tsNsec);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  onGap(conn: Conn, dir: Direction, bytes: number, tsSec: number, tsNsec: number): void {
    try {
      this.tracker.onGap(conn, dir, bytes, tsSec, tsNsec);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  onConnEnd(conn: Conn, reason: ConnEndReason, tsSec: number, tsNsec: number): void {
    try {
      this.tracker.onConnEnd(conn, reason, tsSec, tsNsec);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }

  onTime(tsSec: number, tsNsec: number): void {
    try {
      this.tracker.onTime(tsSec, tsNsec);
    } catch (e) {
      this.faults.record('tracker', e);
    }
  }
}

/** tracker → detect (lifecycle records, capture time) */
export class DetectBoundary {
  constructor(
    private readonly detector: Pick<Detector, 'process' | 'onTimeAt' | 'finish'>,
    private readonly faults: RoomFaults,
  ) {}

  process(rec: LifecycleRecord): void {
    try {
      this.detector.process(rec);
    } catch (e) {
      this.faults.record('detect', e);
    }
  }

  onTimeAt(sec: number, nsec: number): void {
    try {
      this.detector.onTimeAt(sec, nsec);
    } catch (e) {
      this.faults.record('detect', e);
    }
  }

  finish(ts: Timestamp): void {
    try {
      this.detector.finish(ts);
    } catch (e) {
      this.faults.record('detect', e);
    }
  }
}

/** tracker/detect → output: a record the output cannot shape is left out (writers never leave half a line) */
export class OutputBoundary implements RecordWriter {
  constructor(
    private readonly out: RecordWriter,
    private readonly faults: RoomFaults,
  ) {}

  write(rec: OutputRecord): void {
    try {
      this.out.write(rec);
    } catch (e) {
      this.faults.record('output', e);
    }
  }

  writeInternal(rec: InternalRecord): void {
    try {
      this.out.writeInternal?.(rec);
    } catch (e) {
      this.faults.record('output', e);
    }
  }
}
