/**
 * The configuration file's schema, keys as written in the file (snake_case; rule sections named
 * after the rules). Every object is strict (an unknown key is an error) and every key has a
 * default, so `{}` is a complete configuration. contrib/sharewatch.example.yaml documents it.
 *
 * The CIDR parser comes from src/shared/ip.ts (a pure function) so that a bad allowlist entry is
 * a config error naming its key path, not a failure later on.
 */
import { z } from 'zod';
import { DEFAULT_IGNORED_OPERATIONS } from './dcerpc-defaults';
import { DEFAULT_ADMIN_GROUPS, DEFAULT_REGISTRY_KEYS, DEFAULT_SAVE_KEYS } from './detect-defaults';
import { parseCidr } from './ip';

/** seconds of capture time; fractions allowed */
const seconds = (def: number) => z.number().finite().nonnegative().default(def);
/** a count or a memory cap: a positive integer */
const positiveInt = (def: number) => z.number().int().positive().default(def);
const names = z.array(z.string().min(1)).default([]);

export const SEVERITY_NAMES = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];
const severity = (def: SeverityName) => z.enum(SEVERITY_NAMES).default(def);

const cidrList = z
  .array(
    z.string().refine((s) => parseCidr(s) !== null, {
      message: 'not an IP address or CIDR block',
    }),
  )
  .default([]);

const allowlist = z
  .strictObject({
    /** client addresses (IP or CIDR, IPv4 or IPv6) */
    sources: cidrList,
    /** server addresses */
    destinations: cidrList,
    /** `user` (any domain), `DOMAIN\user` or `user@DOMAIN`; case-insensitive */
    users: names,
    /** allowlist every user whose name ends in `$` (computer accounts) */
    machine_accounts: z.boolean().default(false),
    /** share names (`C$`) or full UNC paths (`\\host\C$`); case-insensitive */
    shares: names,
  })
  .prefault({});

/** Known admin tools whose service names `allowlist.admin_tools` exempts (config.ts ADMIN_TOOL_SERVICES). */
export const ADMIN_TOOLS = ['sccm', 'pdq'] as const;

/** The allowlist of the DCE/RPC rules: the common lists plus service/task name patterns. */
const callAllowlist = z
  .strictObject({
    sources: cidrList,
    destinations: cidrList,
    users: names,
    machine_accounts: z.boolean().default(false),
    shares: names,
    /** service or task names, `*` and `?` wildcards, case-insensitive */
    services: names,
    /** known admin tools whose service names are exempt: sccm, pdq */
    admin_tools: z.array(z.enum(ADMIN_TOOLS)).default([]),
  })
  .prefault({});

/** a DCE/RPC rule with nothing to tune but its switch and allowlist */
const callRule = z.strictObject({ enabled: z.boolean().default(true), allowlist: callAllowlist }).prefault({});

const lateralRules = {
  'remote-service-created': callRule,
  'remote-task-created': callRule,
  'remote-registry-write': z
    .strictObject({
      enabled: z.boolean().default(true),
      /** key prefixes (hive\path, `*` matches one path part); case-insensitive */
      keys: z.array(z.string().min(1)).default(() => [...DEFAULT_REGISTRY_KEYS]),
      /** BaseRegSaveKey of these keys (or below them) is critical */
      save_keys: z.array(z.string().min(1)).default(() => [...DEFAULT_SAVE_KEYS]),
      allowlist: callAllowlist,
    })
    .prefault({}),
  'authentication-coercion': callRule,
  dcsync: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** domain controllers (IP or CIDR): their replication is not DCSync */
      domain_controllers: cidrList,
      allowlist: callAllowlist,
    })
    .prefault({}),
  'zerologon-attempt': z
    .strictObject({
      enabled: z.boolean().default(true),
      count: positiveInt(5),
      window: seconds(60),
      max_sources: positiveInt(100_000),
      allowlist: callAllowlist,
    })
    .prefault({}),
  'remote-account-created': z
    .strictObject({
      enabled: z.boolean().default(true),
      /** group names (case-insensitive) whose new members SW-0011 reports */
      admin_groups: z.array(z.string().min(1)).default(() => [...DEFAULT_ADMIN_GROUPS]),
      allowlist: callAllowlist,
    })
    .prefault({}),
  'lateral-movement': z
    .strictObject({
      enabled: z.boolean().default(true),
      /** seconds: steps from one source to one server this close belong together */
      window: seconds(600),
      /** source/server pairs tracked at most (past it the least recently seen is forgotten, counted) */
      max_pairs: positiveInt(100_000),
      /** steps kept per pair while no chain is established (oldest dropped, counted) */
      max_steps: positiveInt(64),
      allowlist: callAllowlist,
    })
    .prefault({}),
  'remote-wmi-execution': callRule,
  'remote-printer-driver-install': callRule,
};

