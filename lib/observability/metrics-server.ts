// `serve --metrics-port`: Prometheus text at /metrics on a listener of its
// own (loopback by default), so scraping needs no API credentials and the
// API port exposes no metrics. Built on prom-client, the Node ecosystem's
// Prometheus library, which also brings Node's process metrics (CPU, memory,
// heap, event-loop lag, GC, handles). It is required here, lazily: only a
// CLI started with --metrics-port loads it; `require('boxlite-native')` never does.
import diagnosticsChannel from 'node:diagnostics_channel';
import { type Server, createServer } from 'node:http';
import type * as PromClient from 'prom-client';
import type { BoxliteHandler } from '../http/handler';
import type { Runtime } from '../runtime/runtime-types';
import { methodLabel } from './method-label';
import { CHANNEL_NAMES, type HttpResponseMessage, type LimitName, type LimitRejectionMessage } from './channels';

/** Seconds; the HTTP semantic conventions' advice, so Prometheus and OpenTelemetry histograms line up. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const LIMITS: readonly LimitName[] = ['maxExecutions', 'maxExecutionsPerBox', 'maxBoxes', 'maxAttachSockets', 'maxFileTransfers'];
/** How long a scrape waits for the engine's box count before reporting the last one. */
const BOX_COUNT_TIMEOUT_MS = 2_000;

export interface MetricsServer {
  /** The bound port (the given one, or the one chosen for 0). */
  readonly port: number;
  /** What /metrics serves from now on (until then it answers 503: the API is not serving yet). */
  serve(handler: BoxliteHandler, runtime: Runtime): void;
  close(): Promise<void>;
}

/** The registry with every metric, fed by the channels and read from the handler and runtime at each scrape. */
export function createMetricsRegistry(handler: BoxliteHandler, runtime: Runtime): { registry: PromClient.Registry; stop(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prom = require('prom-client') as typeof PromClient;
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const duration = new prom.Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of answered HTTP requests to the BoxLite API, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const rejections = new prom.Counter({
    name: 'boxlite_limit_rejections_total',
    help: 'Requests refused with 429 by a handler cap, by the option that refused them.',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  for (const limit of LIMITS) rejections.inc({ limit }, 0); // every cap shows, at 0, before its first refusal
  const reaps = new prom.Counter({
    name: 'boxlite_exec_reaps_total',
    help: 'Executions reaped because nobody attached or polled for execIdleTimeoutMs.',
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) => new prom.Gauge({
    name, help, registers: [registry], collect() { this.set(read()); },
  });
  gauge('boxlite_executions_running', 'Executions started through the API and still running.', () => handler.usage().executionsRunning);
  gauge('boxlite_attach_sockets', 'WebSockets attached to executions.', () => handler.usage().attachSockets);
  gauge('boxlite_file_transfers', 'File uploads and downloads in progress.', () => handler.usage().fileTransfers);
  gauge('boxlite_output_buffered_bytes', 'Unread execution output held in memory.',
    () => (runtime.closed ? 0 : runtime.outputStats?.().bufferedBytes ?? 0));
  new prom.Counter({
    name: 'boxlite_output_spilled_bytes_total',
    help: 'Unread execution output written to spill files (a reader slower than the command).',
    registers: [registry],
    collect() {
      // The runtime keeps the total; the counter mirrors it.
      const total = runtime.closed ? undefined : runtime.outputStats?.().spilledBytesTotal;
      if (total === undefined) return;
      this.reset();
      this.inc(total);
    },
  });
  let lastBoxCount = 0;
  new prom.Gauge({
    name: 'boxlite_boxes',
    help: 'Boxes in the runtime.',
    registers: [registry],
    async collect() {
      if (!runtime.closed) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<number>((resolve) => { timer = setTimeout(() => resolve(lastBoxCount), BOX_COUNT_TIMEOUT_MS); });
        lastBoxCount = await Promise.race([runtime.listBoxes().then((b) => b.length, () => lastBoxCount), timeout]);
        clearTimeout(timer);
      }
      this.set(lastBoxCount);
    },
  });

  const onResponse = (m: unknown) => {
    const { method, route, status, durationMs } = m as HttpResponseMessage;
    duration.observe({ method: methodLabel(method), route: route ?? 'unmatched', status: String(status) }, durationMs / 1000);
  };
  const onRejection = (m: unknown) => rejections.inc({ limit: (m as LimitRejectionMessage).limit });
  const onReap = () => reaps.inc();
  diagnosticsChannel.subscribe(CHANNEL_NAMES.httpResponse, onResponse);
  diagnosticsChannel.subscribe(CHANNEL_NAMES.limitRejection, onRejection);
  diagnosticsChannel.subscribe(CHANNEL_NAMES.execReap, onReap);
  return {
    registry,
    stop() {
      diagnosticsChannel.unsubscribe(CHANNEL_NAMES.httpResponse, onResponse);
      diagnosticsChannel.unsubscribe(CHANNEL_NAMES.limitRejection, onRejection);
      diagnosticsChannel.unsubscribe(CHANNEL_NAMES.execReap, onReap);
    },
  };
}

/**
 * Listens on host:port, before anything else is opened, so that a taken
 * port is reported at once; rejects with the listen error (EADDRINUSE, ...).
 */
export function listenMetrics(port: number, host: string): Promise<MetricsServer> {
  let source: { registry: PromClient.Registry; stop(): void } | null = null;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (source === null) {
      res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('starting\n');
      return;
    }
    const { registry } = source;
    registry.metrics().then((text) => {
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, (err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr !== null ? addr.port : port,
        serve(handler, runtime) {
          source?.stop();
          source = createMetricsRegistry(handler, runtime);
        },
        close: () => new Promise<void>((done) => {
          source?.stop();
          source = null;
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
