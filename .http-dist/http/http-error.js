"use strict";
// Errors the HTTP layer raises itself (no engine involved): a status plus
// BoxLite's message style. The classifier keeps the status of any error that
// carries one and picks the wire code BoxLite clients know for it (401 ->
// unauthenticated, 403 -> permission_denied, 405 -> unsupported, 413 ->
// invalid_argument, ...), so these flow through the same errorResponse as
// engine errors.
Object.defineProperty(exports, "__esModule", { value: true });
exports.HttpStatusError = void 0;
exports.withoutStack = withoutStack;
exports.httpError = httpError;
exports.methodNotAllowed = methodNotAllowed;
exports.payloadTooLarge = payloadTooLarge;
exports.unauthenticated = unauthenticated;
exports.permissionDenied = permissionDenied;
/**
 * Builds an error without capturing a stack trace. For the caller mistakes
 * this layer reports itself (bad JSON, unknown field, 404/405/413...): their
 * stack says nothing about the caller's request, they are never logged, and
 * capturing it is the single most expensive step of a 4xx answer.
 */
function withoutStack(make) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return make();
    }
    finally {
        Error.stackTraceLimit = limit;
    }
}
class HttpStatusError extends Error {
    status;
    /** Extra response headers (e.g. Allow on a 405, WWW-Authenticate on a 401). */
    headers;
    constructor(status, message, headers) {
        super(message);
        this.status = status;
        this.headers = headers;
    }
}
exports.HttpStatusError = HttpStatusError;
Object.defineProperty(HttpStatusError.prototype, 'name', {
    value: 'HttpStatusError', writable: true, enumerable: false, configurable: true,
});
/** A stackless HttpStatusError (see withoutStack). */
function httpError(status, message, headers) {
    return withoutStack(() => new HttpStatusError(status, message, headers));
}
function methodNotAllowed(method, allowed) {
    return httpError(405, `unsupported: method ${method} is not allowed here; allowed: ${allowed.join(', ')}`, { Allow: allowed.join(', ') });
}
function payloadTooLarge(limit) {
    return httpError(413, `invalid argument: request body exceeds the limit of ${limit} bytes`);
}
function unauthenticated(message = 'missing or invalid credentials') {
    return httpError(401, message, { 'WWW-Authenticate': 'Bearer' });
}
function permissionDenied(action) {
    return httpError(403, `permission denied: this credential may not perform ${action}`);
}
//# sourceMappingURL=http-error.js.map