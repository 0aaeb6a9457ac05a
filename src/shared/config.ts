/**
 * The configuration: loaded from JSON or YAML, validated against config-schema.ts (strict: unknown
 * keys and wrong types are errors naming the key path), turned into the camelCase `Config` the
 * rooms read. Durations are seconds of capture time.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import type { ConfigFile, SeverityName } from './config-schema';
import type * as Schema from './config-schema';
import { DEFAULT_IGNORED_OPERATIONS } from './dcerpc-defaults';
import { DEFAULT_ADMIN_GROUPS, DEFAULT_REGISTRY_KEYS, DEFAULT_SAVE_KEYS } from './detect-defaults';

export type { SeverityName } from './config-schema';

/** A bad configuration: the message is one line, `source: key.path: what is wrong`. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface AllowlistConfig {
  /** IP or CIDR, IPv4 or IPv6 (validated) */
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  /** `user`, `DOMAIN\user` or `user@DOMAIN`, case-insensitive */
  readonly users: readonly string[];
  /** allowlist users ending in `$` */
  readonly machineAccounts: boolean;
  /** share names or UNC paths, case-insensitive */
  readonly shares: readonly string[];
}

export interface ShortLivedAdminShareConfig {
  readonly enabled: boolean;
  /** seconds; high ≤ medium ≤ low */
  readonly thresholds: { readonly high: number; readonly medium: number; readonly low: number };
  readonly escalate: boolean;
  readonly allowlist: AllowlistConfig;
}

export interface FailureBurstConfig {
  readonly enabled: boolean;
  readonly count: number;
  /** seconds */
  readonly window: number;
  readonly countLogons: boolean;
  readonly severity: SeverityName;
  readonly maxSources: number;
  readonly allowlist: AllowlistConfig;
}

export interface ExecutableWrittenConfig {
  readonly enabled: boolean;
  readonly severity: SeverityName;
  readonly allowlist: AllowlistConfig;
}

export interface FanoutConfig {
  readonly enabled: boolean;
  readonly servers: number;
  /** seconds */
  readonly window: number;
  readonly severity: SeverityName;
  readonly maxSources: number;
  readonly allowlist: AllowlistConfig;
}

export interface ShortLivedInferredConfig {
  readonly enabled: boolean;
  readonly allowlist: AllowlistConfig;
}

export interface InferenceConfig {
  /** 0–1 */
  readonly minConfidence: number;
  readonly knownShares: readonly string[];
  readonly maxSessions: number;
}

/** The allowlist of the DCE/RPC rules: the common lists plus service/task name patterns. */
export interface CallAllowlistConfig extends AllowlistConfig {
  /** service/task name patterns (`*`, `?`), case-insensitive; admin_tools' patterns included */
  readonly services: readonly string[];
}

/** Service names of known admin tools (config `allowlist.admin_tools`). */
export const ADMIN_TOOL_SERVICES: Readonly<Record<(typeof Schema.ADMIN_TOOLS)[number], readonly string[]>> = {
  // Configuration Manager client push installs ccmsetup as a service; its agent is CcmExec
  sccm: ['ccmsetup', 'CcmExec'],
  // PDQ Deploy / Inventory run their remote agents as services named after the console
  pdq: ['PDQDeployRunner*', 'PDQInventory*', 'PDQInventoryScanner*'],
};

export interface CallRuleConfig {
  readonly enabled: boolean;
  readonly allowlist: CallAllowlistConfig;
}

export interface RegistryWriteConfig extends CallRuleConfig {
  readonly keys: readonly string[];
  readonly saveKeys: readonly string[];
}

export interface DcsyncConfig extends CallRuleConfig {
  /** IP or CIDR */
  readonly domainControllers: readonly string[];
}

export interface ZerologonConfig extends CallRuleConfig {
  readonly count: number;
  /** seconds */
  readonly window: number;
  readonly maxSources: number;
}

export interface AccountCreatedConfig extends CallRuleConfig {
  readonly adminGroups: readonly string[];
}

export interface LateralMovementConfig extends CallRuleConfig {
  /** seconds */
  readonly window: number;
  readonly maxPairs: number;
  readonly maxSteps: number;
}

