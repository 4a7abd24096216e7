import { type ErrorClassification } from './classify';
export interface ErrorResponseOptions {
    /**
     * Echoed as `X-Request-Id` and `error.request_id`. Ignored unless it is a
     * non-empty string of printable ASCII, at most 256 characters (anything
     * else could not be sent as a header value).
     */
    requestId?: string;
    /**
     * true (default): messages pass through verbatim, as BoxLite's own servers
     * do. false: the message of a 5xx answer is replaced by its reason phrase
     * ("Internal Server Error"), so engine internals (paths, ids) stay private.
     */
    exposeInternal?: boolean;
    /** `Retry-After` seconds on retryable answers (429, 503). Default 1. */
    retryAfterSeconds?: number;
}
export interface ErrorEnvelope {
    error: {
        message: string;
        type: string;
        code: string;
        request_id?: string;
    };
}
export interface ErrorResponse {
    status: number;
    headers: Record<string, string>;
    body: ErrorEnvelope;
}
/** Classify `err` and build the answer for it. Never throws. */
export declare function errorResponse(err: unknown, options?: ErrorResponseOptions): ErrorResponse;
/** The answer for an existing classification (to log and answer from one result). */
export declare function errorResponseFor(c: ErrorClassification, options?: ErrorResponseOptions): ErrorResponse;
/** The envelope as JSON text (lone surrogates come out escaped, never throws). */
export declare function serializeErrorBody(body: ErrorEnvelope): string;
