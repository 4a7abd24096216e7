// Following a redirect the way fetch does (WHATWG Fetch "HTTP-redirect fetch",
// redirect mode "follow"), so the node:http transport answers what the fetch
// one answers when a gateway redirects (http -> https, a moved base path).
//
//   - 301, 302, 303, 307 and 308 with a Location are followed, at most
//     MAX_REDIRECTS times; without a Location the 3xx answer is returned.
//   - 303 (any method but GET/HEAD) and 301/302 after a POST become a GET
//     without body and without the body's headers; 307/308 keep both.
//   - A streamed body cannot be sent again: following anything but a 303
//     with one is a network failure.
//   - Crossing to another origin drops the credentials (Authorization,
//     Proxy-Authorization, Cookie).

/** fetch's redirect limit. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export interface RedirectStep {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** false: the next request has no body. */
  keepBody: boolean;
}

export function isRedirect(status: number, location: string | undefined): boolean {
  return REDIRECT_STATUSES.has(status) && location !== undefined;
}

function without(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.includes(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * The request to send after a redirect answer, or throws the TypeError fetch
 * would (network failure). `redirects` counts those already followed.
 */
export function nextRedirect(
  current: { url: string; method: string; headers: Readonly<Record<string, string>>; streamedBody: boolean },
  status: number, location: string, redirects: number,
): RedirectStep {
  if (redirects >= MAX_REDIRECTS) throw new TypeError('redirect count exceeded');
  let target: URL;
  try {
    target = new URL(location, current.url);
  } catch {
    throw new TypeError(`invalid redirect location: ${location.slice(0, 200)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`URL scheme must be a HTTP(S) scheme: ${target.protocol}`);
  if (status !== 303 && current.streamedBody) throw new TypeError('a redirect cannot replay a streamed request body');
  let { method } = current;
  let headers: Record<string, string> = { ...current.headers };
  let keepBody = true;
  if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    method = 'GET';
    keepBody = false;
    headers = without(headers, BODY_HEADERS);
  }
  if (target.origin !== new URL(current.url).origin) headers = without(headers, CREDENTIAL_HEADERS);
  return { url: target.href, method, headers, keepBody };
}
