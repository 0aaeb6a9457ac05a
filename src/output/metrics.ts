/**
 * `--metrics HOST:PORT`: Prometheus text format over HTTP (GET /metrics) with prom-client.
 * The analyzer keeps plain numeric counters in its own fields; the metrics here read them through
 * getter callbacks at scrape time (prom-client `collect()`), so the hot path never touches
 * prom-client. Each server has its own Registry (no global state; several servers can coexist).
 */
import http from 'node:http';
import net from 'node:net';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';

/** prom-client is loaded on first use: only --metrics needs it, and it costs ~45 ms of start-up. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load on purpose
const prom = (): typeof PromClient => require('prom-client') as typeof PromClient;

/** A labelled family: label value → count. */
export type LabelledCounts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/** Getters read at scrape time. Monotonic ones become `_total` counters. */
export interface MetricsSources {
  /** packets read (capture) */
  packets: () => number;
  /** captured bytes read */
  bytes: () => number;
  /** packets dropped by the kernel (live capture; 0 for replay) */
  kernelDrops: () => number;
  /** capture records read although their caplen exceeds the snaplen */
  recordsOverSnaplen: () => number;
  /** exceptions caught at the rooms' error boundaries, by room */
  faults: () => LabelledCounts;
  /** TCP connections currently tracked */
  flows: () => number;
  sessionsOpen: () => number;
  treesOpen: () => number;
  /** events written, by event.action */
  eventsByAction: () => LabelledCounts;
  /** alerts written, by rule name */
  alertsByRule: () => LabelledCounts;
  /** stream gaps (lost bytes) */
  gaps: () => number;
  /** parse errors by reason */
  parseErrors: () => LabelledCounts;
  /** memcap evictions by cap (sessions, trees, pending, files, flows, …) */
  memcapHits: () => LabelledCounts;
  /** DCE/RPC calls seen, by `interface/operation` (ignored operations included) */
  dcerpcCalls?: () => LabelledCounts;
  /** DCE/RPC decode errors, by reason */
  dcerpcErrors?: () => LabelledCounts;
  /** requests and handles the tracker could not match: ids that only fold alike, answers lost in gaps */
  trackerUnmatched?: () => LabelledCounts;
}

export interface MetricsServer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

export class MetricsAddressError extends Error {}

/** "HOST:PORT", "[v6]:PORT", ":PORT" (all interfaces). Port 0 = any free port. */
export function parseHostPort(value: string): { host: string; port: number } {
  const usage = `expected HOST:PORT (e.g. 127.0.0.1:9100, [::1]:9100 or :9100), got "${value}"`;
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') throw new MetricsAddressError(usage);
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (net.isIPv6(host) === false) throw new MetricsAddressError(`"${host}" is not an IPv6 address`);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw new MetricsAddressError(usage);
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) throw new MetricsAddressError(`${usage}; write IPv6 addresses in brackets`);
    if (host === '') host = '0.0.0.0';
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new MetricsAddressError(`port must be a number 0-65535, got "${portText}"`);
  }
  if (!net.isIP(host) && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) {
    throw new MetricsAddressError(`"${host}" is not an IP address or host name`);
  }
  return { host, port: Number(portText) };
}

function entries(c: LabelledCounts): Iterable<[string, number]> {
  return c instanceof Map ? (c as ReadonlyMap<string, number>).entries() : Object.entries(c);
}

function finite(n: number): number {
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** Registers the sharewatch_* metrics on `registry`. */
export function registerMetrics(registry: Registry, src: MetricsSources): void {
  const { Counter, Gauge } = prom();
  const counter = (name: string, help: string, get: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(finite(get()));
      },
    });
  };
  const gauge = (name: string, help: string, get: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(finite(get()));
      },
    });
  };
  const labelled = (name: string, help: string, label: string, get: () => LabelledCounts): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        // values come from plain counters elsewhere: rebuild the family on every scrape
        this.reset();
        for (const [k, v] of entries(get())) this.inc({ [label]: k }, finite(v));
      },
    });
  };
  counter('sharewatch_packets_total', 'Packets read from the capture.', src.packets);
  counter('sharewatch_bytes_total', 'Captured bytes read.', src.bytes);
  counter('sharewatch_kernel_drops_total', 'Packets dropped by the kernel (live capture).', src.kernelDrops);
  counter('sharewatch_records_over_snaplen_total', 'Capture records read whose caplen exceeds the snaplen.', src.recordsOverSnaplen);
  gauge('sharewatch_flows', 'TCP connections currently tracked.', src.flows);
  gauge('sharewatch_sessions_open', 'SMB sessions currently open.', src.sessionsOpen);
  gauge('sharewatch_trees_open', 'SMB tree connects currently open.', src.treesOpen);
  labelled('sharewatch_events_total', 'Events written, by event.action.', 'action', src.eventsByAction);
  labelled('sharewatch_alerts_total', 'Alerts written, by rule.', 'rule', src.alertsByRule);
  counter('sharewatch_gaps_total', 'TCP stream gaps (bytes lost before reassembly).', src.gaps);
  labelled('sharewatch_parse_errors_total', 'SMB parse errors, by reason.', 'reason', src.parseErrors);
  labelled('sharewatch_memcap_hits_total', 'Memcap evictions, by cap.', 'cap', src.memcapHits);
  labelled('sharewatch_faults_total', 'Exceptions caught at a room boundary on hostile input, by room.', 'room', src.faults);
  if (src.dcerpcCalls) labelled('sharewatch_dcerpc_calls_total', 'DCE/RPC calls seen (ignored operations included), by interface/operation.', 'operation', src.dcerpcCalls);
  if (src.dcerpcErrors) labelled('sharewatch_dcerpc_errors_total', 'DCE/RPC decode errors, by reason.', 'reason', src.dcerpcErrors);
  if (src.trackerUnmatched) {
    labelled(
      'sharewatch_tracker_unmatched_total',
      'Requests or handles left unmatched: message-id / file-id folding collisions, requests closed after a gap in the responses.',
      'reason',
      src.trackerUnmatched,
    );
  }
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new MetricsAddressError(`${where} is already in use`);
    case 'EADDRNOTAVAIL':
      return new MetricsAddressError(`${host} is not an address of this host`);
    case 'EACCES':
      return new MetricsAddressError(`permission denied for ${where} (ports below 1024 need CAP_NET_BIND_SERVICE)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MetricsAddressError(`cannot resolve host ${host}`);
    default:
      return new MetricsAddressError(`cannot listen on ${where}: ${e.message}`);
  }
}

/**
 * Serves GET /metrics on hostPort. Rejects with MetricsAddressError for a bad value, a port in
 * use, an address not on this host.
 */
export async function startMetricsServer(hostPort: string, sources: MetricsSources): Promise<MetricsServer> {
  const { host, port } = parseHostPort(hostPort);
  const { Registry, collectDefaultMetrics } = prom();
  const registry = new Registry();
  registerMetrics(registry, sources);
  // process_* and nodejs_* (CPU, memory, event-loop lag): what an operator checks first
  collectDefaultMetrics({ register: registry });

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (url === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (e: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${e.message}\n`);
        },
      );
      return;
    }
    if (url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('sharewatch: metrics at /metrics\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => reject(listenError(e, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // scrapes must not keep the process alive once the analysis is done
  server.unref();
  server.on('error', () => {
    /* after listen: per-connection errors are handled by http; nothing to report here */
  });
  const a = server.address() as net.AddressInfo;
  return {
    address: { host: a.address, port: a.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
