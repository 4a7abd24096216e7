// Wire a BoxLite handler's WebSocket attach to an http(s) server.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { BoxliteHandler } from './handler';

/**
 * Routes the server's 'upgrade' events to `handler.upgrade`. Upgrades for
 * other paths are left to other listeners; when there are none they are
 * refused with 404 instead of hanging. Returns a function that unwires it.
 */
export function attachBoxliteUpgrade(server: HttpServer | HttpsServer, handler: Pick<BoxliteHandler, 'upgrade'>): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (handler.upgrade(req, socket, head)) return;
    if (server.listenerCount('upgrade') === 1) {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  };
  server.on('upgrade', onUpgrade);
  return () => { server.removeListener('upgrade', onUpgrade); };
}
