// The HTTP layer's public surface.
export { createBoxliteHandler, type BoxliteHandler, type BoxliteHandlerOptions, type NextFunction } from './handler';
export { boxliteErrorHandler, type BoxliteErrorHandlerOptions, type BoxliteErrorMiddleware } from './protocol/error-handler';
export { attachBoxliteUpgrade } from './exec/upgrade';
export { bearerTokenAuth, bearerToken, type Authenticate, type Authorize, type AuthorizeDetails, type BearerTokenAuthOptions, type Principal } from './guards/auth';
export type { Action } from './routing/router';
export type { PathPrefixOption } from './routing/prefix';
export { ALLOWED_SIGNALS } from './exec/exec-request';
export { attachBoxliteServerEvents, type BoxliteServerEventsOptions } from './protocol/node-server';
export type { RefusalEvent } from './guards/request-guard';
export type { AllowedHostsOption } from './guards/host-guard';
export { TAR_MEDIA_TYPES } from './guards/content-type';
