/** The plain counters that --metrics reads at scrape time. */
import type { PipelineView } from './pipeline';

export function metricsSources(p: PipelineView, kernelDrops: () => number) {
  const net = () => p.net.counters as unknown as Record<string, number>;
  return {
    packets: () => p.packets,
    bytes: () => p.bytes,
    kernelDrops,
    recordsOverSnaplen: () => p.capture.recordsOverSnaplen,
    faults: () => p.faults.byRoom,
    flows: () => net().flowsOpen ?? net().flows ?? 0,
    sessionsOpen: () => p.tracker.counters.sessionsOpen,
    treesOpen: () => p.tracker.counters.treesOpen,
    eventsByAction: () => p.eventsByAction,
    alertsByRule: () => p.alertsByRule,
    gaps: () => p.tracker.counters.gaps,
    parseErrors: () => p.tracker.counters.parseErrors,
    memcapHits: () =>
      new Map<string, number>([
        ['sessions', p.tracker.counters.sessionsEvicted],
        ['trees', p.tracker.counters.treesEvicted],
        ['pending', p.tracker.counters.pendingEvicted],
        ['files', p.tracker.counters.filesEvicted],
        ['dcerpc', p.tracker.rpcCounters.memcapHits],
        ['dcerpc_calls', p.tracker.rpcCounters.callsEvicted],
        ['dcerpc_endpoints', p.net.counters.dcerpcEndpointsEvicted],
        ['inference_sessions', p.tracker.inference.counters.sessionsEvicted],
        ['inference_pending', p.tracker.inference.counters.pendingEvicted],
        ['inference_trees', p.tracker.inference.counters.treesEvicted],
      ]),
    dcerpcCalls: () => p.tracker.rpcCounters.byOperation,
    dcerpcErrors: () => p.tracker.rpcCounters.errors,
    trackerUnmatched: () =>
      new Map<string, number>([
        ['message_id_collision', p.tracker.counters.txIdCollisions],
        ['file_id_collision', p.tracker.counters.fileIdCollisions],
        ['closed_after_gap', p.tracker.counters.txClosedAfterGap],
      ]),
  };
}