export interface Config {
  readonly shareClasses: { readonly admin: readonly string[] };
  readonly rules: {
    readonly shortLivedAdminShare: ShortLivedAdminShareConfig;
    readonly adminShareFailureBurst: FailureBurstConfig;
    readonly adminShareFanout: FanoutConfig;
    readonly shortLivedAdminShareInferred: ShortLivedInferredConfig;
    readonly executableWrittenToAdminShare: ExecutableWrittenConfig;
    readonly remoteServiceCreated: CallRuleConfig;
    readonly remoteTaskCreated: CallRuleConfig;
    readonly remoteRegistryWrite: RegistryWriteConfig;
    readonly authenticationCoercion: CallRuleConfig;
    readonly dcsync: DcsyncConfig;
    readonly zerologonAttempt: ZerologonConfig;
    readonly remoteAccountCreated: AccountCreatedConfig;
    readonly lateralMovement: LateralMovementConfig;
    readonly remoteWmiExecution: CallRuleConfig;
    readonly remotePrinterDriverInstall: CallRuleConfig;
  };
  readonly inference: InferenceConfig;
  readonly suppression: {
    /** seconds; 0 disables suppression */
    readonly window: number;
    readonly maxKeys: number;
    /** seconds: live summaries of folded repeats at most this often */
    readonly summaryInterval: number;
  };
  readonly observer: {
    /** observer.hostname override; null = the machine's host name */
    readonly name: string | null;
  };
  readonly tracker: {
    /** seconds without a packet after which a TCP connection is over */
    readonly idleTimeout: number;
    readonly maxSessions: number;
    readonly maxTrees: number;
    readonly maxPendingPerConnection: number;
    readonly maxOpenFilesPerConnection: number;
    readonly maxFlows: number;
  };
  readonly dcerpc: {
    /** interface name → operation names counted but not emitted */
    readonly ignoreOperations: ReadonlyMap<string, ReadonlySet<string>>;
  };
  readonly net: {
    readonly maxOooBytesPerFlow: number;
    readonly maxOooBytesTotal: number;
    readonly maxMessageBytes: number;
    /** seconds */
    readonly gapTimeout: number;
  };
}

type AllowlistFile = ConfigFile['rules']['short-lived-admin-share']['allowlist'];

function allowlistOf(a: AllowlistFile): AllowlistConfig {
  return {
    sources: a.sources,
    destinations: a.destinations,
    users: a.users,
    machineAccounts: a.machine_accounts,
    shares: a.shares,
  };
}

type CallAllowlistFile = ConfigFile['rules']['remote-service-created']['allowlist'];

function callAllowlistOf(a: CallAllowlistFile): CallAllowlistConfig {
  const services = [...a.services];
  for (const tool of a.admin_tools) services.push(...ADMIN_TOOL_SERVICES[tool]);
  return { ...allowlistOf(a), services };
}

function callRuleOf(r: { enabled: boolean; allowlist: CallAllowlistFile }): CallRuleConfig {
  return { enabled: r.enabled, allowlist: callAllowlistOf(r.allowlist) };
}

