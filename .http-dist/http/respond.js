"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sendJson = sendJson;
exports.sendEmpty = sendEmpty;
exports.renderError = renderError;
exports.sendError = sendError;
const error_response_1 = require("../error-response");
const http_error_1 = require("./http-error");
function sendJson(req, res, status, requestId, value, extraHeaders) {
    const body = JSON.stringify(value);
    const headers = {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-Request-Id': requestId,
    };
    if (extraHeaders)
        Object.assign(headers, extraHeaders);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
}
function sendEmpty(res, status, requestId) {
    res.writeHead(status, { 'X-Request-Id': requestId });
    res.end();
}
/** The status, headers and serialized envelope for `err`. */
function renderError(err, ctx) {
    const r = (0, error_response_1.errorResponse)(err, { requestId: ctx.requestId, exposeInternal: ctx.exposeInternal });
    const headers = r.headers;
    headers['X-Request-Id'] = ctx.requestId;
    if (err instanceof http_error_1.HttpStatusError && err.headers)
        Object.assign(headers, err.headers);
    const body = (0, error_response_1.serializeErrorBody)(r.body);
    headers['Content-Length'] = String(Buffer.byteLength(body));
    if (r.status >= 500 && ctx.onServerError) {
        try {
            ctx.onServerError(err, ctx.requestId);
        }
        catch { /* a logger must not break the answer */ }
    }
    return { status: r.status, headers, body };
}
/**
 * Answer `err` with BoxLite's envelope. If the answer already started there is
 * nothing valid left to send, so the connection is cut (the client sees a
 * truncated response rather than a corrupt one).
 */
function sendError(req, res, err, ctx) {
    if (res.headersSent) {
        res.destroy();
        return;
    }
    const { status, headers, body } = renderError(err, ctx);
    // A body we never read (e.g. 413) would otherwise be parsed as the next
    // request on this keep-alive connection.
    if (!req.complete)
        headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
}
//# sourceMappingURL=respond.js.map