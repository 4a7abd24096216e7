// @ts-nocheck
export * from './errors';
export type * from './runtime-types';
export * from './http-table';
export * from './classify';
export * from './error-response';
// The runtime facade (classes shadow the same-named interfaces above; each
// class implements its interface). Loading the addon waits for first use.
export { Runtime, Box, Execution } from './runtime';
// BoxLite's REST API v1 as an Express/Connect/node:http handler.
export {
  createBoxliteHandler, boxliteErrorHandler, attachBoxliteUpgrade, bearerTokenAuth, bearerToken, ALLOWED_SIGNALS,
} from './http';
export type {
  BoxliteHandler, BoxliteHandlerOptions, BoxliteErrorHandlerOptions, BoxliteErrorMiddleware, NextFunction,
  Authenticate, Authorize, AuthorizeDetails, BearerTokenAuthOptions, Principal, Action, PathPrefixOption,
} from './http';
