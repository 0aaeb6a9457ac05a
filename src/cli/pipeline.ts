/**
 * Wiring shared by replay and live capture: packets → net → tracker → (output, detection).
 * Each record is written, then handed to detection, so an alert follows the event it is about.
 */
import { NetPipeline } from '../net/pipeline';
import { capturedLength } from '../shared/packet';
import { Tracker } from '../tracker/tracker';
import { Detector } from '../detect/detector';
import type { Config } from '../shared/config';
import type { AlertRecord, LifecycleRecord, OutputRecord, Timestamp } from '../shared/records';
import type { CapturedPacket } from '../shared/packet';
import { actionOf } from '../output/ecs';
import { CaptureCounters } from '../capture/counters';

export interface RecordWriter {
  write(rec: OutputRecord): void;
}

export class AnalysisPipeline {
  readonly tracker: Tracker;
  readonly net: NetPipeline;
  readonly detector: Detector;
  readonly eventsByAction = new Map<string, number>();
  readonly alertsByRule = new Map<string, number>();
  /** the capture room's counters for this run (the reader is given them) */
  readonly capture = new CaptureCounters();
  packets = 0;
  bytes = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private readonly out: RecordWriter;

  constructor(config: Config, out: RecordWriter) {
    this.out = out;
    this.detector = new Detector(config, (a: AlertRecord) => this.writeAlert(a));
    this.tracker = new Tracker(
      (rec: LifecycleRecord) => this.writeRecord(rec),
      {
        extraAdminShares: config.shareClasses.admin,
        maxSessions: config.tracker.maxSessions,
        maxTrees: config.tracker.maxTrees,
        maxPendingPerConnection: config.tracker.maxPendingPerConnection,
        maxOpenFilesPerConnection: config.tracker.maxOpenFilesPerConnection,
        dcerpcIgnore: config.dcerpc.ignoreOperations,
      },
      (sec, nsec) => {
        this.lastSec = sec;
        this.lastNsec = nsec;
        this.detector.onTimeAt(sec, nsec);
      },
    );
    this.tracker.onDcerpcEndpoint = (ip, port) => this.net.engine.addDcerpcEndpoint(ip, port);
    this.net = new NetPipeline(this.tracker, {
      idleTimeoutSec: config.tracker.idleTimeout,
      maxFlows: config.tracker.maxFlows,
      maxOooBytesPerFlow: config.net.maxOooBytesPerFlow,
      maxOooBytesTotal: config.net.maxOooBytesTotal,
      maxMessageBytes: config.net.maxMessageBytes,
      gapTimeoutSec: config.net.gapTimeout,
    });
  }

  /** capture time of the last packet that moved time forward */
  get lastTs(): Timestamp {
    return { sec: this.lastSec, nsec: this.lastNsec };
  }

  readonly onPacket = (p: CapturedPacket): void => {
    this.packets++;
    this.bytes += capturedLength(p);
    this.net.handle(p);
  };

  /** Capture end: every open connection, session and tree ends with capture_end. */
  finish(): void {
    this.net.finish();
    this.detector.finish(this.lastTs);
  }

  private writeRecord(rec: LifecycleRecord): void {
    const action = actionOf(rec);
    this.eventsByAction.set(action, (this.eventsByAction.get(action) ?? 0) + 1);
    this.out.write(rec);
    this.detector.process(rec);
  }

  private writeAlert(a: AlertRecord): void {
    this.alertsByRule.set(a.ruleName, (this.alertsByRule.get(a.ruleName) ?? 0) + 1);
    this.out.write(a);
  }
}
