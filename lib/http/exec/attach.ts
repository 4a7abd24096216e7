// GET .../executions/{id}/attach as a WebSocket. The handshake is checked
// (auth, route, session, single attach) before upgrading, and refusals are
// plain HTTP answers with BoxLite's envelope, as the spec says (404/409/410).
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { AlreadyExistsError } from '../../errors/errors';
import { httpError } from '../protocol/http-error';
import type { Limits } from '../guards/limits';
import type { SessionRegistry } from './sessions';
import { type ErrorContext, renderError } from '../protocol/respond';
import { SilenceWatch } from '../../silence-watch';

/** Largest client frame accepted (stdin chunks, control frames). */
const MAX_CLIENT_FRAME_BYTES = 8 << 20;

/** The request id of an upgrade, for the 101 answer's headers. */
const REQUEST_ID = Symbol('boxlite.requestId');

export function createWebSocketServer(): WebSocketServer {
  // noServer: the host server's 'upgrade' event is routed here by
  // handler.upgrade. No permessage-deflate: the official client never offers
  // it, and compressing already-streamed output costs CPU for nothing.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_FRAME_BYTES, clientTracking: false });
  // Every answer carries X-Request-Id, the 101 included.
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const id = (req as IncomingMessage & { [REQUEST_ID]?: string })[REQUEST_ID];
    if (id !== undefined) headers.push(`X-Request-Id: ${id}`);
  });
  return wss;
}

/** Answer an upgrade request with a plain HTTP error and close the socket. */
export function rejectUpgrade(socket: Duplex, err: unknown, ctx: ErrorContext): void {
  const { status, headers, body, code } = renderError(err, ctx);
  if (ctx.onUpgradeRefused) {
    try { ctx.onUpgradeRefused(status, code); } catch { /* an observer must not break the answer */ }
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += 'Connection: close\r\n\r\n';
  socket.once('finish', () => socket.destroy());
  socket.end(head + body);
}

const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Why `req` is not a handshake ws would accept, or null. Checked here, with
 * the same rules as ws, because ws answers a bad handshake itself with a bare
 * text 400 (no envelope, no X-Request-Id).
 */
function handshakeProblem(req: IncomingMessage): Error | null {
  if (req.method !== 'GET') return httpError(400, `invalid argument: a WebSocket handshake must use GET, not ${req.method}`);
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    return httpError(400, 'invalid argument: the Upgrade header must be "websocket"');
  }
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key.trim())) {
    return httpError(400, 'invalid argument: missing or invalid Sec-WebSocket-Key header');
  }
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    return httpError(400, 'invalid argument: unsupported Sec-WebSocket-Version (use 13)', { 'Sec-WebSocket-Version': '13, 8' });
  }
  return null;
}

/** What an attached socket is held to: the server-wide socket cap and the liveness deadline. */
export interface AttachGuard {
  limits: Limits;
  /** No Pong (or any other frame) from the client for this long: the socket is dead. */
  pongTimeoutMs: number;
  /** Told when the handshake completed (101), for the http.response event. */
  onUpgraded?: () => void;
}

/**
 * Terminates `ws` once the client has sent nothing (no Pong, no frame) for
 * `timeoutMs`. The session pings every pingIntervalMs, so a live client
 * answers well within the timeout; a dead peer (cable pulled, process frozen,
 * a client that stopped reading) never does, and terminating it fires 'close',
 * which frees the execution's single attach slot and the server-wide socket slot.
 * This server's own stalls (a long GC, a blocked loop, SIGSTOP) are not the
 * client's silence (lib/silence-watch.ts), nor is the time the session stops
 * reading the socket (it suspends the watch meanwhile).
 */
function watchLiveness(ws: WebSocket, timeoutMs: number): SilenceWatch {
  const watch = new SilenceWatch(timeoutMs, () => ws.terminate());
  const heard = () => watch.heard();
  ws.on('pong', heard);
  ws.on('message', heard);
  ws.on('close', () => watch.stop());
  return watch;
}

/** Upgrade and hand the socket to the session (claims the single attach slot first). */
export function upgradeToSession(wss: WebSocketServer, sessions: SessionRegistry, boxId: string, execId: string,
  req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ErrorContext, guard: AttachGuard): void {
  let session;
  let releaseSocketSlot;
  try {
    const problem = handshakeProblem(req);
    if (problem !== null) throw problem;
    session = sessions.lookupForAttach(boxId, execId);
    releaseSocketSlot = guard.limits.acquireAttachSocket();
    if (!session.reserveAttach()) {
      releaseSocketSlot();
      throw new AlreadyExistsError(`already exists: another client is attached to execution ${execId}; one attach at a time`);
    }
  } catch (err) {
    rejectUpgrade(socket, err, ctx);
    return;
  }
  const claimed = session;
  const releaseSlot = releaseSocketSlot;
  (req as IncomingMessage & { [REQUEST_ID]?: string })[REQUEST_ID] = ctx.requestId;
  let attached = false;
  // A command already done gets its whole answer (the 101, its output, the
  // exit frame, the close) in one write, which the client reads at once.
  const atOnce = claimed.answersAtOnce;
  if (atOnce) socket.cork();
  try {
    wss.handleUpgrade(req, socket, head, (ws) => {
      attached = true;
      guard.onUpgraded?.();
      ws.once('close', releaseSlot);
      claimed.attach(ws, socket, watchLiveness(ws, guard.pongTimeoutMs));
    });
  } finally {
    if (atOnce) socket.uncork();
  }
  // ws answers a malformed handshake itself (400) without calling back, and
  // completes a good one synchronously: either way the slot is settled here.
  if (!attached) {
    claimed.releaseAttach();
    releaseSlot();
  }
}
