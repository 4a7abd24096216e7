"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ANONYMOUS_PRINCIPAL = void 0;
exports.bearerToken = bearerToken;
exports.bearerTokenAuth = bearerTokenAuth;
// Authentication and authorization hooks. A handler is never open by
// accident: createBoxliteHandler refuses to build without `authenticate` or
// an explicit `auth: 'none'`. Credentials are compared in constant time and
// never written to logs or error messages.
const node_crypto_1 = require("node:crypto");
/** The principal used when `auth: 'none'`. */
exports.ANONYMOUS_PRINCIPAL = Object.freeze({ sub: 'anonymous', principal_type: 'service_account' });
/** The token of an `Authorization: Bearer <token>` header, or undefined. */
function bearerToken(req) {
    const header = req.headers.authorization;
    if (typeof header !== 'string')
        return undefined;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match ? match[1] : undefined;
}
function digest(value) {
    // Hashing first gives equal-length inputs, so the comparison time says
    // nothing about the expected token's length either.
    return (0, node_crypto_1.createHash)('sha256').update(value, 'utf8').digest();
}
/**
 * An `authenticate` hook accepting `Authorization: Bearer <token>` for any of
 * `tokens`. Timing-safe; the tokens are kept only as SHA-256 digests.
 */
function bearerTokenAuth(tokens, options = {}) {
    const list = typeof tokens === 'string' ? [tokens] : [...tokens];
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0)) {
        throw new TypeError('bearerTokenAuth: give at least one non-empty token');
    }
    const digests = list.map(digest);
    const principal = options.principal ?? Object.freeze({ sub: 'api-key', principal_type: 'service_account' });
    return (req) => {
        const token = bearerToken(req);
        if (token === undefined)
            return null;
        const got = digest(token);
        let ok = false;
        for (const d of digests)
            ok = (0, node_crypto_1.timingSafeEqual)(got, d) || ok;
        return ok ? principal : null;
    };
}
//# sourceMappingURL=auth.js.map