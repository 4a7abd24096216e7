"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.checkDeclaredLength = checkDeclaredLength;
exports.readBody = readBody;
exports.readJsonBody = readJsonBody;
const http_error_1 = require("./http-error");
const validate_1 = require("./validate");
function declaredLength(req) {
    const raw = req.headers['content-length'];
    if (raw === undefined)
        return undefined;
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
/** Throws 413 early when Content-Length already says the body is too big. */
function checkDeclaredLength(req, limit) {
    const n = declaredLength(req);
    if (n !== undefined && n > limit)
        throw (0, http_error_1.payloadTooLarge)(limit);
}
/** The raw body as one Buffer, at most `limit` bytes. Calls back exactly once. */
function readBody(req, limit, done) {
    try {
        checkDeclaredLength(req, limit);
    }
    catch (err) {
        done(err);
        return;
    }
    const chunks = [];
    let size = 0;
    let settled = false;
    // The listeners are not removed afterwards: they die with the request, and
    // `settled` makes any late event a no-op.
    req.on('data', (chunk) => {
        if (settled)
            return;
        size += chunk.length;
        if (size <= limit) {
            chunks.push(chunk);
            return;
        }
        settled = true;
        req.resume(); // drain the rest unbuffered; the answer closes the connection
        done((0, http_error_1.payloadTooLarge)(limit));
    });
    req.on('end', () => {
        if (settled)
            return;
        settled = true;
        done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    // A client that goes away mid-body makes the request emit 'error' (aborted).
    req.on('error', (err) => {
        if (settled)
            return;
        settled = true;
        done(err);
    });
}
/**
 * The JSON body (undefined for an empty one). Malformed JSON is a 400 with the
 * parser's reason. A body some middleware already parsed is used as it is
 * (its stream is spent).
 */
function readJsonBody(req, limit, done) {
    const pre = req;
    if (pre._body === true || (req.readableEnded && pre.body !== undefined)) {
        let value;
        try {
            value = Buffer.isBuffer(pre.body) ? parseJson(pre.body) : pre.body;
        }
        catch (err) {
            done(err);
            return;
        }
        done(null, value);
        return;
    }
    readBody(req, limit, (err, raw) => {
        if (err) {
            done(err);
            return;
        }
        let value;
        try {
            value = parseJson(raw);
        }
        catch (parseErr) {
            done(parseErr);
            return;
        }
        done(null, value);
    });
}
function parseJson(raw) {
    if (raw.length === 0)
        return undefined;
    const text = raw.toString('utf8');
    try {
        return JSON.parse(text);
    }
    catch (err) {
        if (text.trim() === '')
            return undefined; // whitespace only: no body
        const reason = err instanceof Error ? err.message : String(err);
        throw (0, validate_1.invalid)(`request body is not valid JSON (${reason})`);
    }
}
//# sourceMappingURL=body.js.map