// Where `/v1` starts in a request's URL. Express rewrites `req.url` under a
// mount (app.use('/api', handler) sees '/v1/...'), a bare http.Server and the
// WebSocket upgrade do not: for those, `basePath` names the mount to strip.
import type { IncomingMessage } from 'node:http';

export interface SplitUrl {
  /** The path after '/v1/' ('' for '/v1' itself); null when not under /v1. */
  afterV1: string | null;
  /** The raw query string, without '?'. */
  query: string;
}

export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined) return '';
  const trimmed = basePath.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) throw new TypeError(`basePath must start with '/', got ${JSON.stringify(basePath)}`);
  return trimmed;
}

export function splitUrl(req: IncomingMessage, basePath: string): SplitUrl {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (basePath !== '' && path.startsWith(basePath) && (path.length === basePath.length || path[basePath.length] === '/')) {
    path = path.slice(basePath.length) || '/';
  }
  if (path.startsWith('/v1/')) return { afterV1: path.slice(4), query };
  if (path === '/v1') return { afterV1: '', query };
  // Mounted at .../v1 itself (app.use('/v1', handler)): Express stripped it.
  const baseUrl = (req as { baseUrl?: unknown }).baseUrl;
  if (typeof baseUrl === 'string' && (baseUrl === '/v1' || baseUrl.endsWith('/v1'))) {
    return { afterV1: path.slice(1), query };
  }
  return { afterV1: null, query };
}
