export * from './errors/errors';
export type * from './runtime/runtime-types';
export * from './errors/http-table';
export * from './errors/classify';
export * from './errors/error-response';
// The runtime facade (classes shadow the same-named interfaces above; each
// class implements its interface). Loading the addon waits for first use.
export { Runtime, Box, Execution, OutputLimitError, DEFAULT_LIMITS } from './runtime/runtime';
// BoxLite's REST API v1 as an Express/Connect/node:http handler.
export {
  createBoxliteHandler, boxliteErrorHandler, attachBoxliteUpgrade, bearerTokenAuth, bearerToken, ALLOWED_SIGNALS,
  attachBoxliteServerEvents, TAR_MEDIA_TYPES,
} from './http';
export type {
  BoxliteHandler, BoxliteHandlerOptions, BoxliteErrorHandlerOptions, BoxliteErrorMiddleware, NextFunction,
  Authenticate, Authorize, AuthorizeDetails, BearerTokenAuthOptions, Principal, Action, PathPrefixOption,
  BoxliteServerEventsOptions, RefusalEvent, AllowedHostsOption,
} from './http';
// Observability: diagnostics_channel names, OpenTelemetry opt-in, health routes.
export { CHANNEL_NAMES, instrumentOpenTelemetry, createHealthCheck } from './observability';
export type {
  ExecTraceContext, HttpResponseMessage, LimitName, LimitRejectionMessage, ExecReapMessage, OutputSpillMessage,
  OpenTelemetryOptions, HealthCheck, HealthCheckOptions, HandlerUsage,
} from './observability';
