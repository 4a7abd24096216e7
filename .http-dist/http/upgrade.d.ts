import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { BoxliteHandler } from './handler';
/**
 * Routes the server's 'upgrade' events to `handler.upgrade`. Upgrades for
 * other paths are left to other listeners; when there are none they are
 * refused with 404 instead of hanging. Returns a function that unwires it.
 */
export declare function attachBoxliteUpgrade(server: HttpServer | HttpsServer, handler: Pick<BoxliteHandler, 'upgrade'>): () => void;
