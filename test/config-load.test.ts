/** Configuration: defaults, JSON and YAML files, and errors that name the key path. */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, defaultConfig, loadConfig, parseConfig, type Config } from '../src/shared/config';
import { Detector } from '../src/detect/detector';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharewatch-config-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const EXAMPLE = path.resolve(__dirname, '..', 'contrib', 'sharewatch.example.yaml');

const NO_ALLOWLIST = { sources: [], destinations: [], users: [], machineAccounts: false, shares: [] };
const NO_CALL_ALLOWLIST = { ...NO_ALLOWLIST, services: [] };
const CALL_RULE = { enabled: true, allowlist: NO_CALL_ALLOWLIST };

t.test('defaults', async (t) => {
  const want: Config = {
    shareClasses: { admin: [] },
    rules: {
      shortLivedAdminShare: { enabled: true, thresholds: { high: 5, medium: 30, low: 300 }, escalate: true, allowlist: NO_ALLOWLIST },
      adminShareFailureBurst: { enabled: true, count: 10, window: 60, countLogons: true, severity: 'medium', maxSources: 100000, allowlist: NO_ALLOWLIST },
      adminShareFanout: { enabled: true, servers: 5, window: 300, severity: 'high', maxSources: 100000, allowlist: NO_ALLOWLIST },
      executableWrittenToAdminShare: { enabled: true, severity: 'high', allowlist: NO_ALLOWLIST },
      shortLivedAdminShareInferred: { enabled: true, allowlist: NO_ALLOWLIST },
      remoteServiceCreated: CALL_RULE,
      remoteTaskCreated: CALL_RULE,
      remoteRegistryWrite: {
        ...CALL_RULE,
        keys: [
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
          'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run',
          'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
          'HKU\\*\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
          'HKU\\*\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
          'HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
          'HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
          'HKLM\\SYSTEM\\*ControlSet*\\Services',
          'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon',
          'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options',
          'HKLM\\SYSTEM\\*ControlSet*\\Control\\Lsa',
          'HKLM\\SOFTWARE\\Policies',
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies',
        ],
        saveKeys: ['HKLM\\SAM', 'HKLM\\SECURITY', 'HKLM\\SYSTEM'],
      },
      authenticationCoercion: CALL_RULE,
      dcsync: { ...CALL_RULE, domainControllers: [] },
      zerologonAttempt: { ...CALL_RULE, count: 5, window: 60, maxSources: 100000 },
      remoteAccountCreated: {
        ...CALL_RULE,
        adminGroups: [
          'Administrators',
          'Domain Admins',
          'Enterprise Admins',
          'Schema Admins',
          'Account Operators',
          'Backup Operators',
          'Remote Desktop Users',
          'Remote Management Users',
        ],
      },
      lateralMovement: { ...CALL_RULE, window: 600, maxPairs: 100000, maxSteps: 64 },
      remoteWmiExecution: CALL_RULE,
      remotePrinterDriverInstall: CALL_RULE,
    },
    inference: { minConfidence: 0.8, knownShares: [], maxSessions: 20000 },
    suppression: { window: 3600, maxKeys: 100000, summaryInterval: 300 },
    observer: { name: null },
    tracker: {
      idleTimeout: 600,
      maxSessions: 100000,
      maxTrees: 1000000,
      maxPendingPerConnection: 4096,
      maxOpenFilesPerConnection: 16384,
      maxFlows: 1000000,
    },
    dcerpc: {
      ignoreOperations: new Map([
        ['svcctl', new Set(['RCloseServiceHandle', 'RQueryServiceStatus'])],
        ['winreg', new Set(['BaseRegCloseKey', 'BaseRegGetVersion', 'BaseRegQueryInfoKey'])],
        ['samr', new Set(['SamrCloseHandle'])],
        ['lsarpc', new Set(['LsarClose'])],
        ['spoolss', new Set(['RpcClosePrinter'])],
        ['epmapper', new Set(['ept_lookup_handle_free'])],
        ['wkssvc', new Set(['NetrWkstaGetInfo'])],
      ]),
    },
    net: { maxOooBytesPerFlow: 1048576, maxOooBytesTotal: 67108864, maxMessageBytes: 4194304, gapTimeout: 10 },
  };
  t.same(defaultConfig(), want);
  t.same(parseConfig({ dcerpc: { ignore_operations: {} } }, 'x').dcerpc.ignoreOperations.size, 0, '{} emits every call');
  t.same(
    [...parseConfig({ dcerpc: { ignore_operations: { svcctl: ['ROpenSCManagerW'] } } }, 'x').dcerpc.ignoreOperations.get('svcctl')!],
    ['ROpenSCManagerW'],
    'a map replaces the default list',
  );
  t.same(parseConfig({}, 'x'), want, '{} is a complete configuration');
  t.same(parseConfig(null, 'x'), want, 'an empty YAML document too');
  t.same(loadConfig(file('empty.yaml', '')), want);
  t.same(loadConfig(file('comments.yaml', '# nothing set\n')), want);
  t.same(loadConfig(EXAMPLE), want, 'contrib/sharewatch.example.yaml documents exactly the defaults');
  const svc = parseConfig({ rules: { 'remote-service-created': { allowlist: { services: ['Backup*'], admin_tools: ['pdq', 'sccm'] } } } }, 'x');
  t.same(
    svc.rules.remoteServiceCreated.allowlist.services,
    ['Backup*', 'PDQDeployRunner*', 'PDQInventory*', 'PDQInventoryScanner*', 'ccmsetup', 'CcmExec'],
    'admin_tools add the known service names of SCCM and PDQ to the service patterns',
  );
  t.throws(
    () => parseConfig({ rules: { 'remote-service-created': { allowlist: { admin_tools: ['ansible'] } } } }, 'x'),
    /rules\.remote-service-created\.allowlist\.admin_tools\[0\]: expected one of sccm, pdq/,
  );
  t.throws(() => parseConfig({ rules: { dcsync: { domain_controllers: ['dc1'] } } }, 'x'), /rules\.dcsync\.domain_controllers\[0\]: not an IP address or CIDR block/);
});

