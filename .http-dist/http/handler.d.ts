import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Runtime } from '../runtime-types';
import { type Authenticate, type Authorize } from './auth';
import { type PathPrefixOption } from './prefix';
export interface BoxliteHandlerOptions {
    /**
     * Returns the caller's principal, or null/undefined for "not authenticated"
     * (401). Required unless `auth: 'none'`. See bearerTokenAuth().
     */
    authenticate?: Authenticate;
    /** Serve without authentication. Must be said explicitly: there is no accidental open server. */
    auth?: 'none';
    /** Return false to answer 403 permission_denied. Gets the action and the route's prefix/ids. */
    authorize?: Authorize;
    /** The `{prefix}` slot: undefined (none), a prefix, a list of them, or '*' (any). See prefix.ts. */
    pathPrefix?: PathPrefixOption;
    /** Mount path for URLs that arrive unrewritten (bare http server, WebSocket upgrades), e.g. '/api'. */
    basePath?: string;
    /** Largest JSON body in bytes (default 1 MiB). */
    jsonLimit?: number;
    /** Largest file upload in bytes (default 1 GiB). */
    filesLimit?: number;
    /** Reap an exec nobody attached to or polled for this long (default 5 min). */
    execIdleTimeoutMs?: number;
    /** Between the reaper's SIGHUP and SIGKILL (default 10 s). */
    execReapGraceMs?: number;
    /** WebSocket keep-alive Ping period (default 15 s; one Ping is also sent right after the upgrade). */
    pingIntervalMs?: number;
    /** Unread output kept per exec before its streams are paused (default 8 MiB). */
    maxBufferedOutputBytes?: number;
    /** false: 5xx answers carry a generic message instead of the engine's (default true, as BoxLite's servers). */
    exposeInternal?: boolean;
    /** Where file transfers are staged (default os.tmpdir()). */
    tmpDir?: string;
    /** Called for every 5xx answer and for background errors. Default: one line on stderr. Never given request headers. */
    onError?: (err: unknown, requestId: string) => void;
}
export type NextFunction = (err?: unknown) => void;
export interface BoxliteHandler {
    (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
    /** Serve a WebSocket upgrade. Returns false when the URL is not under /v1 (someone else's upgrade). */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
    /** Kill every execution, close every socket, clear every timer. Does not close the runtime. */
    close(): Promise<void>;
    /** Executions currently tracked. */
    readonly activeExecutions: number;
}
export declare function createBoxliteHandler(runtime: Runtime, options?: BoxliteHandlerOptions): BoxliteHandler;
