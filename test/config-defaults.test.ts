/**
 * Defaults in one place: every default of a configurable setting comes from the config schema
 * (src/shared/config-schema.ts). The rooms that have their own option objects (net's
 * DEFAULT_NET_OPTIONS, the tracker's DEFAULT_TRACKER_OPTIONS) read them from defaultConfig(), and
 * defaultConfig() — zod-free so that a run without -c does not load zod — is what the schema makes
 * of `{}`. (It used to differ: maxFlows was 65536 in src/net/tcp-engine.ts, 1,000,000 in the schema.)
 */
import t from 'tap';
import { defaultConfig, parseConfig } from '../src/shared/config';
import { DEFAULT_NET_OPTIONS, NetPipeline, netOptionsFromConfig } from '../src/net/pipeline';
import { DEFAULT_TRACKER_OPTIONS } from '../src/tracker/options';
import { Tracker } from '../src/tracker/tracker';
import { AnalysisPipeline } from '../src/cli/pipeline';
import type { StreamSink } from '../src/shared/stream';

const schema = parseConfig({}, 'schema defaults');

t.test('defaultConfig() is the schema applied to {}', async (t) => {
  t.same(defaultConfig(), schema);
});

t.test('net: every configurable default is the schema default', async (t) => {
  const fromSchema = netOptionsFromConfig(schema);
  for (const [k, v] of Object.entries(fromSchema)) t.equal(DEFAULT_NET_OPTIONS[k as keyof typeof fromSchema], v, `${k} = ${v}`);
  t.equal(DEFAULT_NET_OPTIONS.maxFlows, schema.tracker.maxFlows, 'maxFlows (was 65536 here, 1,000,000 in the schema)');
  t.equal(DEFAULT_NET_OPTIONS.maxFlows, 1_000_000);
  // a NetPipeline built without options runs with them
  const sink = {} as StreamSink;
  const net = new NetPipeline(sink);
  for (const [k, v] of Object.entries(fromSchema)) t.equal(net.engine.opts[k as keyof typeof fromSchema], v, `NetPipeline() ${k}`);
});

t.test('tracker: every default is the schema default', async (t) => {
  // every option a config key sets (rpcLimits are not config keys: fixed in the tracker)
  const { rpcLimits: _fixed, ...configurable } = DEFAULT_TRACKER_OPTIONS;
  t.same(configurable, {
    dcerpcIgnore: schema.dcerpc.ignoreOperations,
    extraAdminShares: schema.shareClasses.admin,
    maxSessions: schema.tracker.maxSessions,
    maxTrees: schema.tracker.maxTrees,
    maxPendingPerConnection: schema.tracker.maxPendingPerConnection,
    maxOpenFilesPerConnection: schema.tracker.maxOpenFilesPerConnection,
    knownShares: schema.inference.knownShares,
    maxInferenceSessions: schema.inference.maxSessions,
  });
  t.same(new Tracker(() => undefined).opts, DEFAULT_TRACKER_OPTIONS, 'Tracker() runs with them');
});

t.test('the pipeline hands a configuration to net and tracker unchanged', async (t) => {
  const c = parseConfig({ tracker: { max_flows: 7, max_sessions: 8, idle_timeout: 9 }, net: { gap_timeout: 3 } }, 'x');
  const p = new AnalysisPipeline(c, { write: () => undefined });
  t.equal(p.net.engine.opts.maxFlows, 7);
  t.equal(p.net.engine.opts.idleTimeoutSec, 9);
  t.equal(p.net.engine.opts.gapTimeoutSec, 3);
  t.equal(p.tracker.opts.maxSessions, 8);
});
