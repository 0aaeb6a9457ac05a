/**
 * Wiring shared by replay and live capture: packets → net → tracker → (output, detection).
 * Each record is written, then handed to detection, so an alert follows the event it is about.
 *
 * Every room is entered through an error boundary counting into `faults` (capture: the parser;
 * net: NetPipeline.handle; tracker, detect, output: room-boundaries.ts): an exception on hostile
 * input is counted by room and never crosses into the caller's room.
 */
import { NetPipeline, netOptionsFromConfig } from '../net/pipeline';
import { capturedLength } from '../shared/packet';
import { Tracker } from '../tracker/tracker';
import { Detector } from '../detect/detector';
import type { Config } from '../shared/config';
import type { AlertRecord, InternalRecord, LifecycleRecord, Timestamp } from '../shared/records';
import type { CapturedPacket } from '../shared/packet';
import { actionOf } from '../output/ecs';
import { CaptureCounters } from '../capture/counters';
import { RoomFaults } from '../shared/faults';
import { DetectBoundary, OutputBoundary, TrackerBoundary, type RecordWriter } from './room-boundaries';

export type { RecordWriter } from './room-boundaries';

export class AnalysisPipeline {
  readonly tracker: Tracker;
  readonly net: NetPipeline;
  readonly detector: Detector;
  /** the detector and the writer behind their error boundaries */
  private readonly detect: DetectBoundary;
  readonly eventsByAction = new Map<string, number>();
  readonly alertsByRule = new Map<string, number>();
  /** exceptions caught at the rooms' entries, by room */
  readonly faults = new RoomFaults();
  /** the capture room's counters for this run (the reader is given them) */
  readonly capture = new CaptureCounters(this.faults);
  packets = 0;
  bytes = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private readonly out: RecordWriter;

  constructor(config: Config, out: RecordWriter, opts: { live?: boolean } = {}) {
    this.out = new OutputBoundary(out, this.faults);
    this.detector = new Detector(config, (a: AlertRecord) => this.writeAlert(a), { live: opts.live === true });
    this.detect = new DetectBoundary(this.detector, this.faults);
    this.tracker = new Tracker(
      (rec: LifecycleRecord) => this.writeRecord(rec),
      {
        extraAdminShares: config.shareClasses.admin,
        maxSessions: config.tracker.maxSessions,
        maxTrees: config.tracker.maxTrees,
        maxPendingPerConnection: config.tracker.maxPendingPerConnection,
        maxOpenFilesPerConnection: config.tracker.maxOpenFilesPerConnection,
        dcerpcIgnore: config.dcerpc.ignoreOperations,
        knownShares: config.inference.knownShares,
        maxInferenceSessions: config.inference.maxSessions,
      },
      (sec, nsec) => {
        this.lastSec = sec;
        this.lastNsec = nsec;
        this.detect.onTimeAt(sec, nsec);
      },
      out.writeInternal ? (rec: InternalRecord) => this.out.writeInternal!(rec) : null,
    );
    this.tracker.onDcerpcEndpoint = (ip, port) => this.net.engine.addDcerpcEndpoint(ip, port);
    this.net = new NetPipeline(new TrackerBoundary(this.tracker, this.faults), netOptionsFromConfig(config), this.faults);
  }

  /** capture time of the last packet that moved time forward */
  get lastTs(): Timestamp {
    return { sec: this.lastSec, nsec: this.lastNsec };
  }

  /** per input (-r index): packets cut by the snaplen, SMB messages lost to gaps meanwhile */
  readonly snaplenCut: { packets: number; lostMessages: number }[] = [];

  readonly onPacket = (p: CapturedPacket): void => {
    this.packets++;
    const cap = capturedLength(p);
    this.bytes += cap;
    const c = this.net.counters;
    const lostBefore = c.messagesLostInGap;
    this.net.handle(p);
    const lost = c.messagesLostInGap - lostBefore;
    if (cap < p.origLen || (lost > 0 && this.snaplenCut[p.sourceIndex] !== undefined)) {
      const s = (this.snaplenCut[p.sourceIndex] ??= { packets: 0, lostMessages: 0 });
      if (cap < p.origLen) s.packets++;
      s.lostMessages += lost;
    }
  };

  /** Capture end: every open connection, session and tree ends with capture_end. */
  finish(): void {
    this.net.finish();
    this.detect.finish(this.lastTs);
  }

  private writeRecord(record: LifecycleRecord): void {
    // a later step of a lateral-movement chain comes back stamped with the chain's id
    const rec = this.detector.stamp(record);
    const action = actionOf(rec);
    this.eventsByAction.set(action, (this.eventsByAction.get(action) ?? 0) + 1);
    this.out.write(rec);
    this.detect.process(rec);
  }

  private writeAlert(a: AlertRecord): void {
    this.alertsByRule.set(a.ruleName, (this.alertsByRule.get(a.ruleName) ?? 0) + 1);
    this.out.write(a);
  }
}
