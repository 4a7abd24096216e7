// Content-Type enforcement. A browser may send a cross-origin POST without a
// preflight only with a "simple" Content-Type (text/plain, form encodings) or
// none; parsing such a body as JSON anyway is what turns a page's blind POST
// into a created box or a started command. So: a JSON route takes only
// `application/json` (parameters allowed), the tar upload only tar types, and
// a body with no Content-Type at all is refused. Body-less requests without a
// Content-Type stay accepted: the official client sends `POST .../start` and
// `.../stop` exactly like that.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { type HttpStatusError, httpError } from '../protocol/http-error';
import { headerOf } from '../protocol/raw-headers';
import type { RouteName } from '../routing/router';

/** What `PUT .../files` accepts: the official client sends x-tar, curl users often octet-stream or gzip. */
export const TAR_MEDIA_TYPES: readonly string[] = ['application/x-tar', 'application/gzip', 'application/x-gzip', 'application/octet-stream'];
const TAR = new Set(TAR_MEDIA_TYPES);

/** `type/subtype` of a Content-Type value, lower case, without parameters. */
export function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** True when `req` announces a body: HTTP/1.1 by its framing headers, HTTP/2 also by its stream. */
function hasBody(req: IncomingMessage): boolean {
  const length = headerOf(req, 'content-length');
  if (req.httpVersionMajor === 2 && length === undefined) {
    // HTTP/2 has no Transfer-Encoding and needs no Content-Length: a body is
    // announced by a HEADERS frame that leaves the stream open for DATA
    // (RFC 9113 8.1), as an HTTP/1.1 chunked body is by its header, even if
    // it then turns out empty.
    return !(req as unknown as Http2ServerRequest).stream.endAfterHeaders;
  }
  return headerOf(req, 'transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
}

/**
 * The 415 for `req` on route `name`, or null. GET and HEAD carry no body we
 * read and are not checked.
 */
export function contentTypeProblem(req: IncomingMessage, name: RouteName): HttpStatusError | null {
  const method = req.method;
  if (method === 'GET' || method === 'HEAD') return null;
  const tar = name === 'box.files';
  const value = headerOf(req, 'content-type');
  if (value === undefined) {
    // PUT is never sent cross-origin without a preflight, and `curl -T`
    // uploads send no Content-Type: a bare tar upload stays accepted.
    if (!hasBody(req) || (tar && method === 'PUT')) return null;
    return httpError(415, tar
      ? `invalid argument: a request body needs a Content-Type; send one of ${TAR_MEDIA_TYPES.join(', ')}`
      : 'invalid argument: a request body needs Content-Type: application/json');
  }
  const type = mediaType(value);
  if (tar ? TAR.has(type) : type === 'application/json') return null;
  return httpError(415, tar
    ? `invalid argument: unsupported Content-Type ${JSON.stringify(value.slice(0, 100))}; file uploads take ${TAR_MEDIA_TYPES.join(', ')}`
    : `invalid argument: unsupported Content-Type ${JSON.stringify(value.slice(0, 100))}; this endpoint takes application/json`);
}
