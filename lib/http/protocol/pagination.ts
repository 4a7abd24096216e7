// Opaque page-token pagination for list answers (OpenAPI `pageSize`,
// `pageToken`, `next_page_token`).
//
// Order: a list is sorted by (created_at, id) ascending, a total order that
// does not change while the list is walked. A page token names the last item
// of the page it follows, so the next page starts strictly after it: boxes
// removed meanwhile are simply absent, boxes created meanwhile appear (on a
// later page) when they sort after the cursor, and no box is served twice.
//
// Tokens are opaque and unforgeable: `<payload>.<mac>`, both base64url, where
// the MAC is HMAC-SHA256 under a random key made per handler (so tokens die
// with the process, and a token from one server is refused by another) over
// the payload *and* the listing it belongs to: the list, the `{prefix}`, the
// principal and the filters. A token replayed against another prefix, by
// another caller or with another `status` filter fails the MAC and answers
// 400, as does any token that was edited. The binding is not in the payload,
// so a token reveals nothing but the cursor item's id and creation time,
// which the caller was already shown.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalid } from './validate';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Longer tokens are refused before any decoding (ours are < 200 chars for 128-char ids). */
const MAX_TOKEN_LENGTH = 512;
const TOKEN_VERSION = 1;

/** Where a page ends: the sort key of its last item. */
export interface PageCursor {
  createdAt: number;
  id: string;
}

/** `pageSize` from the query: DEFAULT_PAGE_SIZE when absent; an Error (400) when not an integer in 1..1000. */
export function parsePageSize(raw: string | undefined): number | Error {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^[0-9]{1,7}$/.test(raw)) {
    return invalid(`pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}, got ${JSON.stringify(raw.slice(0, 32))}`);
  }
  const n = Number(raw);
  if (n < 1 || n > MAX_PAGE_SIZE) return invalid(`pageSize must be between 1 and ${MAX_PAGE_SIZE}, got ${n}`);
  return n;
}

/** The total order pages are cut from. */
export function compareCursor(a: PageCursor, b: PageCursor): number {
  if (a.createdAt < b.createdAt) return -1;
  if (a.createdAt > b.createdAt) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Page<T> {
  items: T[];
  /** The cursor for the next page, or null when this page is the last. */
  next: PageCursor | null;
}

/**
 * One page of `items` (any order; sorted here by `cursorOf`): up to `pageSize`
 * items strictly after `after` (from the start when null).
 */
export function pageOf<T>(items: readonly T[], cursorOf: (item: T) => PageCursor, pageSize: number,
  after: PageCursor | null): Page<T> {
  const keyed = items.map((item) => ({ item, key: cursorOf(item) }));
  keyed.sort((x, y) => compareCursor(x.key, y.key));
  let start = 0;
  if (after !== null) {
    while (start < keyed.length && compareCursor(keyed[start].key, after) <= 0) start++;
  }
  const slice = keyed.slice(start, start + pageSize);
  const more = start + pageSize < keyed.length;
  return { items: slice.map((k) => k.item), next: more && slice.length > 0 ? slice[slice.length - 1].key : null };
}

/** Signs and checks page tokens. One per handler; its key never leaves the process. */
export class PageTokens {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  #mac(binding: string, payload: string): Buffer {
    return createHmac('sha256', this.#key).update(binding).update('\0').update(payload).digest();
  }

  /** A token for the page after `cursor`, valid only for the listing named by `binding`. */
  sign(cursor: PageCursor, binding: string): string {
    const payload = Buffer.from(JSON.stringify([TOKEN_VERSION, cursor.createdAt, cursor.id])).toString('base64url');
    return `${payload}.${this.#mac(binding, payload).toString('base64url')}`;
  }

  /** The cursor inside `token`, or an Error (400) when it is malformed, edited or minted for another listing. */
  verify(token: string, binding: string): PageCursor | Error {
    const refuse = () => invalid('pageToken is not a page token this server issued for this listing '
      + '(tokens are bound to the prefix, the caller and the filters, and expire when the server restarts)');
    if (token.length > MAX_TOKEN_LENGTH) return refuse();
    // Exactly one dot (base64url's decoder would skip a stray one). An empty
    // token or payload needs no test of its own: it never decodes to a cursor.
    const parts = token.split('.');
    if (parts.length !== 2) return refuse();
    const [payload, macText] = parts;
    const mac = Buffer.from(macText, 'base64url');
    const expected = this.#mac(binding, payload);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return refuse();
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      // Not JSON: `decoded` stays undefined, which the shape check below refuses.
    }
    if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== TOKEN_VERSION
      || !Number.isFinite(decoded[1]) || typeof decoded[2] !== 'string') { // isFinite is false for non-numbers
      return refuse();
    }
    return { createdAt: decoded[1], id: decoded[2] };
  }
}

/** What a listing's tokens are bound to: which list, the prefix, the caller and every filter. */
export function listingBinding(list: string, prefix: string, principal: string, filters: Readonly<Record<string, string | undefined>>): string {
  const f = Object.keys(filters).sort().map((k) => [k, filters[k] ?? null]);
  return JSON.stringify([list, prefix, principal, f]);
}
