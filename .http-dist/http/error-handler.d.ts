import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction } from './handler';
export interface BoxliteErrorHandlerOptions {
    /** false: 5xx answers carry a generic message (default true). */
    exposeInternal?: boolean;
    /** Called for 5xx answers (default: none; Express apps log their own way). */
    onError?: (err: unknown, requestId: string) => void;
}
export type BoxliteErrorMiddleware = (err: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;
export declare function boxliteErrorHandler(options?: BoxliteErrorHandlerOptions): BoxliteErrorMiddleware;
