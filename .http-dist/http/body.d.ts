import type { IncomingMessage } from 'node:http';
/** Throws 413 early when Content-Length already says the body is too big. */
export declare function checkDeclaredLength(req: IncomingMessage, limit: number): void;
export type BodyCallback<T> = (err: Error | null, value?: T) => void;
/** The raw body as one Buffer, at most `limit` bytes. Calls back exactly once. */
export declare function readBody(req: IncomingMessage, limit: number, done: BodyCallback<Buffer>): void;
/**
 * The JSON body (undefined for an empty one). Malformed JSON is a 400 with the
 * parser's reason. A body some middleware already parsed is used as it is
 * (its stream is spent).
 */
export declare function readJsonBody(req: IncomingMessage, limit: number, done: BodyCallback<unknown>): void;
