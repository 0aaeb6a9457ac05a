/** What the reader thread and its workers say to each other (besides the packet rings). */
import type { MessagePort } from 'node:worker_threads';
import type { InternalRecord, LifecycleRecord } from '../../shared/records';
import { InferenceCounters } from '../../tracker/inference/inference';
import type { NetPipeline } from '../../net/pipeline';
import type { Tracker } from '../../tracker/tracker';
import type { RoomFaults } from '../../shared/faults';
import { NetCounters } from '../../net/counters';
import { TrackerCounters } from '../../tracker/options';
import { RpcCounters } from '../../tracker/dcerpc/limits';

/** emitted by idle expiry while capture time moved (before the packet that moved it) */
export const PHASE_EXPIRY = 0;
/** emitted while handling the packet */
export const PHASE_PACKET = 1;
/** emitted by the capture end (every open connection ends) */
export const PHASE_END = 2;
/** numbers per record in `tags`: n, phase, key, index, connection's last packet sec, nsec, 1 = internal record */
export const TAG_WIDTH = 7;

export interface WorkerData {
  sab: SharedArrayBuffer;
  port: MessagePort;
  configPath: string | null;
  index: number;
  workers: number;
  /** test hook: throw (outside every error boundary) at this global packet number */
  faultAt: number;
  /** the output takes internal records (Zeek's files/ntlm logs): send them too */
  internal: boolean;
}

/** plain snapshot of a worker's counters (structured-clone safe) */
export interface CounterSnapshot {
  net: Record<string, number>;
  tracker: Record<string, number>;
  parseErrors: Map<string, number>;
  rpc: Record<string, number>;
  rpcByOperation: Map<string, number>;
  rpcErrors: Map<string, number>;
  faults: Map<string, number>;
  inference: Record<string, number>;
}

export type WorkerMessage =
  | { t: 'recs'; recs: (LifecycleRecord | InternalRecord)[]; tags: number[]; losses: number[]; watermark: number; counters: CounterSnapshot | null; done: boolean }
  | { t: 'error'; message: string };

function numbers(o: object): Record<string, number> {
  const r: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') r[k] = v;
  return r;
}

export function workerCounters(net: NetPipeline, tracker: Tracker, faults: RoomFaults): CounterSnapshot {
  return {
    net: numbers(net.counters),
    tracker: numbers(tracker.counters),
    parseErrors: new Map(tracker.counters.parseErrors),
    rpc: numbers(tracker.rpcCounters),
    rpcByOperation: new Map(tracker.rpcCounters.byOperation),
    rpcErrors: new Map(tracker.rpcCounters.errors),
    faults: new Map(faults.byRoom),
    inference: numbers(tracker.inference.counters),
  };
}

function addInto(target: object, src: Record<string, number>): void {
  const t = target as Record<string, number>;
  for (const [k, v] of Object.entries(src)) if (typeof t[k] === 'number') t[k] += v;
}

function addMap(target: Map<string, number>, src: Map<string, number>): void {
  for (const [k, v] of src) target.set(k, (target.get(k) ?? 0) + v);
}

/** The workers' counters summed, in the shapes the summary and metrics read. */
export class SummedCounters {
  readonly net = new NetCounters();
  readonly tracker = new TrackerCounters();
  readonly rpc = new RpcCounters();
  readonly faults = new Map<string, number>();
  readonly inference = new InferenceCounters();

  static of(snaps: readonly (CounterSnapshot | null)[]): SummedCounters {
    const s = new SummedCounters();
    for (const c of snaps) {
      if (c === null) continue;
      addInto(s.net, c.net);
      addInto(s.tracker, c.tracker);
      addMap(s.tracker.parseErrors, c.parseErrors);
      addInto(s.rpc, c.rpc);
      addMap(s.rpc.byOperation, c.rpcByOperation);
      addMap(s.rpc.errors, c.rpcErrors);
      addMap(s.faults, c.faults);
      addInto(s.inference, c.inference);
    }
    return s;
  }
}