function fromFile(f: ConfigFile): Config {
  const sl = f.rules['short-lived-admin-share'];
  const fb = f.rules['admin-share-failure-burst'];
  const fo = f.rules['admin-share-fanout'];
  const sli = f.rules['short-lived-admin-share-inferred'];
  const ew = f.rules['executable-written-to-admin-share'];
  return {
    shareClasses: { admin: f.share_classes.admin },
    rules: {
      shortLivedAdminShare: {
        enabled: sl.enabled,
        thresholds: { high: sl.thresholds.high, medium: sl.thresholds.medium, low: sl.thresholds.low },
        escalate: sl.escalate,
        allowlist: allowlistOf(sl.allowlist),
      },
      adminShareFailureBurst: {
        enabled: fb.enabled,
        count: fb.count,
        window: fb.window,
        countLogons: fb.count_logons,
        severity: fb.severity,
        maxSources: fb.max_sources,
        allowlist: allowlistOf(fb.allowlist),
      },
      adminShareFanout: {
        enabled: fo.enabled,
        servers: fo.servers,
        window: fo.window,
        severity: fo.severity,
        maxSources: fo.max_sources,
        allowlist: allowlistOf(fo.allowlist),
      },
      executableWrittenToAdminShare: { enabled: ew.enabled, severity: ew.severity, allowlist: allowlistOf(ew.allowlist) },
      remoteServiceCreated: callRuleOf(f.rules['remote-service-created']),
      remoteTaskCreated: callRuleOf(f.rules['remote-task-created']),
      remoteRegistryWrite: {
        ...callRuleOf(f.rules['remote-registry-write']),
        keys: f.rules['remote-registry-write'].keys,
        saveKeys: f.rules['remote-registry-write'].save_keys,
      },
      authenticationCoercion: callRuleOf(f.rules['authentication-coercion']),
      dcsync: { ...callRuleOf(f.rules.dcsync), domainControllers: f.rules.dcsync.domain_controllers },
      zerologonAttempt: {
        ...callRuleOf(f.rules['zerologon-attempt']),
        count: f.rules['zerologon-attempt'].count,
        window: f.rules['zerologon-attempt'].window,
        maxSources: f.rules['zerologon-attempt'].max_sources,
      },
      remoteAccountCreated: {
        ...callRuleOf(f.rules['remote-account-created']),
        adminGroups: f.rules['remote-account-created'].admin_groups,
      },
      lateralMovement: {
        ...callRuleOf(f.rules['lateral-movement']),
        window: f.rules['lateral-movement'].window,
        maxPairs: f.rules['lateral-movement'].max_pairs,
        maxSteps: f.rules['lateral-movement'].max_steps,
      },
      remoteWmiExecution: callRuleOf(f.rules['remote-wmi-execution']),
      remotePrinterDriverInstall: callRuleOf(f.rules['remote-printer-driver-install']),
      shortLivedAdminShareInferred: { enabled: sli.enabled, allowlist: allowlistOf(sli.allowlist) },
    },
    inference: {
      minConfidence: f.inference.min_confidence,
      knownShares: f.inference.known_shares,
      maxSessions: f.inference.max_sessions,
    },
    suppression: { window: f.suppression.window, maxKeys: f.suppression.max_keys, summaryInterval: f.suppression.summary_interval },
    observer: { name: f.observer.name },
    tracker: {
      idleTimeout: f.tracker.idle_timeout,
      maxSessions: f.tracker.max_sessions,
      maxTrees: f.tracker.max_trees,
      maxPendingPerConnection: f.tracker.max_pending_per_connection,
      maxOpenFilesPerConnection: f.tracker.max_open_files_per_connection,
      maxFlows: f.tracker.max_flows,
    },
    dcerpc: {
      ignoreOperations: new Map(Object.entries(f.dcerpc.ignore_operations).map(([k, v]) => [k, new Set(v)])),
    },
    net: {
      maxOooBytesPerFlow: f.net.max_ooo_bytes_per_flow,
      maxOooBytesTotal: f.net.max_ooo_bytes_total,
      maxMessageBytes: f.net.max_message_bytes,
      gapTimeout: f.net.gap_timeout,
    },
  };
}

/** `rules.short-lived-admin-share.thresholds.high`, `…allowlist.sources[2]` */
function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += (out === '' ? '' : '.') + String(p);
  }
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number' && !Number.isInteger(v)) return `number ${v}`;
  return typeof v;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const EXPECTED_NAMES: Record<string, string> = {
  object: 'mapping',
  int: 'integer',
  array: 'list',
};

/** One issue as `key.path: what is wrong` (unknown keys: one entry per key). */
function describeIssue(issue: z.core.$ZodIssue, root: unknown): string[] {
  const where = keyPath(issue.path);
  const at = (p: string): string => (p === '' ? '' : `${p}: `);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${at(keyPath([...issue.path, k]))}unknown key`);
    case 'invalid_type': {
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      const got = valueAt(root, issue.path);
      if (typeof got === 'number' && !Number.isFinite(got)) return [`${at(where)}expected a finite number`];
      return [`${at(where)}expected ${expected}, got ${typeName(got)}`];
    }
    case 'too_small': {
      const op = issue.inclusive ? '≥' : '>';
      if (issue.origin === 'string') return [`${at(where)}must not be empty`];
      return [`${at(where)}must be ${op} ${String(issue.minimum)}`];
    }
    case 'too_big': {
      const op = issue.inclusive ? '≤' : '<';
      return [`${at(where)}must be ${op} ${String(issue.maximum)}`];
    }
    case 'invalid_value':
      return [`${at(where)}expected one of ${issue.values.map((v) => String(v)).join(', ')}`];
    default:
      return [`${at(where)}${issue.message}`];
  }
}

const MAX_REPORTED = 5;

/** Validate a parsed document (`source` names it in messages). @throws ConfigError */
export function parseConfig(obj: unknown, source: string): Config {
  // an empty YAML document is an empty configuration
  const input = obj === null || obj === undefined ? {} : obj;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${source}: expected a mapping at the top level, got ${typeName(input)}`);
  }
  // loaded on first use: zod costs ~50 ms of start-up, and a run without -c never needs it
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose
  const { configFileSchema } = require('./config-schema') as typeof Schema;
  const r = configFileSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.flatMap((i) => describeIssue(i, input));
    const shown = lines.slice(0, MAX_REPORTED).join('; ');
    const more = lines.length > MAX_REPORTED ? ` (and ${lines.length - MAX_REPORTED} more)` : '';
    throw new ConfigError(`${source}: ${shown}${more}`);
  }
  return fromFile(r.data);
}

