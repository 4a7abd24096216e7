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

/**
 * What an error's answer is kept under besides its message, or null when it
 * must be rendered afresh: a number for the common shapes (so the lookup
 * hashes nothing but the message), a string when extra headers take part.
 * On success the message is left in `keptMessage` (read once, here).
 */
let keptMessage = '';
function subKeyOf(err: unknown, exposeInternal: boolean | undefined): number | string | null {
  if (typeof err !== 'object' || err === null) return null;
  const flag = exposeInternal === false ? 0 : 1;
  try {
    const proto = Object.getPrototypeOf(err);
    if (proto === HttpStatusError.prototype) {
      const e = err as HttpStatusError & { boxliteCode?: unknown; statusCode?: unknown };
      const { status, message, headers } = e;
      if (typeof status !== 'number' || status < 400 || status > 499 || (status | 0) !== status) return null;
      // What would change the classifier's reading of it (lib/errors/classify.ts).
      if (e.boxliteCode !== undefined || typeof message !== 'string' || message.length > MAX_KEPT_MESSAGE) return null;
      keptMessage = message;
      if (headers === undefined) return status * 2 + flag; // 800..999
      if (typeof headers !== 'object' || headers === null) return null;
      let key = `h${status}:${flag}`;
      for (const name of Object.keys(headers)) key += `\n${name}:${String(headers[name])}`;
      return key;
    }
    if (err instanceof BoxliteError) {
      // The classifier reads only these two of a BoxliteError.
      const { boxliteCode, message } = err;
      if (typeof boxliteCode !== 'number' || typeof message !== 'string' || message.length > MAX_KEPT_MESSAGE) return null;
      keptMessage = message;
      // Negative numbers for the codes (never an HttpStatusError's), a string for odd ones.
      return Number.isInteger(boxliteCode) && boxliteCode >= 0 && boxliteCode < 1e6
        ? -(boxliteCode * 2 + flag) - 1
        : `b${boxliteCode}:${flag}`;
    }
  } catch {
    // a hostile getter or a revoked Proxy: rendered afresh (and classified as such)
  }
  return null;
}

/** The key an error's answer is kept under, or null when it must be rendered afresh. */
export function renderedErrorKey(err: unknown, exposeInternal: boolean | undefined): string | null {
  const sub = subKeyOf(err, exposeInternal);
  return sub === null ? null : `${sub}\n${keptMessage}`;
}

/**
 * Answers by key, bounded. `render` makes the answer for an error the first
 * time its key is seen; null from it (an answer that cannot be kept) is not kept.
 * Kept by message first, then by the rest of the key: the message is the one
 * part that must be hashed (a constant message's hash is cached by V8), which
 * made a lookup several times cheaper than one flat key built per request.
 */
export class RenderedErrors {
  readonly #kept = new Map<string, Map<number | string, RenderedError>>();
  /** Every kept [message, rest] in the order they were made: the bound evicts the oldest first. */
  readonly #order: Array<[string, number | string]> = [];

  get size(): number {
    return this.#order.length;
  }

  /**
   * The kept answer for `err`, rendering and keeping it when new; null: render
   * afresh. `plainId`: the caller knows `requestId` is plain (requestIdFor
   * gives only such ids), which saves testing it again.
   */
  lookup(err: unknown, requestId: string, exposeInternal: boolean | undefined, plainId = false): RenderedError | null {
    if (!plainId && !PLAIN_REQUEST_ID.test(requestId)) return null;
    const sub = subKeyOf(err, exposeInternal);
    if (sub === null) return null;
    const message = keptMessage;
    let byRest = this.#kept.get(message);
    const hit = byRest?.get(sub);
    if (hit !== undefined) return hit;
    const made = renderWithPlaceholder(err, exposeInternal);
    if (made === null) return null;
    if (this.#order.length >= MAX_RENDERED_ERRORS) {
      this.#evictOldest();
      byRest = this.#kept.get(message); // the eviction may have dropped this message's map
    }
    if (byRest === undefined) {
      byRest = new Map();
      this.#kept.set(message, byRest);
    }
    byRest.set(sub, made);
    this.#order.push([message, sub]);
    return made;
  }

  #evictOldest(): void {
    const [message, sub] = this.#order.shift() as [string, number | string];
    const byRest = this.#kept.get(message) as Map<number | string, RenderedError>;
    byRest.delete(sub);
    if (byRest.size === 0) this.#kept.delete(message);
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
