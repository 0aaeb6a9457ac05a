/** --metrics HOST:PORT: the Prometheus endpoint over the run's counters. */
import type * as Metrics from '../output/metrics';
import type { MetricsServer } from '../output/metrics';
import { metricsSources } from './metrics-sources';
import { err } from './diagnostics';
import type { PipelineView } from './pipeline';
import type { RunControl } from './run-control';
import type { CliOptions } from './args';

/** The server (null without --metrics), or false after reporting why it cannot listen. */
export async function startMetrics(opts: CliOptions, pipeline: PipelineView, ctl: RunControl): Promise<MetricsServer | null | false> {
  if (!opts.metrics) return null;
  let metrics: MetricsServer;
  try {
    // the HTTP server and prom-client load only with --metrics (start-up)
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose (start-up)
    const { startMetricsServer } = require('../output/metrics') as typeof Metrics;
    metrics = await startMetricsServer(opts.metrics, metricsSources(pipeline, () => ctl.live?.stats.droppedKernel ?? 0));
  } catch (e) {
    err(`--metrics ${opts.metrics}: ${(e as Error).message}`);
    return false;
  }
  if (!opts.quiet) {
    const a = metrics.address;
    err(`metrics at http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`);
  }
  return metrics;
}
