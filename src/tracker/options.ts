import { DEFAULT_RPC_LIMITS, type RpcLimits } from './dcerpc/limits';

/** Tracker tuning: memcaps and share classification (from the config file's tracker section). */
import { defaultConfig } from '../shared/config';

export interface TrackerOptions {
  /** DCE/RPC memcaps */
  rpcLimits: RpcLimits;
  /** interface name → operations counted but not emitted (config dcerpc.ignore_operations) */
  dcerpcIgnore: ReadonlyMap<string, ReadonlySet<string>>;
  /** extra share names classified as admin (case-insensitive) */
  extraAdminShares: readonly string[];
  maxSessions: number;
  maxTrees: number;
  maxPendingPerConnection: number;
  maxOpenFilesPerConnection: number;
  /** config inference.known_shares */
  knownShares: readonly string[];
  /** encrypted sessions whose trees are inferred at once */
  maxInferenceSessions: number;
}

/** the config schema's defaults (one place for them) */
const defaults = defaultConfig();
export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  rpcLimits: DEFAULT_RPC_LIMITS,
  dcerpcIgnore: defaults.dcerpc.ignoreOperations,
  extraAdminShares: defaults.shareClasses.admin,
  maxSessions: defaults.tracker.maxSessions,
  maxTrees: defaults.tracker.maxTrees,
  maxPendingPerConnection: defaults.tracker.maxPendingPerConnection,
  maxOpenFilesPerConnection: defaults.tracker.maxOpenFilesPerConnection,
  knownShares: defaults.inference.knownShares,
  maxInferenceSessions: defaults.inference.maxSessions,
};

/** Counters the tracker keeps (plain fields; metrics and the summary read them). */
export class TrackerCounters {
  messages = 0;
  smb1Messages = 0;
  smb2Messages = 0;
  transformMessages = 0;
  compressedMessages = 0;
  unknownMessages = 0;
  truncatedMessages = 0;
  gaps = 0;
  gapBytes = 0;
  nbssControl = 0;
  sessionsOpen = 0;
  treesOpen = 0;
  sessionsEvicted = 0;
  treesEvicted = 0;
  pendingEvicted = 0;
  /** a response whose MessageId folded like a waiting request's but was not it */
  txIdCollisions = 0;
  /** requests outstanding when response bytes were lost and never answered after (post-gap housekeeping) */
  txClosedAfterGap = 0;
  /** a FileId that folded like an open handle's but was not it */
  fileIdCollisions = 0;
  filesEvicted = 0;
  responsesWithoutRequest = 0;
  unknownTreeActivity = 0;
  /** parse errors by dissector reason token */
  readonly parseErrors = new Map<string, number>();

  parseError(reason: string): void {
    this.parseErrors.set(reason, (this.parseErrors.get(reason) ?? 0) + 1);
  }
}
