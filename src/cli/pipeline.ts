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
import type { TrackerCounters, TrackerOptions } from '../tracker/options';
import type { NetCounters } from '../net/counters';
import type { RpcCounters } from '../tracker/dcerpc/limits';
import type { InferenceCounters } from '../tracker/inference/inference';
import { Detector } from '../detect/detector';
import type { Config } from '../shared/config';
import type { AlertRecord, InternalRecord, LifecycleRecord, Timestamp } from '../shared/records';
import type { CapturedPacket } from '../shared/packet';
import { actionOf } from '../output/ecs';
import { CaptureCounters } from '../capture/counters';
import { RoomFaults } from '../shared/faults';
import { DetectBoundary, OutputBoundary, TrackerBoundary, type RecordWriter } from './room-boundaries';

export type { RecordWriter } from './room-boundaries';

/** The tracker's options from a configuration (shared with the sharded workers). */
export function trackerOptionsFromConfig(config: Config): Partial<TrackerOptions> {
  return {
    extraAdminShares: config.shareClasses.admin,
    maxSessions: config.tracker.maxSessions,
    maxTrees: config.tracker.maxTrees,
    maxPendingPerConnection: config.tracker.maxPendingPerConnection,
    maxOpenFilesPerConnection: config.tracker.maxOpenFilesPerConnection,
    dcerpcIgnore: config.dcerpc.ignoreOperations,
    knownShares: config.inference.knownShares,
    maxInferenceSessions: config.inference.maxSessions,
  };
}

/** What the summary, --metrics and the progress line read (either pipeline). */
export interface PipelineView {
  readonly packets: number;
  readonly bytes: number;
  readonly capture: CaptureCounters;
  readonly faults: { readonly byRoom: ReadonlyMap<string, number>; readonly total: number };
  readonly eventsByAction: ReadonlyMap<string, number>;
  readonly alertsByRule: ReadonlyMap<string, number>;
  readonly net: { readonly counters: NetCounters };
  readonly tracker: { readonly counters: TrackerCounters; readonly rpcCounters: RpcCounters; readonly inference: { readonly counters: InferenceCounters } };
}

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
  private readonly wantInternal: boolean;

  constructor(config: Config, out: RecordWriter, opts: { live?: boolean } = {}) {
    this.out = new OutputBoundary(out, this.faults);
    this.wantInternal = out.writeInternal !== undefined;
    this.detector = new Detector(config, (a: AlertRecord) => this.writeAlert(a), { live: opts.live === true });
    this.detect = new DetectBoundary(this.detector, this.faults);
    this.tracker = new Tracker(
      (rec: LifecycleRecord) => this.writeRecord(rec),
      trackerOptionsFromConfig(config),
      (sec, nsec) => {
        this.onTimeAt(sec, nsec);
      },
      out.writeInternal ? (rec: InternalRecord) => this.out.writeInternal!(rec) : null,
    );
    this.tracker.onDcerpcEndpoint = (ip, port) => this.net.engine.addDcerpcEndpoint(ip, port);
    this.net = new NetPipeline(new TrackerBoundary(this.tracker, this.faults), netOptionsFromConfig(config), this.faults);
  }

  /** Capture time moved forward (after the expiries it caused): detection's windows may close. */
  onTimeAt(sec: number, nsec: number): void {
    this.lastSec = sec;
    this.lastNsec = nsec;
    this.detect.onTimeAt(sec, nsec);
  }

  /** Whether the output takes internal records (Zeek's files/ntlm logs). */
  get wantsInternal(): boolean {
    return this.wantInternal;
  }

  /** An internal record (the sharded run's merger calls this, in the merged order). */
  writeInternal(rec: InternalRecord): void {
    this.out.writeInternal!(rec);
  }

  /** Capture end for detection only (the sharded run ended its connections in the workers). */
  finishDetection(): void {
    this.detect.finish(this.lastTs);
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

  /** A lifecycle record: written, then handed to detection (the sharded run's merger calls this). */
  writeRecord(record: LifecycleRecord): void {
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
