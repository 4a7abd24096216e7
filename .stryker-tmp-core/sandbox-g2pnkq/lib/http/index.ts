// @ts-nocheck
// The HTTP layer's public surface.
export { createBoxliteHandler, type BoxliteHandler, type BoxliteHandlerOptions, type NextFunction } from './handler';
export { boxliteErrorHandler, type BoxliteErrorHandlerOptions, type BoxliteErrorMiddleware } from './error-handler';
export { attachBoxliteUpgrade } from './upgrade';
export { bearerTokenAuth, bearerToken, type Authenticate, type Authorize, type AuthorizeDetails, type BearerTokenAuthOptions, type Principal } from './auth';
export type { Action } from './router';
export type { PathPrefixOption } from './prefix';
export { ALLOWED_SIGNALS } from './exec-request';