const FULL = {
  share_classes: { admin: ['BACKUP$'] },
  suppression: { window: 600, max_keys: 50, summary_interval: 60 },
  observer: { name: 'sensor-7' },
  rules: {
    'short-lived-admin-share': {
      enabled: false,
      thresholds: { high: 1, medium: 2.5, low: 60 },
      escalate: false,
      allowlist: { sources: ['10.0.0.0/8'], destinations: ['2001:db8::/32'], users: ['CORP\\svc'], machine_accounts: true, shares: ['C$'] },
    },
    'admin-share-failure-burst': { enabled: false, count: 20, window: 30, count_logons: false, severity: 'high', max_sources: 7, allowlist: { users: ['scanner'] } },
    'admin-share-fanout': { enabled: false, servers: 3, window: 120, severity: 'critical', max_sources: 8, allowlist: { shares: ['\\\\srv\\ADMIN$'] } },
    'executable-written-to-admin-share': { enabled: false, severity: 'critical', allowlist: { users: ['deploy'] } },
    'short-lived-admin-share-inferred': { enabled: false, allowlist: { sources: ['192.0.2.0/24'] } },
  },
  inference: { min_confidence: 0.5, known_shares: ['public', 'hr'], max_sessions: 10 },
  tracker: { idle_timeout: 60, max_sessions: 1, max_trees: 2, max_pending_per_connection: 3, max_open_files_per_connection: 4, max_flows: 5 },
  net: { max_ooo_bytes_per_flow: 6, max_ooo_bytes_total: 7, max_message_bytes: 8, gap_timeout: 9 },
};
const FULL_YAML = `
share_classes:
  admin: [BACKUP$]
suppression: { window: 600, max_keys: 50, summary_interval: 60 }
observer: { name: sensor-7 }
rules:
  short-lived-admin-share:
    enabled: false
    thresholds: { high: 1, medium: 2.5, low: 60 }
    escalate: false
    allowlist:
      sources: [10.0.0.0/8]
      destinations: ["2001:db8::/32"]
      users: ['CORP\\svc']
      machine_accounts: true
      shares: [C$]
  admin-share-failure-burst:
    enabled: false
    count: 20
    window: 30
    count_logons: false
    severity: high
    max_sources: 7
    allowlist: { users: [scanner] }
  admin-share-fanout:
    enabled: false
    servers: 3
    window: 120
    severity: critical
    max_sources: 8
    allowlist:
      shares: ['\\\\srv\\ADMIN$']
  executable-written-to-admin-share: { enabled: false, severity: critical, allowlist: { users: [deploy] } }
  short-lived-admin-share-inferred:
    enabled: false
    allowlist: { sources: [192.0.2.0/24] }
inference:
  min_confidence: 0.5
  known_shares: [public, hr]
  max_sessions: 10
tracker:
  idle_timeout: 60
  max_sessions: 1
  max_trees: 2
  max_pending_per_connection: 3
  max_open_files_per_connection: 4
  max_flows: 5
net: { max_ooo_bytes_per_flow: 6, max_ooo_bytes_total: 7, max_message_bytes: 8, gap_timeout: 9 }
`;