const thresholds = z
  .strictObject({
    high: seconds(5),
    medium: seconds(30),
    low: seconds(300),
  })
  .prefault({})
  .superRefine((t, ctx) => {
    if (t.medium < t.high) {
      ctx.addIssue({ code: 'custom', path: ['medium'], message: `must be ≥ high (${t.high})` });
    }
    if (t.low < t.medium) {
      ctx.addIssue({ code: 'custom', path: ['low'], message: `must be ≥ medium (${t.medium})` });
    }
  });

const shortLived = z
  .strictObject({
    enabled: z.boolean().default(true),
    thresholds,
    /** raise one tier when the tree wrote files / an executable or the session opened svcctl, atsvc, winreg */
    escalate: z.boolean().default(true),
    allowlist,
  })
  .prefault({});

const executableWritten = z
  .strictObject({
    enabled: z.boolean().default(true),
    severity: severity('high'),
    allowlist,
  })
  .prefault({});

const failureBurst = z
  .strictObject({
    enabled: z.boolean().default(true),
    count: positiveInt(10),
    window: seconds(60),
    /** failed logons (no share) count as well as failed tree connects on admin/hidden shares */
    count_logons: z.boolean().default(true),
    severity: severity('medium'),
    max_sources: positiveInt(100_000),
    allowlist,
  })
  .prefault({});

const fanout = z
  .strictObject({
    enabled: z.boolean().default(true),
    servers: positiveInt(5),
    window: seconds(300),
    severity: severity('high'),
    max_sources: positiveInt(100_000),
    allowlist,
  })
  .prefault({});

const shortLivedInferred = z
  .strictObject({
    enabled: z.boolean().default(true),
    allowlist,
  })
  .prefault({});

export const configFileSchema = z.strictObject({
  share_classes: z
    .strictObject({
      /** extra share names classified as admin (ADMIN$ and drive shares always are) */
      admin: names,
    })
    .prefault({}),
  rules: z
    .strictObject({
      'short-lived-admin-share': shortLived,
      'admin-share-failure-burst': failureBurst,
      'admin-share-fanout': fanout,
      'executable-written-to-admin-share': executableWritten,
      ...lateralRules,
      /** SW-0015: SW-0001's thresholds on trees inferred inside encrypted sessions */
      'short-lived-admin-share-inferred': shortLivedInferred,
    })
    .prefault({}),
  inference: z
    .strictObject({
      /** SW-0015 fires only on inferred trees at least this confident */
      min_confidence: z.number().min(0).max(1).default(0.8),
      /** share names known to exist: candidates of their length (they lower an admin share's confidence) */
      known_shares: names,
      /** encrypted sessions inferred at once (memcap) */
      max_sessions: positiveInt(20_000),
    })
    .prefault({}),
  suppression: z
    .strictObject({
      /** 0 disables suppression */
      window: seconds(3600),
      max_keys: positiveInt(100_000),
      /** live: a summary of the repeats folded so far at most this often (capture seconds) */
      summary_interval: z.number().finite().positive().default(300),
    })
    .prefault({}),
  observer: z
    .strictObject({
      /** observer.hostname on every event (default: this machine's host name) */
      name: z.string().min(1).nullable().default(null),
    })
    .prefault({}),
  tracker: z
    .strictObject({
      idle_timeout: seconds(600),
      max_sessions: positiveInt(100_000),
      max_trees: positiveInt(1_000_000),
      max_pending_per_connection: positiveInt(4096),
      max_open_files_per_connection: positiveInt(16_384),
      max_flows: positiveInt(1_000_000),
    })
    .prefault({}),
  dcerpc: z
    .strictObject({
      /** interface name → operations counted, not emitted; `{}` emits every call */
      ignore_operations: z
        .record(z.string().min(1), z.array(z.string().min(1)))
        .default(() => structuredClone(DEFAULT_IGNORED_OPERATIONS) as Record<string, string[]>),
    })
    .prefault({}),
  net: z
    .strictObject({
      max_ooo_bytes_per_flow: positiveInt(1024 * 1024),
      max_ooo_bytes_total: positiveInt(64 * 1024 * 1024),
      /** most bytes buffered for one SMB message; READ/WRITE payloads beyond are skipped */
      max_message_bytes: positiveInt(4 * 1024 * 1024),
      /** seconds a hole in a TCP stream may stay open before the data after it is delivered */
      gap_timeout: seconds(10),
    })
    .prefault({}),
});

export type ConfigFile = z.output<typeof configFileSchema>;
