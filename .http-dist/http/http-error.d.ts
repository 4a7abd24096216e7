/**
 * Builds an error without capturing a stack trace. For the caller mistakes
 * this layer reports itself (bad JSON, unknown field, 404/405/413...): their
 * stack says nothing about the caller's request, they are never logged, and
 * capturing it is the single most expensive step of a 4xx answer.
 */
export declare function withoutStack<T>(make: () => T): T;
export declare class HttpStatusError extends Error {
    readonly status: number;
    /** Extra response headers (e.g. Allow on a 405, WWW-Authenticate on a 401). */
    readonly headers: Readonly<Record<string, string>> | undefined;
    constructor(status: number, message: string, headers?: Record<string, string>);
}
/** A stackless HttpStatusError (see withoutStack). */
export declare function httpError(status: number, message: string, headers?: Record<string, string>): HttpStatusError;
export declare function methodNotAllowed(method: string, allowed: readonly string[]): HttpStatusError;
export declare function payloadTooLarge(limit: number): HttpStatusError;
export declare function unauthenticated(message?: string): HttpStatusError;
export declare function permissionDenied(action: string): HttpStatusError;
