import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../runtime-types';
import type { Principal } from './auth';
import type { PrefixPolicy } from './prefix';
import type { RouteMatch } from './router';
import type { SessionRegistry } from './sessions';
export interface ResolvedOptions {
    jsonLimit: number;
    filesLimit: number;
    exposeInternal: boolean;
    tmpDir: string;
    prefixPolicy: PrefixPolicy;
    onError: (err: unknown, requestId: string) => void;
}
/** State shared by all requests of one handler. */
export interface HandlerState {
    runtime: Runtime;
    sessions: SessionRegistry;
    options: ResolvedOptions;
    /** Box-level default exec user from create's `user` (the runtime has none). */
    boxUsers: Map<string, string>;
    /** When this server last changed a box's state (ms), for `updated_at`. */
    boxUpdatedAt: Map<string, number>;
}
export interface RouteContext {
    req: IncomingMessage;
    res: ServerResponse;
    requestId: string;
    match: RouteMatch;
    /** The raw query string (without '?'). */
    query: string;
    principal: Principal;
    state: HandlerState;
}
/** Route params are present for the routes that declare them; this narrows. */
export declare function boxIdOf(ctx: RouteContext): string;
export declare function execIdOf(ctx: RouteContext): string;
/** `/v1/{prefix}/` as the client addressed it, for Location headers. */
export declare function basePathOf(ctx: RouteContext): string;
export declare function queryParam(ctx: RouteContext, name: string): string | undefined;
/**
 * A route. Routes with a JSON body declare `parse`: it validates the body
 * synchronously, before any engine work, so a bad request is answered in the
 * tick its body ends (the hot 4xx path) and costs no engine call.
 */
export interface Route {
    parse?: (body: unknown) => unknown;
    run: (ctx: RouteContext, input: unknown) => Promise<void>;
}
export declare function route(run: (ctx: RouteContext) => Promise<void>): Route;
export declare function jsonRoute<T>(parse: (body: unknown) => T, run: (ctx: RouteContext, input: T) => Promise<void>): Route;