t.test('every key reaches Config; JSON and YAML agree', async (t) => {
  const fromJson = loadConfig(file('full.json', JSON.stringify(FULL, null, 2)));
  const fromYaml = loadConfig(file('full.yaml', FULL_YAML));
  t.same(fromYaml, fromJson);
  t.same(loadConfig(file('full.yml', FULL_YAML)), fromJson, '.yml');
  t.same(loadConfig(file('full.conf', JSON.stringify(FULL))), fromJson, 'JSON recognised by content');
  t.same(loadConfig(file('full.cfg', FULL_YAML)), fromJson, 'YAML recognised by content');
  t.same(loadConfig(file('bom.json', '\uFEFF' + JSON.stringify(FULL))), fromJson, 'byte order mark');
  const c = fromJson;
  t.same(c.shareClasses.admin, ['BACKUP$']);
  t.same(c.suppression, { window: 600, maxKeys: 50, summaryInterval: 60 });
  t.same(c.observer, { name: 'sensor-7' });
  t.same(c.rules.executableWrittenToAdminShare, { enabled: false, severity: 'critical', allowlist: { ...NO_ALLOWLIST, users: ['deploy'] } });
  t.same(c.rules.shortLivedAdminShare, {
    enabled: false,
    thresholds: { high: 1, medium: 2.5, low: 60 },
    escalate: false,
    allowlist: { sources: ['10.0.0.0/8'], destinations: ['2001:db8::/32'], users: ['CORP\\svc'], machineAccounts: true, shares: ['C$'] },
  });
  t.same(c.rules.adminShareFailureBurst, {
    enabled: false, count: 20, window: 30, countLogons: false, severity: 'high', maxSources: 7,
    allowlist: { ...NO_ALLOWLIST, users: ['scanner'] },
  });
  t.same(c.rules.adminShareFanout, {
    enabled: false, servers: 3, window: 120, severity: 'critical', maxSources: 8,
    allowlist: { ...NO_ALLOWLIST, shares: ['\\\\srv\\ADMIN$'] },
  });
  t.same(c.rules.shortLivedAdminShareInferred, { enabled: false, allowlist: { ...NO_ALLOWLIST, sources: ['192.0.2.0/24'] } });
  t.same(c.inference, { minConfidence: 0.5, knownShares: ['public', 'hr'], maxSessions: 10 });
  t.equal(errorOf({ inference: { min_confidence: 1.5 } }), 'config.yaml: inference.min_confidence: must be ≤ 1');
  t.same(c.tracker, { idleTimeout: 60, maxSessions: 1, maxTrees: 2, maxPendingPerConnection: 3, maxOpenFilesPerConnection: 4, maxFlows: 5 });
  t.same(c.net, { maxOooBytesPerFlow: 6, maxOooBytesTotal: 7, maxMessageBytes: 8, gapTimeout: 9 });
  // a partial file keeps the other defaults
  const partial = loadConfig(file('partial.yaml', 'rules:\n  short-lived-admin-share:\n    thresholds:\n      high: 2\n'));
  t.same(partial.rules.shortLivedAdminShare.thresholds, { high: 2, medium: 30, low: 300 });
  t.same(partial.tracker, defaultConfig().tracker);
});

