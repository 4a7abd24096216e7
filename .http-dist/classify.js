"use strict";
// Turns any thrown value into the HTTP answer BoxLite's own servers would give.
//
// Order, first match wins:
//   1. a numeric `boxliteCode` (our BoxliteError, or one from another copy of
//      this package) -> its canonical row; code 1 (Internal) goes through the
//      Internal fallbacks below;
//   2. an integer `status` or `statusCode` in 400..599 (http-errors,
//      body-parser's entity.parse.failed / entity.too.large, ...) -> that status.
//      A status someone set on purpose outranks a prefix read from the text:
//      a 413 whose message reads "invalid argument: body too large" stays 413;
//   3. a message starting with a BoxLite Display prefix ("box not found: ", ...)
//      -> the row of that code: this is all the official @boxlite-ai/boxlite SDK
//      leaves on its errors (plain `Error`, code "GenericFailure"); again, the
//      Internal prefix goes through the Internal fallbacks;
//   4. otherwise its `cause` chain (bounded), so a wrapper around one of the
//      above keeps its meaning; the outer message is kept;
//   5. anything else -> 500 internal.
//
// The Internal fallbacks exist because the engine reports three caller
// mistakes as Internal (a known upstream bug, libboxlite-abi.md §9). They are
// deliberately narrow and never touch any other code's row.
//
// Never throws: every property read on a foreign value is inside try/catch
// (getters, Proxies and revoked Proxies can throw on any access).
Object.defineProperty(exports, "__esModule", { value: true });
exports.BOXLITE_MESSAGE_PREFIXES = void 0;
exports.classifyError = classifyError;
exports.boxliteCodeForMessagePrefix = boxliteCodeForMessagePrefix;
const errors_1 = require("./errors");
const http_table_1 = require("./http-table");
/** How many `cause` links are followed before giving up (also ends cycles). */
const MAX_CAUSE_DEPTH = 8;
function answer(row, message) {
    return { status: row.status, type: row.type, code: row.code, message, retryable: row.retryable };
}
/**
 * Classify any value as an HTTP error answer. Pure, synchronous, never throws.
 */
function classifyError(err) {
    try {
        // The typed path first and flat: it is the common one and must stay cheap.
        // (`instanceof` itself can throw, for a revoked Proxy, hence inside try.)
        if (err instanceof errors_1.BoxliteError) {
            const code = err.boxliteCode;
            const message = err.message;
            const text = typeof message === 'string' ? message : '';
            const row = code === errors_1.BoxliteErrorCode.Internal ? internalRow(text) : (0, http_table_1.httpRowForBoxliteCode)(code);
            return answer(row, text.length > 0 ? text : (0, http_table_1.httpReasonPhrase)(row.status));
        }
        const row = rowOf(err, 0) ?? http_table_1.INTERNAL_ROW;
        return answer(row, messageOf(err, row));
    }
    catch {
        return answer(http_table_1.INTERNAL_ROW, messageOf(err, http_table_1.INTERNAL_ROW));
    }
}
/** The row for a value, or undefined when nothing about it is recognised. */
function rowOf(err, depth) {
    if ((typeof err !== 'object' || err === null) && typeof err !== 'function')
        return undefined;
    const e = err;
    const boxliteCode = e.boxliteCode;
    if (typeof boxliteCode === 'number') {
        if (boxliteCode !== errors_1.BoxliteErrorCode.Internal)
            return (0, http_table_1.httpRowForBoxliteCode)(boxliteCode);
        const message = e.message;
        return internalRow(typeof message === 'string' ? message : '');
    }
    // finalhandler's order: `status`, then `statusCode`.
    const status = e.status;
    if ((0, http_table_1.isHttpErrorStatus)(status))
        return (0, http_table_1.httpRowForStatus)(status);
    const statusCode = e.statusCode;
    if ((0, http_table_1.isHttpErrorStatus)(statusCode))
        return (0, http_table_1.httpRowForStatus)(statusCode);
    const message = e.message;
    if (typeof message === 'string') {
        const code = boxliteCodeForPrefix(message);
        if (code !== 0)
            return code === errors_1.BoxliteErrorCode.Internal ? internalRow(message) : (0, http_table_1.httpRowForBoxliteCode)(code);
    }
    if (depth < MAX_CAUSE_DEPTH) {
        const cause = e.cause;
        if (cause !== undefined && cause !== err) {
            try {
                return rowOf(cause, depth + 1);
            }
            catch {
                return undefined; // a hostile cause must not hide the outer error's message
            }
        }
    }
    return undefined;
}
/** The text for the envelope: the error's own message, else a reason phrase. */
function messageOf(err, row) {
    if (typeof err === 'string')
        return err.length > 0 ? err : (0, http_table_1.httpReasonPhrase)(row.status);
    if ((typeof err === 'object' && err !== null) || typeof err === 'function') {
        try {
            const message = err.message;
            if (typeof message === 'string' && message.length > 0)
                return message;
        }
        catch {
            // fall through to the reason phrase
        }
    }
    return (0, http_table_1.httpReasonPhrase)(row.status);
}
// --- Official-SDK message prefixes -----------------------------------------
// BoxLite's `BoxliteError` Display prefixes (src/shared/src/errors.rs), by
// code. Case matters ("Execution error: " is capitalised upstream).
// UnsupportedEngine is a unit variant whose whole text is the "prefix".
const PREFIXES = [
    ['internal error: ', errors_1.BoxliteErrorCode.Internal],
    ['box not found: ', errors_1.BoxliteErrorCode.NotFound],
    ['already exists: ', errors_1.BoxliteErrorCode.AlreadyExists],
    ['invalid state: ', errors_1.BoxliteErrorCode.InvalidState],
    ['invalid argument: ', errors_1.BoxliteErrorCode.InvalidArgument],
    ['configuration error: ', errors_1.BoxliteErrorCode.Config],
    ['storage error: ', errors_1.BoxliteErrorCode.Storage],
    ['images error: ', errors_1.BoxliteErrorCode.Image],
    ['network error: ', errors_1.BoxliteErrorCode.Network],
    ['Execution error: ', errors_1.BoxliteErrorCode.Execution],
    ['stopped: ', errors_1.BoxliteErrorCode.Stopped],
    ['engine reported an error: ', errors_1.BoxliteErrorCode.Engine],
    ['unsupported: ', errors_1.BoxliteErrorCode.Unsupported],
    ['database error: ', errors_1.BoxliteErrorCode.Database],
    ['portal error: ', errors_1.BoxliteErrorCode.Portal],
    ['gRPC/tonic error: ', errors_1.BoxliteErrorCode.Rpc],
    ['gRPC transport error: ', errors_1.BoxliteErrorCode.RpcTransport],
    ['metadata error: ', errors_1.BoxliteErrorCode.Metadata],
    ['unsupported engine kind', errors_1.BoxliteErrorCode.UnsupportedEngine],
    ['resource exhausted: ', errors_1.BoxliteErrorCode.ResourceExhausted],
    ['session reaped: ', errors_1.BoxliteErrorCode.SessionReaped],
];
/** The Display prefixes, for documentation and tests. */
exports.BOXLITE_MESSAGE_PREFIXES = Object.freeze(PREFIXES.map((p) => Object.freeze(p)));
// Candidates bucketed by first character, so most messages are rejected or
// matched with one charCodeAt and one or two startsWith calls (no regex).
const PREFIXES_BY_FIRST_CHAR = (() => {
    const buckets = new Array(128).fill(undefined);
    for (const p of PREFIXES) {
        const c = p[0].charCodeAt(0);
        (buckets[c] ??= []).push(p);
    }
    return buckets;
})();
/**
 * The BoxLite code named by a message's Display prefix at the very start, or
 * 0 when it has none.
 */
