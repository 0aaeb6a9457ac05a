/**
 * A sharded run's worker thread: net (reassembly, framing), the dissectors and the tracker for the
 * address pairs the reader thread hashes to it, fed from its packet ring. No detection, no output:
 * every lifecycle record goes back to the reader thread tagged with where one single-threaded
 * engine would have emitted it (see merge.ts), with the ring position it has processed up to.
 */
import { workerData, parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { NetPipeline, netOptionsFromConfig } from '../../net/pipeline';
import { Tracker } from '../../tracker/tracker';
import { RoomFaults } from '../../shared/faults';
import { FramePacket } from '../../shared/packet';
import { newDecodedPacket } from '../../net/decode';
import type { Conn, ConnEndReason } from '../../shared/stream';
import type { InternalRecord, LifecycleRecord } from '../../shared/records';
import { defaultConfig, loadConfig } from '../../shared/config';
import { TrackerBoundary } from '../room-boundaries';
import { trackerOptionsFromConfig } from '../pipeline';
import { ENTRY_FINISH, ENTRY_PACKET, ENTRY_STOP, ENTRY_TICK, RingReader } from './ring';
import { PHASE_END, PHASE_EXPIRY, PHASE_PACKET, workerCounters, type WorkerData, type WorkerMessage } from './protocol';
import type { TcpConn } from '../../net/flows';

const data = workerData as WorkerData;
const port = data.port as MessagePort;
const ring = new RingReader(data.sab);
const config = data.configPath ? loadConfig(data.configPath) : defaultConfig();
const shards = data.workers;
const split = (n: number): number => Math.max(1, Math.ceil(n / shards));

const faults = new RoomFaults();
// memcaps are per worker: the configured totals divided among the workers
const trackerOpts = trackerOptionsFromConfig(config);
trackerOpts.maxSessions = split(config.tracker.maxSessions);
trackerOpts.maxTrees = split(config.tracker.maxTrees);
const netOpts = netOptionsFromConfig(config);
netOpts.maxFlows = split(netOpts.maxFlows);
netOpts.maxOooBytesTotal = split(netOpts.maxOooBytesTotal);

// the tag of the records being emitted: (n, phase, key) and, for expiries, the connection's last packet time
let tagN = 0;
let tagPhase = PHASE_PACKET;
let tagKey = 0;
let tagLastSec = 0;
let tagLastNsec = 0;
let emitIndex = 0;
let recs: (LifecycleRecord | InternalRecord)[] = [];
let tags: number[] = [];
/**
 * SMB messages lost to gaps (the snaplen warning): n, phase, connection's last packet sec, nsec,
 * count per entry — the reader thread decides, as one engine would, which input they count for
 */
let losses: number[] = [];
let lostMark = 0;

const tracker = new Tracker(
  (rec) => {
    recs.push(rec);
    tags.push(tagN, tagPhase, tagKey, emitIndex++, tagLastSec, tagLastNsec, 0);
  },
  trackerOpts,
  null,
  data.internal
    ? (rec) => {
        recs.push(rec);
        tags.push(tagN, tagPhase, tagKey, emitIndex++, tagLastSec, tagLastNsec, 1);
      }
    : null,
);

/** Stamps what a connection's end emits with that connection's last packet (the LRU order). */
class TaggingBoundary extends TrackerBoundary {
  override onConnEnd(conn: Conn, reason: ConnEndReason, tsSec: number, tsNsec: number): void {
    if (tagPhase !== PHASE_PACKET) {
      const c = conn as TcpConn;
      tagKey = c.lastSeq;
      tagLastSec = c.lastSec;
      tagLastNsec = c.lastNsec;
      // the engine ended the halves (losses counted) just before telling the sink
      if (tagPhase === PHASE_EXPIRY) noteLoss();
    }
    super.onConnEnd(conn, reason, tsSec, tsNsec);
  }
}

const net = new NetPipeline(new TaggingBoundary(tracker, faults), netOpts, faults);
tracker.onDcerpcEndpoint = (ip, p) => net.engine.addDcerpcEndpoint(ip, p);
const engine = net.engine;
const decoded = newDecodedPacket();
const pkt = new FramePacket(0);
const faultAt = data.faultAt;

/** Messages lost since the last note, at the current tag. */
function noteLoss(): void {
  const lost = engine.counters.messagesLostInGap;
  if (lost !== lostMark) {
    losses.push(tagN, tagPhase, tagLastSec, tagLastNsec, lost - lostMark);
    lostMark = lost;
  }
}

let watermark = 0;
let posted = 0;
let lastStats = Date.now();

function post(done: boolean): void {
  const stats = done || Date.now() - lastStats >= 500;
  if (recs.length === 0 && watermark === posted && !stats) return;
  const m: WorkerMessage = { t: 'recs', recs, tags, losses, watermark, counters: stats ? workerCounters(net, tracker, faults) : null, done };
  port.postMessage(m);
  if (stats) lastStats = Date.now();
  posted = watermark;
  recs = [];
  tags = [];
  losses = [];
}

function run(): void {
  const v = ring.view;
  let sinceFlush = 0;
  for (;;) {
    const pos = ring.next();
    if (pos < 0) {
      post(false);
      sinceFlush = 0;
      ring.sleep(100);
      continue;
    }
    const type = v.getUint32(pos, true);
    const n = v.getFloat64(pos + 8, true);
    const nowSec = v.getFloat64(pos + 32, true);
    const nowNsec = v.getUint32(pos + 40, true);
    // expiries run when time moves, before the packet: stamped by the connection that ends
    tagN = n;
    tagPhase = PHASE_EXPIRY;
    emitIndex = 0;
    try {
      engine.advanceTime(nowSec, nowNsec);
    } catch (e) {
      faults.record('net', e);
    }
    noteLoss();
    if (type === ENTRY_PACKET) {
      if (n === faultAt) throw new Error(`injected fault at packet ${n} (SHAREWATCH_WORKER_FAULT)`);
      const capLen = v.getUint32(pos + 4, true);
      pkt.tsSec = v.getFloat64(pos + 16, true);
      pkt.tsNsec = v.getUint32(pos + 24, true);
      pkt.linktype = v.getUint32(pos + 28, true);
      pkt.origLen = v.getUint32(pos + 44, true);
      pkt.setFrame(ring.bytes, pos + 48, capLen);
      tagPhase = PHASE_PACKET;
      tagKey = 0;
      engine.seq = n;
      engine.tsSec = pkt.tsSec;
      engine.tsNsec = pkt.tsNsec;
      try {
        engine.counters.packets++;
        if (net.decoder.decode(pkt, decoded)) engine.handleDecoded(decoded);
        else engine.counters.packetsNotDecoded++;
      } catch (e) {
        faults.record('net', e);
      }
      noteLoss();
    } else if (type === ENTRY_FINISH) {
      tagPhase = PHASE_END;
      emitIndex = 0;
      net.finish();
      // the capture end's losses are not the snaplen warning's (told before the end)
      lostMark = engine.counters.messagesLostInGap;
    }
    ring.release(pos);
    watermark = n;
    if (type === ENTRY_FINISH || type === ENTRY_STOP) {
      post(true);
      return;
    }
    if (type !== ENTRY_TICK && ++sinceFlush >= 4096) {
      post(false);
      sinceFlush = 0;
    }
  }
}

try {
  run();
} catch (e) {
  // what was emitted before the fault still goes out, then the reader thread is told
  try {
    post(true);
  } catch {
    /* the error below is what matters */
  }
  const m: WorkerMessage = { t: 'error', message: (e as Error)?.stack ?? String(e) };
  port.postMessage(m);
  ring.fail();
}
port.close();
parentPort?.close();
