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
    const finish = (err, value) => {
        if (settled)
            return;
        settled = true;
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        req.removeListener('error', onError);
        req.removeListener('close', onClose);
        // On failure stop buffering the rest; the answer closes the connection.
        if (err)
            req.resume();
        done(err, value);
    };
    const onData = (chunk) => {
        size += chunk.length;
        if (size > limit)
            finish((0, http_error_1.payloadTooLarge)(limit));
        else
            chunks.push(chunk);
    };
    const onEnd = () => finish(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onError = (err) => finish(err);
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => finish(new Error('request aborted by the client'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
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