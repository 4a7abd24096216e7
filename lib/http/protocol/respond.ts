// Writing answers with Node core APIs only (works under Express, Connect and a
// bare http.Server alike). Every answer carries X-Request-Id; every failure
// goes through the shared classifier (errorResponse) so the status, envelope
// and headers match BoxLite's contract.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, serializeErrorBody } from '../../errors/error-response';
import { noteErrorCode } from '../../observability/request-observer';
import { HttpStatusError } from './http-error';
import { headerOf } from './raw-headers';
import { RenderedErrors } from './rendered-errors';

export interface ErrorContext {
  requestId: string;
  /** True when requestId came from requestIdFor, which gives only plain ids (1..128 of [A-Za-z0-9._-]). */
  requestIdIsPlain?: boolean;
  /** false replaces 5xx messages by a generic text (see errorResponse). */
  exposeInternal?: boolean;
  /** Called for 5xx answers; never given request headers (they may hold tokens). */
  onServerError?: (err: unknown, requestId: string) => void;
  /** Told the status and error code of a refused WebSocket upgrade (for the http.response event). */
  onUpgradeRefused?: (status: number, errorCode: string) => void;
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, requestId: string,
  value: unknown, extraHeaders?: Record<string, string>): void {
  const body = JSON.stringify(value);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': requestId,
  };
  if (extraHeaders) Object.assign(headers, extraHeaders);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendEmpty(res: ServerResponse, status: number, requestId: string): void {
  res.writeHead(status, { 'X-Request-Id': requestId });
  res.end();
}

/** Answers rendered before, reused with a new request id (rendered-errors.ts says which). */
const rendered = new RenderedErrors();

/** The status, headers and serialized envelope for `err`. */
export function renderError(err: unknown, ctx: ErrorContext): { status: number; headers: Record<string, string>; body: string; code: string } {
  const kept = rendered.lookup(err, ctx.requestId, ctx.exposeInternal, ctx.requestIdIsPlain === true);
  if (kept !== null) {
    // A fresh object: callers add headers to it (Connection: close).
    const headers = Object.assign({}, kept.headers);
    headers['X-Request-Id'] = ctx.requestId;
    headers['Content-Length'] = String(kept.bytes + ctx.requestId.length);
    return { status: kept.status, headers, body: kept.before + ctx.requestId + kept.after, code: kept.code };
  }
  const r = errorResponse(err, { requestId: ctx.requestId, exposeInternal: ctx.exposeInternal, includeBoxliteCode: true });
  const headers = r.headers;
  headers['X-Request-Id'] = ctx.requestId;
  if (err instanceof HttpStatusError && err.headers) Object.assign(headers, err.headers);
  const body = serializeErrorBody(r.body);
  headers['Content-Length'] = String(Buffer.byteLength(body));
  if (r.status >= 500 && ctx.onServerError) {
    try { ctx.onServerError(err, ctx.requestId); } catch { /* a logger must not break the answer */ }
  }
  return { status: r.status, headers, body, code: r.body.error.code };
}

// From the raw header list (raw-headers.ts): most error answers go out before
// anything else reads req.headers, and building that object cost more than
// the rest of this check.
function hasBody(req: IncomingMessage): boolean {
  const length = headerOf(req, 'content-length');
  return headerOf(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/**
 * Answer `err` with BoxLite's envelope. If the answer already started there is
 * nothing valid left to send, so the connection is cut (the client sees a
 * truncated response rather than a corrupt one).
 */
export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, ctx: ErrorContext): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The caller hung up mid-request (its body read fails with "aborted"):
  // nobody is left to answer, and it is no server error worth logging.
  if (res.destroyed || req.socket?.destroyed) return;
  const { status, headers, body, code } = renderError(err, ctx);
  noteErrorCode(res, code);
  // A body we never read (e.g. 413) would otherwise be parsed as the next
  // request on this keep-alive connection. A request without a body (most
  // 401/404/405 answers go out before its end is even parsed) keeps it, and
  // so does one whose body is being read and thrown away (flowing): closing
  // while the client still sends makes its kernel reset the connection and
  // drop our answer unread (the files routes drain a refused upload so the
  // client sees its 413).
  // Not on HTTP/2, where Connection is not a valid field (RFC 9113 8.2.2; Node
  // drops it with a warning) and a stream has no connection to close: once
  // the answer is complete, Node resets a stream whose body is still unread
  // (RST_STREAM NO_ERROR, RFC 9113 8.1) and the session's other streams go on.
  if (req.httpVersionMajor !== 2 && !req.complete && hasBody(req) && req.readableFlowing !== true) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
