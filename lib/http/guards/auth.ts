// Authentication and authorization hooks. A handler is never open by
// accident: createBoxliteHandler refuses to build without `authenticate` or
// an explicit `auth: 'none'`. Credentials are compared in constant time and
// never written to logs or error messages.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Action } from '../routing/router';

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
export const ANONYMOUS_PRINCIPAL = Object.freeze({ sub: 'anonymous', principal_type: 'service_account' as const });

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  // Stryker disable next-line ConditionalExpression: a fast path; exec() of undefined reads "undefined", which matches no Bearer header either
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : undefined;
}

function digest(value: string): Buffer {
  // Hashing first gives equal-length inputs, so the comparison time says
  // nothing about the expected token's length either.
  return createHash('sha256').update(value).digest(); // strings hash as UTF-8
}

export interface BearerTokenAuthOptions {
  /** The principal returned for a matching token (default: a service-account principal). */
  principal?: Principal;
}

/**
 * An `authenticate` hook accepting `Authorization: Bearer <token>` for any of
 * `tokens`. Timing-safe; the tokens are kept only as SHA-256 digests.
 *
 * `undefined` is accepted by the type on purpose, so
 * `bearerTokenAuth(process.env.BOXLITE_API_KEY)` compiles under `strict`; it
 * throws a TypeError that names the problem (no token configured) instead of
 * ever serving without authentication.
 */
export function bearerTokenAuth(
  tokens: string | readonly string[] | undefined,
  options: BearerTokenAuthOptions = {},
): Authenticate {
  if (tokens === undefined || tokens === null) {
    throw new TypeError('bearerTokenAuth: no token given (undefined); if it comes from an environment variable such '
      + 'as BOXLITE_API_KEY, that variable is not set. Set it, or pass auth: \'none\' to serve without authentication.');
  }
  if (typeof tokens !== 'string' && !Array.isArray(tokens)) {
    throw new TypeError(`bearerTokenAuth: tokens must be a string or an array of strings, got ${typeof tokens}`);
  }
  const list: string[] = typeof tokens === 'string' ? [tokens] : [...tokens];
  if (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new TypeError('bearerTokenAuth: give at least one non-empty token');
  }
  const digests = list.map(digest);
  const principal = options.principal ?? Object.freeze({ sub: 'api-key', principal_type: 'service_account' });
  return (req) => {
    const token = bearerToken(req);
    if (token === undefined) return null;
    const got = digest(token);
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(got, d) || ok;
    return ok ? principal : null;
  };
}
