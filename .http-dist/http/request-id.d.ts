import type { IncomingMessage } from 'node:http';
/** True for an id we are willing to echo: 1..128 chars of [A-Za-z0-9._-]. */
export declare function isWellFormedRequestId(value: unknown): value is string;
/** The request id for `req`: its own X-Request-Id when well formed, else a new UUID. */
export declare function requestIdFor(req: IncomingMessage): string;
