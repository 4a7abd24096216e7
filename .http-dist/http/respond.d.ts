import type { IncomingMessage, ServerResponse } from 'node:http';
export interface ErrorContext {
    requestId: string;
    /** false replaces 5xx messages by a generic text (see errorResponse). */
    exposeInternal?: boolean;
    /** Called for 5xx answers; never given request headers (they may hold tokens). */
    onServerError?: (err: unknown, requestId: string) => void;
}
export declare function sendJson(req: IncomingMessage, res: ServerResponse, status: number, requestId: string, value: unknown, extraHeaders?: Record<string, string>): void;
export declare function sendEmpty(res: ServerResponse, status: number, requestId: string): void;
/** The status, headers and serialized envelope for `err`. */
export declare function renderError(err: unknown, ctx: ErrorContext): {
    status: number;
    headers: Record<string, string>;
    body: string;
};
/**
 * Answer `err` with BoxLite's envelope. If the answer already started there is
 * nothing valid left to send, so the connection is cut (the client sees a
 * truncated response rather than a corrupt one).
 */
export declare function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, ctx: ErrorContext): void;
