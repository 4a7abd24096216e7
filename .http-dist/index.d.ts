export * from './errors';
export type * from './runtime-types';
export * from './http-table';
export * from './classify';
export * from './error-response';
export { Runtime, Box, Execution } from './runtime';
export { createBoxliteHandler, boxliteErrorHandler, attachBoxliteUpgrade, bearerTokenAuth, bearerToken, ALLOWED_SIGNALS, } from './http';
export type { BoxliteHandler, BoxliteHandlerOptions, BoxliteErrorHandlerOptions, BoxliteErrorMiddleware, NextFunction, Authenticate, Authorize, AuthorizeDetails, BearerTokenAuthOptions, Principal, Action, PathPrefixOption, } from './http';