const noAllowlist = (): AllowlistFile => ({ sources: [], destinations: [], users: [], machine_accounts: false, shares: [] });
const noCallAllowlist = (): CallAllowlistFile => ({ ...noAllowlist(), services: [], admin_tools: [] });
const callRuleFile = () => ({ enabled: true, allowlist: noCallAllowlist() });

/**
 * What the schema makes of `{}` (config-schema.ts defaults), written out so that a run without a
 * configuration file does not load zod; test/config-load checks it equals parseConfig({}).
 */
function defaultFile(): ConfigFile {
  return {
    share_classes: { admin: [] },
    rules: {
      'short-lived-admin-share': { enabled: true, thresholds: { high: 5, medium: 30, low: 300 }, escalate: true, allowlist: noAllowlist() },
      'admin-share-failure-burst': {
        enabled: true,
        count: 10,
        window: 60,
        count_logons: true,
        severity: 'medium',
        max_sources: 100_000,
        allowlist: noAllowlist(),
      },
      'admin-share-fanout': { enabled: true, servers: 5, window: 300, severity: 'high', max_sources: 100_000, allowlist: noAllowlist() },
      'executable-written-to-admin-share': { enabled: true, severity: 'high', allowlist: noAllowlist() },
      'remote-service-created': callRuleFile(),
      'remote-task-created': callRuleFile(),
      'remote-registry-write': {
        enabled: true,
        keys: [...DEFAULT_REGISTRY_KEYS],
        save_keys: [...DEFAULT_SAVE_KEYS],
        allowlist: noCallAllowlist(),
      },
      'authentication-coercion': callRuleFile(),
      dcsync: { enabled: true, domain_controllers: [], allowlist: noCallAllowlist() },
      'zerologon-attempt': { enabled: true, count: 5, window: 60, max_sources: 100_000, allowlist: noCallAllowlist() },
      'remote-account-created': { enabled: true, admin_groups: [...DEFAULT_ADMIN_GROUPS], allowlist: noCallAllowlist() },
      'lateral-movement': { enabled: true, window: 600, max_pairs: 100_000, max_steps: 64, allowlist: noCallAllowlist() },
      'remote-wmi-execution': callRuleFile(),
      'remote-printer-driver-install': callRuleFile(),
      'short-lived-admin-share-inferred': { enabled: true, allowlist: noAllowlist() },
    },
    inference: { min_confidence: 0.8, known_shares: [], max_sessions: 20_000 },
    suppression: { window: 3600, max_keys: 100_000, summary_interval: 300 },
    observer: { name: null },
    tracker: {
      idle_timeout: 600,
      max_sessions: 100_000,
      max_trees: 1_000_000,
      max_pending_per_connection: 4096,
      max_open_files_per_connection: 16_384,
      max_flows: 1_000_000,
    },
    dcerpc: {
      ignore_operations: Object.fromEntries(Object.entries(DEFAULT_IGNORED_OPERATIONS).map(([k, v]) => [k, v.slice()])),
    },
    net: {
      max_ooo_bytes_per_flow: 1024 * 1024,
      max_ooo_bytes_total: 64 * 1024 * 1024,
      max_message_bytes: 4 * 1024 * 1024,
      gap_timeout: 10,
    },
  };
}

/** Every key at its default (= parseConfig({}), without loading the schema). */
export function defaultConfig(): Config {
  return fromFile(defaultFile());
}

/** Text to a plain value: JSON for `.json` or text starting with `{`, YAML otherwise. */
function parseText(text: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && trimmed.startsWith('{'))) {
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`);
    }
  }
  // loaded on first use: most runs have no YAML file, and yaml costs ~50 ms of start-up
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose
  const { LineCounter, parseDocument } = require('yaml') as typeof Yaml;
  const lineCounter = new LineCounter();
  const doc = parseDocument(trimmed, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    const where = ` at line ${pos.line}, column ${pos.col}`;
    throw new ConfigError(`${path}: invalid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${path}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Read, parse and validate a JSON or YAML configuration file. @throws ConfigError */
export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot read: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseConfig(parseText(text, path), path);
}
