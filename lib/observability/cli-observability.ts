// The CLI's operator flags (--log, --metrics-port, --metrics-host) and what
// they start: the log, the health routes and the metrics listener. Kept here
// so that lib/cli.ts only wires them in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BoxliteHandler, BoxliteHandlerOptions } from '../http/handler';
import type { BoxliteServerEventsOptions } from '../http/protocol/node-server';
import { type RateLimitedLog, rateLimitedLog } from '../http/guards/log-limiter';
import type { Runtime } from '../runtime/runtime-types';
import { LOG_FORMATS, type LogFormat, type Logger, startLogger } from './access-log';
import { type HealthCheck, createHealthCheck } from './health';
import { type MetricsServer, listenMetrics } from './metrics-server';

export const OBSERVABILITY_OPTIONS = {
  log: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
} as const;

export const OBSERVABILITY_USAGE = `  --log FORMAT       one line per request on stderr, plus startup/shutdown lines:
                     text (default, readable), json (one JSON object per line), none
  --metrics-port N   serve Prometheus metrics at http://HOST:N/metrics on a listener of its own
  --metrics-host H   address of the metrics listener (default 127.0.0.1)
  (GET /healthz and GET /readyz are answered on the API port, without authentication)
`;

export interface ObservabilityArgs {
  log: LogFormat;
  metricsPort?: number;
  metricsHost: string;
}

/** The flags' values, or the error line to print (exit 1). */
export function parseObservabilityArgs(values: { log?: string; 'metrics-port'?: string; 'metrics-host'?: string }): ObservabilityArgs | string {
  const log = values.log ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(log)) {
    return `--log must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(log)}`;
  }
  let metricsPort: number | undefined;
  if (values['metrics-port'] !== undefined) {
    const text = values['metrics-port'];
    metricsPort = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(metricsPort >= 0 && metricsPort <= 65535)) return `--metrics-port must be 0..65535, got ${JSON.stringify(text)}`;
  }
  const metricsHost = values['metrics-host'];
  if (metricsHost !== undefined && metricsPort === undefined) return '--metrics-host needs --metrics-port';
  if (metricsHost === '') return '--metrics-host needs an address';
  return { log: log as LogFormat, metricsPort, metricsHost: metricsHost ?? '127.0.0.1' };
}

/**
 * What the CLI runs for an operator. Opened right after the flags are read
 * (a taken metrics port is reported before anything else happens); then
 * `serve` puts the health routes in front of the handler and points the
 * metrics at it.
 */
export interface Observability {
  logger: Logger;
  /** http://host:port/metrics, or null without --metrics-port. */
  metricsUrl: string | null;
  /** A warning line: JSON with --log json (every stderr line is then JSON), else the CLI's usual line. */
  warn(message: string): void;
  /** With --log json: the handler's onError and onRefusal writing JSON lines (rate-limited like the defaults). */
  handlerOptions(): Pick<BoxliteHandlerOptions, 'onError' | 'onRefusal'>;
  /** With --log json: attachBoxliteServerEvents' log writing JSON lines. */
  serverEventsOptions(): BoxliteServerEventsOptions;
  /** The request listener for the API server: the health routes, then the handler. */
  serve(handler: BoxliteHandler, runtime: Runtime): (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Starts the log and binds the metrics listener; rejects with a one-line message when it cannot listen. */
export async function openObservability(args: ObservabilityArgs): Promise<Observability> {
  let metrics: MetricsServer | null = null;
  let metricsUrl: string | null = null;
  if (args.metricsPort !== undefined) {
    const host = args.metricsHost.includes(':') ? `[${args.metricsHost}]` : args.metricsHost;
    try {
      metrics = await listenMetrics(args.metricsPort, args.metricsHost);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message;
      throw new Error(`cannot serve metrics on ${host}:${args.metricsPort}: ${why}`);
    }
    metricsUrl = `http://${host}:${metrics.port}/metrics`;
  }
  const logger = startLogger(args.log);
  const json = args.log === 'json';
  // JSON mode: refusal and protocol-violation reports become JSON lines, through
  // the same rate limiter as the default ones (a page can send them in a loop).
  const refusals: RateLimitedLog | null = json ? rateLimitedLog((line) => logger.log('warn', line)) : null;
  let health: HealthCheck | null = null;
  return {
    logger,
    metricsUrl,
    warn(message) {
      if (json) logger.log('warn', message);
      else process.stderr.write(`boxlite-native: WARNING: ${message}\n`);
    },
    handlerOptions() {
      if (!json) return {};
      return {
        onError: (err, requestId) => {
          const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          logger.log('error', 'server error', { request_id: requestId, error });
        },
        onRefusal: (e) => refusals!(`refused-${e.status}`, `refused ${e.upgrade ? 'WebSocket upgrade' : e.method} `
          + `(request ${e.requestId}): ${e.status} ${e.message}`),
      };
    },
    serverEventsOptions() {
      return json ? { log: (line) => logger.log('warn', line) } : {};
    },
    serve(handler, runtime) {
      const check = createHealthCheck(runtime);
      health = check;
      metrics?.serve(handler, runtime);
      return (req, res) => {
        if (!check.handle(req, res)) handler(req, res);
      };
    },
    async close() {
      health?.drain();
      await metrics?.close();
      refusals?.close();
      logger.close();
    },
  };
}
