"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.boxliteErrorHandler = boxliteErrorHandler;
const request_id_1 = require("./request-id");
const respond_1 = require("./respond");
function boxliteErrorHandler(options = {}) {
    // Exactly four parameters: that is how Express tells error middleware apart.
    return function boxliteErrorMiddleware(err, req, res, next) {
        // Once the answer started, only Express's default handler can end it
        // properly (it destroys the socket).
        if (res.headersSent) {
            next(err);
            return;
        }
        const existing = res.getHeader('X-Request-Id');
        const requestId = typeof existing === 'string' ? existing : (0, request_id_1.requestIdFor)(req);
        (0, respond_1.sendError)(req, res, err, { requestId, exposeInternal: options.exposeInternal, onServerError: options.onError });
    };
}
//# sourceMappingURL=error-handler.js.map