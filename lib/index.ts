// The declarations a consumer compiles against must name what they use:
// TypeScript 6+ loads no @types by itself, and a consumer's default lib may
// lack esnext.disposable (Runtime is AsyncDisposable). preserve="true" keeps
// these lines in the emitted .d.ts.
/// <reference types="node" preserve="true" />
/// <reference lib="esnext.disposable" preserve="true" />
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
// Runtime.rest()'s client (lib/remote/): the same API against a BoxLite REST server, no addon.
export { RemoteRuntime, MAX_PAGE_SIZE as REST_MAX_PAGE_SIZE } from './remote/remote-runtime';
export type { ListBoxesOptions } from './remote/remote-runtime';
export { RemoteBox } from './remote/remote-box';
export type { CallOptions } from './remote/remote-box';
export { RemoteExecution } from './remote/remote-execution';
export { REQUEST_CHANNEL as REST_REQUEST_CHANNEL } from './remote/http-client';
export type { RequestMessage as RestRequestMessage } from './remote/http-client';
export type { RemoteErrorFields, RemoteBoxliteError } from './remote/remote-error';
// The interfaces both runtimes implement (the classes above shadow their names):
// code written against these runs embedded (Runtime.open) or remote (Runtime.rest).
export type { Runtime as RuntimeApi, Box as BoxApi, Execution as ExecutionApi } from './runtime/runtime-types';
