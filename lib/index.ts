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
