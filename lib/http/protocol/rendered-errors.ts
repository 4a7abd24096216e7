// Rendered error answers, kept for reuse. The common refusals (a bad query, a
// missing box, an unknown route) are the same error again and again: the
// same class, code and message, only the request id differs. Classifying the
// error, building the envelope and serializing it (lib/errors/, unchanged and
// still the only place that decides) cost several microseconds a request,
// which is most of what separated an error answer from a bare node:http
// server answering the same bytes. So the answer for such an error is
// rendered once, through errorResponse, with a placeholder request id, kept
// as text around that id, and later answers splice the real id in.
//
// Only errors whose answer is fully determined by what makes up the key are
// kept: an HttpStatusError made by this package (status, message, extra
// headers) or a BoxliteError (numeric code, message), answered below 500 (a
// 5xx is rare, is logged through onServerError, and may hide its message).
// Anything else is rendered afresh every time, as before.
import { BoxliteError } from '../../errors/errors';
import { errorResponse, serializeErrorBody } from '../../errors/error-response';
import { HttpStatusError } from './http-error';

/** Distinct answers kept (a bound, not a working set: the oldest goes first). */
export const MAX_RENDERED_ERRORS = 256;
/** Longer messages are not kept (they are rarely repeated, and this bounds the memory: ~256 x 1 KiB). */
const MAX_KEPT_MESSAGE = 512;
/** A request id errorResponse echoes verbatim and JSON leaves unescaped (requestIdFor mints only these). */
const PLAIN_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Stands in for the request id while the kept answer is rendered. */
const PLACEHOLDER = 'boxlite-rendered-error-request-id-placeholder';

export interface RenderedError {
  status: number;
  /** In errorResponse's order, with X-Request-Id holding the placeholder and no Content-Length. */
  headers: Record<string, string>;
  /** The body before and after the request id. */
  before: string;
  after: string;
  /** Byte length of before + after. */
  bytes: number;
  code: string;
}

/** The key an error's answer is kept under, or null when it must be rendered afresh. */
export function renderedErrorKey(err: unknown, exposeInternal: boolean | undefined): string | null {
  if (typeof err !== 'object' || err === null) return null;
  try {
    const proto = Object.getPrototypeOf(err);
    if (proto === HttpStatusError.prototype) {
      const e = err as HttpStatusError & { boxliteCode?: unknown; statusCode?: unknown };
      const { status, message, headers } = e;
      if (typeof status !== 'number' || status < 400 || status > 499 || (status | 0) !== status) return null;
      // What would change the classifier's reading of it (lib/errors/classify.ts).
      if (e.boxliteCode !== undefined || typeof message !== 'string' || message.length > MAX_KEPT_MESSAGE) return null;
      let key = `h${status}:${exposeInternal === false ? 0 : 1}:${message}`;
      if (headers !== undefined) {
        if (typeof headers !== 'object' || headers === null) return null;
        for (const name of Object.keys(headers)) key += `\n${name}:${String(headers[name])}`;
      }
      return key;
    }
    if (err instanceof BoxliteError) {
      // The classifier reads only these two of a BoxliteError.
      const { boxliteCode, message } = err;
      if (typeof boxliteCode !== 'number' || typeof message !== 'string' || message.length > MAX_KEPT_MESSAGE) return null;
      return `b${boxliteCode}:${exposeInternal === false ? 0 : 1}:${message}`;
    }
  } catch {
    // a hostile getter or a revoked Proxy: rendered afresh (and classified as such)
  }
  return null;
}

/**
 * Answers by key, bounded. `render` makes the answer for an error the first
 * time its key is seen; null from it (an answer that cannot be kept) is not kept.
 */
export class RenderedErrors {
  readonly #kept = new Map<string, RenderedError>();

  get size(): number {
    return this.#kept.size;
  }

  /** The kept answer for `err`, rendering and keeping it when new; null: render afresh. */
  lookup(err: unknown, requestId: string, exposeInternal: boolean | undefined): RenderedError | null {
    if (!PLAIN_REQUEST_ID.test(requestId)) return null;
    const key = renderedErrorKey(err, exposeInternal);
    if (key === null) return null;
    const hit = this.#kept.get(key);
    if (hit !== undefined) return hit;
    const made = renderWithPlaceholder(err, exposeInternal);
    if (made === null) return null;
    if (this.#kept.size >= MAX_RENDERED_ERRORS) this.#kept.delete(this.#kept.keys().next().value as string);
    this.#kept.set(key, made);
    return made;
  }
}

function renderWithPlaceholder(err: unknown, exposeInternal: boolean | undefined): RenderedError | null {
  const r = errorResponse(err, { requestId: PLACEHOLDER, exposeInternal, includeBoxliteCode: true });
  if (r.status >= 500) return null;
  const parts = serializeErrorBody(r.body).split(PLACEHOLDER);
  // The id must appear exactly once (a message quoting the placeholder is not kept).
  if (parts.length !== 2) return null;
  const headers = r.headers;
  headers['X-Request-Id'] = PLACEHOLDER;
  if (err instanceof HttpStatusError && err.headers) Object.assign(headers, err.headers);
  return {
    status: r.status,
    headers,
    before: parts[0],
    after: parts[1],
    bytes: Buffer.byteLength(parts[0]) + Buffer.byteLength(parts[1]),
    code: r.body.error.code,
  };
}