function boxliteCodeForMessagePrefix(message) {
    return boxliteCodeForPrefix(message);
}
function boxliteCodeForPrefix(message) {
    const bucket = PREFIXES_BY_FIRST_CHAR[message.charCodeAt(0)];
    if (bucket === undefined)
        return 0;
    for (let i = 0; i < bucket.length; i++) {
        if (message.startsWith(bucket[i][0]))
            return bucket[i][1];
    }
    return 0;
}
// --- Internal (code 1) fallbacks --------------------------------------------
const NOT_FOUND_IN = 'not found in ';
const SPAWN_FAILED = 'spawn_failed';
const NOT_IN_PATH = 'not found in $PATH';
const BAD_PERMISSIONS = 'does not have correct permissions';
/**
 * The row for an Internal error's message: a caller mistake the engine
 * mislabels as Internal gets its real row, anything else stays 500 internal.
 */
function internalRow(message) {
    if (namesMissingUserOrGroup(message))
        return http_table_1.INVALID_ARGUMENT_ROW;
    if (isSpawnFailureOfCommand(message))
        return http_table_1.EXECUTION_ROW;
    return http_table_1.INTERNAL_ROW;
}
/**
 * "User 'bob' not found in /run/bundle/rootfs/etc/passwd" (or "Group 'g' not
 * found in .../etc/group"): the exec `user` names an account the image lacks.
 * The account file must be the very thing "not found in" points at: the path
 * right after it (up to whitespace, trailing punctuation and quotes trimmed)
 * ends with /etc/passwd or /etc/group. "executable '/etc/passwd' not found in
 * $PATH" or "... not found in /etc/shadow (see /etc/passwd)" do not qualify.
 */
function namesMissingUserOrGroup(message) {
    let at = message.indexOf(NOT_FOUND_IN);
    while (at !== -1) {
        const start = at + NOT_FOUND_IN.length;
        let end = start;
        while (end < message.length && !isWhitespace(message.charCodeAt(end)))
            end++;
        while (end > start && isTrailingPunctuation(message.charCodeAt(end - 1)))
            end--;
        if (endsWithAt(message, '/etc/passwd', start, end) || endsWithAt(message, '/etc/group', start, end))
            return true;
        at = message.indexOf(NOT_FOUND_IN, start);
    }
    return false;
}
/**
 * The guest could not start the command: "spawn_failed: ... executable 'x' not
 * found in $PATH" or "... does not have correct permissions". The detail must
 * come after the spawn_failed marker, as the engine writes it (the marker is
 * the wrapping prefix).
 */
function isSpawnFailureOfCommand(message) {
    const at = message.indexOf(SPAWN_FAILED);
    if (at === -1)
        return false;
    const from = at + SPAWN_FAILED.length;
    return message.indexOf(NOT_IN_PATH, from) !== -1 || message.indexOf(BAD_PERMISSIONS, from) !== -1;
}
function endsWithAt(s, suffix, start, end) {
    return end - start >= suffix.length && s.endsWith(suffix, end);
}
function isWhitespace(c) {
    return c === 32 || (c >= 9 && c <= 13);
}
// . , ; : ) ] ' " `  -- what may close a sentence or a quoted path.
function isTrailingPunctuation(c) {
    return c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93 || c === 39 || c === 34 || c === 96;
}
//# sourceMappingURL=classify.js.map