// The observability layer's public surface (README "Operating it").
export {
  CHANNEL_NAMES, type ExecTraceContext, type HttpResponseMessage, type LimitName, type LimitRejectionMessage,
  type ExecReapMessage, type OutputSpillMessage,
} from './channels';
export { instrumentOpenTelemetry } from './instrument';
export type { OpenTelemetryOptions } from './otel-options';
export { createHealthCheck, type HealthCheck, type HealthCheckOptions } from './health';
export type { HandlerUsage } from './live-handlers';