/** the ConfigError message for a document */
function errorOf(doc: unknown, source = 'config.yaml'): string {
  try {
    parseConfig(doc, source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
  throw new Error('no error');
}

t.test('unknown keys name their path', async (t) => {
  t.equal(errorOf({ rule: {} }), 'config.yaml: rule: unknown key');
  t.equal(errorOf({ rules: { 'short-lived-admin-share': { threshold: {} } } }), 'config.yaml: rules.short-lived-admin-share.threshold: unknown key');
  t.equal(
    errorOf({ rules: { 'short-lived-admin-share': { thresholds: { critical: 1 } } } }),
    'config.yaml: rules.short-lived-admin-share.thresholds.critical: unknown key',
  );
  t.equal(errorOf({ rules: { 'admin-share-fanout': { allowlist: { ips: [] } } } }), 'config.yaml: rules.admin-share-fanout.allowlist.ips: unknown key');
  t.equal(errorOf({ rules: { 'no-such-rule': {} } }), 'config.yaml: rules.no-such-rule: unknown key');
  t.equal(errorOf({ tracker: { idleTimeout: 5 } }), 'config.yaml: tracker.idleTimeout: unknown key', 'camelCase is not a file key');
});

t.test('wrong types and values name their path', async (t) => {
  t.equal(
    errorOf({ rules: { 'short-lived-admin-share': { thresholds: { high: '5' } } } }),
    'config.yaml: rules.short-lived-admin-share.thresholds.high: expected number, got string',
  );
  t.equal(errorOf({ suppression: { window: true } }), 'config.yaml: suppression.window: expected number, got boolean');
  t.equal(errorOf({ suppression: { window: -1 } }), 'config.yaml: suppression.window: must be ≥ 0');
  t.equal(errorOf({ tracker: { max_sessions: 0 } }), 'config.yaml: tracker.max_sessions: must be > 0');
  t.equal(errorOf({ tracker: { max_sessions: 2.5 } }), 'config.yaml: tracker.max_sessions: expected integer, got number 2.5');
  t.equal(errorOf({ share_classes: { admin: 'C$' } }), 'config.yaml: share_classes.admin: expected list, got string');
  t.equal(errorOf({ share_classes: { admin: ['X$', ''] } }), 'config.yaml: share_classes.admin[1]: must not be empty');
  t.equal(errorOf({ share_classes: [] }), 'config.yaml: share_classes: expected mapping, got array');
  t.equal(errorOf({ rules: { 'admin-share-fanout': { enabled: 'yes' } } }), 'config.yaml: rules.admin-share-fanout.enabled: expected boolean, got string');
  t.equal(
    errorOf({ rules: { 'admin-share-failure-burst': { severity: 'severe' } } }),
    'config.yaml: rules.admin-share-failure-burst.severity: expected one of low, medium, high, critical',
  );
  t.equal(
    errorOf({ rules: { 'admin-share-failure-burst': { allowlist: { sources: ['10.0.0.0/8', '10.0.0.300'] } } } }),
    'config.yaml: rules.admin-share-failure-burst.allowlist.sources[1]: not an IP address or CIDR block',
  );
  t.equal(
    errorOf({ rules: { 'short-lived-admin-share': { allowlist: { destinations: ['fe80::/129'] } } } }),
    'config.yaml: rules.short-lived-admin-share.allowlist.destinations[0]: not an IP address or CIDR block',
  );
  t.equal(
    errorOf({ rules: { 'short-lived-admin-share': { thresholds: { high: 40 } } } }),
    'config.yaml: rules.short-lived-admin-share.thresholds.medium: must be ≥ high (40)',
  );
  t.equal(
    errorOf({ rules: { 'short-lived-admin-share': { thresholds: { low: 10 } } } }),
    'config.yaml: rules.short-lived-admin-share.thresholds.low: must be ≥ medium (30)',
  );
  t.equal(errorOf([]), 'config.yaml: expected a mapping at the top level, got array');
  t.equal(errorOf('text'), 'config.yaml: expected a mapping at the top level, got string');
  // several problems: all named, on one line
  const many = errorOf({ a: 1, suppression: { window: 'x' }, tracker: { max_flows: -1 } });
  t.match(many, /^config\.yaml: /);
  t.match(many, /suppression\.window: expected number, got string/);
  t.match(many, /tracker\.max_flows: must be > 0/);
  t.match(many, /a: unknown key/);
  t.notMatch(many, /\n/);
  const lots = errorOf(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i])));
  t.match(lots, /\(and 4 more\)$/);
});

t.test('file errors: YAML and JSON syntax, duplicates, unreadable', async (t) => {
  const bad = (name: string, text: string | null): string => {
    const p = text === null ? path.join(dir, name) : file(name, text);
    try {
      loadConfig(p);
    } catch (e) {
      t.ok(e instanceof ConfigError, 'a ConfigError');
      return (e as Error).message.replace(dir + path.sep, '');
    }
    throw new Error('no error');
  };
  t.match(bad('syntax.yaml', 'rules:\n  short-lived-admin-share:\n    thresholds: [1\n'), /^syntax\.yaml: invalid YAML at line \d+, column \d+: /);
  t.match(bad('dup.yaml', 'suppression:\n  window: 1\n  window: 2\n'), /^dup\.yaml: invalid YAML at line 3, column 3: Map keys must be unique/);
  t.match(bad('syntax.json', '{"suppression": {"window": 1,}}'), /^syntax\.json: invalid JSON: /);
  t.equal(bad('missing.yaml', null), 'missing.yaml: cannot read: no such file');
  t.match(bad('typed.yaml', 'suppression:\n  window: 1h\n'), /^typed\.yaml: suppression\.window: expected number, got string$/);
  t.equal(bad('inf.yaml', 'suppression:\n  window: .inf\n'), 'inf.yaml: suppression.window: expected a finite number');
  t.match(bad('list.json', '[1, 2]'), /^list\.json: expected a mapping at the top level, got array$/);
  // alias bombs are refused, not expanded
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
  t.match(bad('bomb.yaml', bomb.join('\n') + '\n'), /^bomb\.yaml: invalid YAML/);
});

t.test('registry keys named like Object.prototype members are keys (the detector starts)', async (t) => {
  // parts() looked the first part up in a plain object: 'constructor' became Object's function
  // and the run ended with "internal error: TypeError: pattern.replace is not a function"
  for (const k of ['constructor\\Run', '__proto__\\x', 'CONSTRUCTOR']) {
    const cfg = parseConfig({ rules: { 'remote-registry-write': { keys: [k], save_keys: [k] } } }, 'test');
    t.doesNotThrow(() => new Detector(cfg, () => undefined), k);
  }
});
