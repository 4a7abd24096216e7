import type { IncomingMessage } from 'node:http';
import type { Action } from './router';
/** Whatever `authenticate` returns for a valid caller; handed to `authorize`. */
export type Principal = unknown;
export interface AuthorizeDetails {
    /** The routing prefix of the request ('' when none): bind it to the caller here. */
    prefix: string;
    boxId?: string;
    execId?: string;
}
export type Authenticate = (req: IncomingMessage) => Principal | null | undefined | Promise<Principal | null | undefined>;
export type Authorize = (principal: Principal, req: IncomingMessage, action: Action, details: AuthorizeDetails) => boolean | Promise<boolean>;
/** The principal used when `auth: 'none'`. */
export declare const ANONYMOUS_PRINCIPAL: Readonly<{
    sub: "anonymous";
    principal_type: "service_account";
}>;
/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export declare function bearerToken(req: IncomingMessage): string | undefined;
export interface BearerTokenAuthOptions {
    /** The principal returned for a matching token (default: a service-account principal). */
    principal?: Principal;
}
/**
 * An `authenticate` hook accepting `Authorization: Bearer <token>` for any of
 * `tokens`. Timing-safe; the tokens are kept only as SHA-256 digests.
 */
export declare function bearerTokenAuth(tokens: string | readonly string[], options?: BearerTokenAuthOptions): Authenticate;
