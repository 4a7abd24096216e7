"use strict";
// The full HTTP answer for an error: status, headers and BoxLite's envelope
// (OpenAPI `ErrorModel`): {"error":{"message","type","code","request_id"?}}.
// Framework-free: callers write it with whatever response API they have.
Object.defineProperty(exports, "__esModule", { value: true });
exports.errorResponse = errorResponse;
exports.errorResponseFor = errorResponseFor;
exports.serializeErrorBody = serializeErrorBody;
const classify_1 = require("./classify");
const http_table_1 = require("./http-table");
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_REQUEST_ID_LENGTH = 256;
/** Classify `err` and build the answer for it. Never throws. */
function errorResponse(err, options) {
    return errorResponseFor((0, classify_1.classifyError)(err), options);
}
/** The answer for an existing classification (to log and answer from one result). */
function errorResponseFor(c, options) {
    const requestId = usableRequestId(options?.requestId);
    const hideMessage = options?.exposeInternal === false && c.status >= 500;
    const headers = { 'Content-Type': 'application/json' };
    if (requestId !== undefined)
        headers['X-Request-Id'] = requestId;
    if (c.retryable)
        headers['Retry-After'] = String(retryAfter(options?.retryAfterSeconds));
    const error = {
        message: hideMessage ? (0, http_table_1.httpReasonPhrase)(c.status) : c.message,
        type: c.type,
        code: c.code,
    };
    if (requestId !== undefined)
        error.request_id = requestId;
    return { status: c.status, headers, body: { error } };
}
/** The envelope as JSON text (lone surrogates come out escaped, never throws). */
function serializeErrorBody(body) {
    return JSON.stringify(body);
}
function usableRequestId(id) {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REQUEST_ID_LENGTH)
        return undefined;
    for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        if (c < 0x20 || c > 0x7e)
            return undefined;
    }
    return id;
}
function retryAfter(seconds) {
    return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
}
//# sourceMappingURL=error-response.js.map