// Requests from web pages. A page on any origin can make the browser send
// "simple" requests here (form POSTs, `fetch` with `no-cors`, `text/plain`
// bodies) and open WebSockets, with no preflight and no way for us to tell
// from the body. Browsers label such requests: `Origin` on every cross-origin
// fetch/form POST/WebSocket, and Fetch Metadata (`Sec-Fetch-Site`) on
// everything, navigations included. A request labelled as coming from
// another origin is refused before any route runs, unless its origin is in
// `allowedOrigins` (a web UI meant to call the API). Clients that send no
// Origin (the official SDKs, curl, server-side code) are unaffected.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpStatusError, httpError } from '../protocol/http-error';
import { headerOf } from '../protocol/raw-headers';

export interface OriginPolicy {
  /** Serialized origins (`scheme://host[:port]`), lower case. */
  readonly allowed: ReadonlySet<string>;
}

export function makeOriginPolicy(option: readonly string[] | undefined): OriginPolicy {
  if (option === undefined) return { allowed: new Set() };
  if (!Array.isArray(option)) throw new TypeError('allowedOrigins must be a list of origins like "http://localhost:3000"');
  const allowed = new Set<string>();
  for (const raw of option) {
    let url: URL | undefined;
    try {
      url = typeof raw === 'string' ? new URL(raw) : undefined;
    } catch { /* answered below */ }
    // An origin is scheme://host[:port] and nothing else; 'null' and '*'
    // would let in every sandboxed or file:// page.
    if (url === undefined || url.origin === 'null' || url.pathname !== '/' || url.search !== '' || url.hash !== ''
      || url.username !== '' || url.password !== '') {
      throw new TypeError(`allowedOrigins: ${JSON.stringify(raw)} is not an origin like "https://ui.example.com" or "http://localhost:3000"`);
    }
    allowed.add(url.origin);
  }
  return { allowed };
}

/** The request's Origin when it is one we allow, else undefined. */
export function allowedOriginOf(req: IncomingMessage, policy: OriginPolicy): string | undefined {
  const origin = headerOf(req, 'origin');
  return origin !== undefined && policy.allowed.has(origin.toLowerCase()) ? origin : undefined;
}

/** The 403 for a request sent on behalf of another origin, or null. */
export function originProblem(req: IncomingMessage, policy: OriginPolicy): HttpStatusError | null {
  const origin = headerOf(req, 'origin');
  if (origin !== undefined) {
    if (policy.allowed.has(origin.toLowerCase())) return null;
    return httpError(403, `permission denied: requests from web origin ${JSON.stringify(origin.slice(0, 100))} are refused `
      + '(not in allowedOrigins / --allowed-origins)');
  }
  // No Origin: navigations, <img>/<script> loads and same-origin GETs. Fetch
  // Metadata still says where they come from; 'same-origin' and 'none' (typed
  // into the address bar) are the user's own doing.
  const site = headerOf(req, 'sec-fetch-site');
  if (site !== undefined) {
    const s = site.toLowerCase();
    if (s === 'cross-site' || s === 'same-site') {
      return httpError(403, `permission denied: ${s} requests from web pages are refused (Sec-Fetch-Site: ${s})`);
    }
  }
  return null;
}

const CORS_METHODS = 'GET, HEAD, POST, PUT, DELETE';
const CORS_HEADERS = 'Authorization, Content-Type, X-Request-Id, Idempotency-Key';
const CORS_EXPOSED = 'X-Request-Id, Location, Retry-After';

/**
 * CORS for an allowed origin: the answer headers (set now, merged into
 * whatever writeHead sends later), and the whole answer to a preflight.
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origin: string, requestId: string): boolean {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS' && headerOf(req, 'access-control-request-method') !== undefined) {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers': CORS_HEADERS,
      'Access-Control-Max-Age': '600',
      'X-Request-Id': requestId,
    });
    res.end();
    return true;
  }
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
  return false;
}
