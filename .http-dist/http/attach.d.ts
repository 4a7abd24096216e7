import { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SessionRegistry } from './sessions';
import { type ErrorContext } from './respond';
export declare function createWebSocketServer(): WebSocketServer;
/** Answer an upgrade request with a plain HTTP error and close the socket. */
export declare function rejectUpgrade(socket: Duplex, err: unknown, ctx: ErrorContext): void;
/** Upgrade and hand the socket to the session (claims the single attach slot first). */
export declare function upgradeToSession(wss: WebSocketServer, sessions: SessionRegistry, boxId: string, execId: string, req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ErrorContext): void;
