// The answers Node's http.Server gives by itself, before any request
// listener runs: a request it cannot parse ('clientError'), an `Expect` it
// does not know ('checkExpectation', bare 417) and `Expect: 100-continue`
// ('checkContinue', where it sends "100 Continue" before anyone has looked at
// the request). attachBoxliteServerEvents makes them BoxLite answers: the
// envelope and an X-Request-Id where HTTP allows, "100 Continue" only once the
// request is admitted and its body is actually read (a refused upload is
// answered before the client sends a byte of it), and log lines that a flood
// of bad requests cannot multiply. The CLI's server uses it; so can yours:
//
//   const server = http.createServer({ requireHostHeader: false }, handler);
//   attachBoxliteUpgrade(server, handler);
//   attachBoxliteServerEvents(server);
//
// (`requireHostHeader: false` lets the handler answer a missing Host with the
// envelope instead of Node's bare 400; the handler checks Host itself.)
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { rejectUpgrade } from '../exec/attach';
import { httpError } from './http-error';
import { type RateLimitedLog, rateLimitedLog } from '../guards/log-limiter';
import { requestIdFor } from './request-id';
import { sendError } from './respond';

export interface BoxliteServerEventsOptions {
  /** Where protocol-violation lines go (default stderr), rate-limited per kind: 5 lines per 10 s, then one summary. */
  log?: (line: string) => void;
}

const CONTINUE_PENDING = Symbol('boxlite.continuePending');

type PendingRequest = IncomingMessage & { [CONTINUE_PENDING]?: ServerResponse };

/** Sends the deferred "100 Continue" of `req`, if one is still owed. Idempotent. */
export function sendContinueIfPending(req: IncomingMessage): void {
  const pending = req as PendingRequest;
  const res = pending[CONTINUE_PENDING];
  if (res === undefined) return;
  pending[CONTINUE_PENDING] = undefined;
  if (!res.headersSent && !res.writableEnded && !res.destroyed) res.writeContinue();
}

/**
 * Defers "100 Continue" until somebody reads the body: any consumer (our
 * handler, a body parser, another route) starts reading by adding a 'data' or
 * 'readable' listener (pipe() does too). A request answered without reading
 * the body never gets it, so the client does not send the body.
 */
function deferContinue(req: IncomingMessage, res: ServerResponse): void {
  const pending = req as PendingRequest;
  pending[CONTINUE_PENDING] = res;
  const onListener = (event: string | symbol) => {
    if (event !== 'data' && event !== 'readable') return;
    req.removeListener('newListener', onListener);
    sendContinueIfPending(req);
  };
  req.on('newListener', onListener);
  // resume() without a listener (drain and discard) still needs the body sent.
  const resume = req.resume;
  req.resume = function resumeAndContinue(this: IncomingMessage) {
    sendContinueIfPending(req);
    return resume.call(this);
  };
}

function peerOf(socket: Duplex): string {
  const address = (socket as { remoteAddress?: string }).remoteAddress;
  return address === undefined ? 'unknown peer' : address;
}

/** Wires clientError, checkContinue and checkExpectation on `server`. Returns a function that unwires them. */
export function attachBoxliteServerEvents(server: HttpServer | HttpsServer, options: BoxliteServerEventsOptions = {}): () => void {
  const write = options.log ?? ((line: string) => { process.stderr.write(`[boxlite-native] ${line}\n`); });
  const log: RateLimitedLog = rateLimitedLog(write);

  const onClientError = (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = status === 431 ? 'invalid argument: request headers too large'
      : status === 408 ? 'request timed out before it was complete' : 'invalid argument: malformed HTTP request';
    const requestId = randomUUID();
    log('malformed-request', `malformed request from ${peerOf(socket)} (request ${requestId}): ${status} ${String(err.code ?? err.message).slice(0, 80)}`);
    rejectUpgrade(socket, httpError(status, message), { requestId });
  };

  const onCheckContinue = (req: IncomingMessage, res: ServerResponse) => {
    deferContinue(req, res);
    server.emit('request', req, res);
  };

  const onCheckExpectation = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFor(req);
    const expect = String(req.headers.expect ?? '').slice(0, 64);
    log('unknown-expect', `unsupported Expect ${JSON.stringify(expect)} from ${peerOf(req.socket)} (request ${requestId}): 417`);
    res.shouldKeepAlive = false; // the body (if any) was never read
    sendError(req, res, httpError(417, `invalid argument: unsupported Expect ${JSON.stringify(expect)}; only 100-continue is understood`),
      { requestId });
  };

  server.on('clientError', onClientError);
  server.on('checkContinue', onCheckContinue);
  server.on('checkExpectation', onCheckExpectation);
  return () => {
    server.removeListener('clientError', onClientError);
    server.removeListener('checkContinue', onCheckContinue);
    server.removeListener('checkExpectation', onCheckExpectation);
    log.close();
  };
}
