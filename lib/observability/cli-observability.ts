// The CLI's operator flags (--log, --metrics-port, --metrics-host) and what
// they start: the log, the health routes and the metrics listener. Kept here
// so that lib/cli.ts only wires them in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BoxliteHandler } from '../http/handler';
import type { Runtime } from '../runtime/runtime-types';
import { LOG_FORMATS, type LogFormat, type Logger, startLogger } from './access-log';
import { type HealthCheck, createHealthCheck } from './health';
import { type MetricsServer, startMetricsServer } from './metrics-server';

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

export interface Observability {
  logger: Logger;
  health: HealthCheck;
  /** The request listener for the API server: the health routes, then the handler. */
  listener(req: IncomingMessage, res: ServerResponse): void;
  /** Starts the metrics listener when asked for; rejects with a one-line message when it cannot listen. */
  startMetrics(): Promise<string | null>;
  close(): Promise<void>;
}

export function startObservability(args: ObservabilityArgs, handler: BoxliteHandler, runtime: Runtime): Observability {
  const logger = startLogger(args.log);
  const health = createHealthCheck(runtime);
  let metrics: MetricsServer | null = null;
  return {
    logger,
    health,
    listener(req, res) {
      if (!health.handle(req, res)) handler(req, res);
    },
    async startMetrics() {
      if (args.metricsPort === undefined) return null;
      const host = args.metricsHost.includes(':') ? `[${args.metricsHost}]` : args.metricsHost;
      try {
        metrics = await startMetricsServer({ port: args.metricsPort, host: args.metricsHost, handler, runtime });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message;
        throw new Error(`cannot serve metrics on ${host}:${args.metricsPort}: ${why}`);
      }
      return `http://${host}:${metrics.port}/metrics`;
    },
    async close() {
      health.drain();
      await metrics?.close();
      logger.close();
    },
  };
}
