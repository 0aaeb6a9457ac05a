/** Memcaps of the DCE/RPC conversations and the counters that say when they bit. */

export interface RpcLimits {
  /** largest stub reassembled from fragments; past it the call is emitted without arguments */
  maxStubBytes: number;
  /** largest partial PDU held between two pipe messages */
  maxPduBytes: number;
  /** requests awaiting their response per conversation (oldest ends unanswered) */
  maxPendingCalls: number;
  /** presentation contexts per conversation */
  maxContexts: number;
  /** context handles remembered per conversation */
  maxHandles: number;
}

export const DEFAULT_RPC_LIMITS: RpcLimits = {
  maxStubBytes: 1024 * 1024,
  maxPduBytes: 65536 + 1024,
  maxPendingCalls: 256,
  maxContexts: 256,
  maxHandles: 1024,
};

export class RpcCounters {
  pdus = 0;
  calls = 0;
  /** calls of operations listed in dcerpc.ignore_operations: counted, not emitted */
  callsIgnored = 0;
  callsEvicted = 0;
  conversations = 0;
  memcapHits = 0;
  orphanFragments = 0;
  responsesWithoutRequest = 0;
  /** calls by `interface/operation` (Prometheus: sharewatch_dcerpc_calls_total) */
  readonly byOperation = new Map<string, number>();
  /** decode errors by reason token */
  readonly errors = new Map<string, number>();

  error(reason: string): void {
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
  }
}
