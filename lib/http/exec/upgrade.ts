// Wire a BoxLite handler's WebSocket attach to an http(s) server.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { BoxliteHandler } from '../handler';
import { httpError } from '../protocol/http-error';
import { requestIdFor } from '../protocol/request-id';
import { rejectUpgrade } from './attach';

/**
 * Routes the server's 'upgrade' events to `handler.upgrade`. Upgrades for
 * other paths are left to other listeners; when there are none they are
 * refused with 404 instead of hanging. Returns a function that unwires it.
 * An HTTP/2 server made with `allowHTTP1: true` emits 'upgrade' for its
 * HTTP/1.1 clients: the attach is served there (WebSockets have no HTTP/2
 * form here).
 */
export function attachBoxliteUpgrade(server: HttpServer | HttpsServer | Http2SecureServer, handler: Pick<BoxliteHandler, 'upgrade'>): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (handler.upgrade(req, socket, head)) return;
    if (server.listenerCount('upgrade') === 1) {
      // Same envelope and X-Request-Id as every other answer of this server.
      socket.on('error', () => undefined);
      rejectUpgrade(socket, httpError(404, 'not found: this server serves BoxLite REST API v1 under /v1'),
        { requestId: requestIdFor(req) });
    }
  };
  server.on('upgrade', onUpgrade);
  return () => { server.removeListener('upgrade', onUpgrade); };
}
