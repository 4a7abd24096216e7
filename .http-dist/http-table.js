"use strict";
// BoxLite's HTTP error contract, as data.
//
// The canonical rows are BoxLite's own `BoxliteError::http` table: the status,
// wire `type` and wire `code` a BoxLite server answers for each numeric
// BoxliteErrorCode. BoxLite clients dispatch on `code` (the official REST
// client rebuilds its error variant from it), so the rows must match exactly.
//
// Rows are frozen and shared: classification returns the same row object for
// every error of a kind, and only allocates the small result that carries the
// message.
Object.defineProperty(exports, "__esModule", { value: true });
exports.CANONICAL_HTTP_TABLE = exports.HTTP_ONLY_ROWS = exports.TIMEOUT_ROW = exports.PERMISSION_DENIED_ROW = exports.UNAUTHENTICATED_ROW = exports.SESSION_REAPED_ROW = exports.RESOURCE_EXHAUSTED_ROW = exports.METADATA_ROW = exports.UPSTREAM_UNAVAILABLE_ROW = exports.DATABASE_ROW = exports.UNSUPPORTED_ROW = exports.ENGINE_ROW = exports.STOPPED_ROW = exports.EXECUTION_ROW = exports.NETWORK_ROW = exports.IMAGE_ROW = exports.STORAGE_ROW = exports.CONFIG_ROW = exports.INVALID_ARGUMENT_ROW = exports.INVALID_STATE_ROW = exports.ALREADY_EXISTS_ROW = exports.NOT_FOUND_ROW = exports.INTERNAL_ROW = void 0;
exports.isRetryableStatus = isRetryableStatus;
exports.httpRowForBoxliteCode = httpRowForBoxliteCode;
exports.isHttpErrorStatus = isHttpErrorStatus;
exports.httpRowForStatus = httpRowForStatus;
exports.httpReasonPhrase = httpReasonPhrase;
const node_http_1 = require("node:http");
const errors_1 = require("./errors");
/** Statuses whose answers invite a retry (and get a `Retry-After` header). */
function isRetryableStatus(status) {
    return status === 429 || status === 503;
}
function row(status, type, code) {
    // Same property order for every row keeps all rows on one hidden class.
    return Object.freeze({ status, type, code, retryable: isRetryableStatus(status) });
}
function entry(boxliteCode, className, r) {
    return Object.freeze({
        boxliteCode,
        name: errors_1.BoxliteErrorCode[boxliteCode],
        className,
        status: r.status,
        type: r.type,
        code: r.code,
        retryable: r.retryable,
    });
}
exports.INTERNAL_ROW = row(500, 'InternalError', 'internal');
exports.NOT_FOUND_ROW = row(404, 'NotFoundError', 'not_found');
exports.ALREADY_EXISTS_ROW = row(409, 'AlreadyExistsError', 'already_exists');
exports.INVALID_STATE_ROW = row(409, 'InvalidStateError', 'invalid_state');
exports.INVALID_ARGUMENT_ROW = row(400, 'InvalidArgumentError', 'invalid_argument');
exports.CONFIG_ROW = row(500, 'ConfigError', 'config_error');
exports.STORAGE_ROW = row(500, 'StorageError', 'storage_error');
exports.IMAGE_ROW = row(422, 'ImageError', 'image_pull_failed');
exports.NETWORK_ROW = row(503, 'NetworkError', 'network_unavailable');
exports.EXECUTION_ROW = row(422, 'ExecutionError', 'execution_failed');
exports.STOPPED_ROW = row(409, 'StoppedError', 'stopped');
exports.ENGINE_ROW = row(503, 'EngineError', 'engine_unavailable');
exports.UNSUPPORTED_ROW = row(400, 'UnsupportedError', 'unsupported');
exports.DATABASE_ROW = row(500, 'DatabaseError', 'database_error');
/** Portal, Rpc and RpcTransport share one wire answer. */
exports.UPSTREAM_UNAVAILABLE_ROW = row(503, 'UpstreamUnavailableError', 'upstream_unavailable');
exports.METADATA_ROW = row(500, 'MetadataError', 'metadata_error');
exports.RESOURCE_EXHAUSTED_ROW = row(429, 'ResourceExhaustedError', 'resource_exhausted');
exports.SESSION_REAPED_ROW = row(410, 'SessionReapedError', 'session_reaped');
// HTTP-only answers: no BoxliteErrorCode produces them, but BoxLite's servers
// emit them and BoxLite's clients understand them.
exports.UNAUTHENTICATED_ROW = row(401, 'AuthError', 'unauthenticated');
exports.PERMISSION_DENIED_ROW = row(403, 'AuthError', 'permission_denied');
exports.TIMEOUT_ROW = row(504, 'TimeoutError', 'timeout');
/** The HTTP-only rows (401, 403, 504), for the request handler. */
exports.HTTP_ONLY_ROWS = Object.freeze([
    exports.UNAUTHENTICATED_ROW, exports.PERMISSION_DENIED_ROW, exports.TIMEOUT_ROW,
]);
// The canonical table, boxliteCode 1..21 in order: [code, JS class, row].
const CANONICAL = [
    [errors_1.BoxliteErrorCode.Internal, 'InternalError', exports.INTERNAL_ROW],
    [errors_1.BoxliteErrorCode.NotFound, 'NotFoundError', exports.NOT_FOUND_ROW],
    [errors_1.BoxliteErrorCode.AlreadyExists, 'AlreadyExistsError', exports.ALREADY_EXISTS_ROW],
    [errors_1.BoxliteErrorCode.InvalidState, 'InvalidStateError', exports.INVALID_STATE_ROW],
    [errors_1.BoxliteErrorCode.InvalidArgument, 'InvalidArgumentError', exports.INVALID_ARGUMENT_ROW],
    [errors_1.BoxliteErrorCode.Config, 'ConfigError', exports.CONFIG_ROW],
    [errors_1.BoxliteErrorCode.Storage, 'StorageError', exports.STORAGE_ROW],
    [errors_1.BoxliteErrorCode.Image, 'ImageError', exports.IMAGE_ROW],
    [errors_1.BoxliteErrorCode.Network, 'NetworkError', exports.NETWORK_ROW],
    [errors_1.BoxliteErrorCode.Execution, 'ExecutionError', exports.EXECUTION_ROW],
    [errors_1.BoxliteErrorCode.Stopped, 'StoppedError', exports.STOPPED_ROW],
    [errors_1.BoxliteErrorCode.Engine, 'EngineError', exports.ENGINE_ROW],
    [errors_1.BoxliteErrorCode.Unsupported, 'UnsupportedError', exports.UNSUPPORTED_ROW],
    [errors_1.BoxliteErrorCode.Database, 'DatabaseError', exports.DATABASE_ROW],
    [errors_1.BoxliteErrorCode.Portal, 'PortalError', exports.UPSTREAM_UNAVAILABLE_ROW],
    [errors_1.BoxliteErrorCode.Rpc, 'RpcError', exports.UPSTREAM_UNAVAILABLE_ROW],
    [errors_1.BoxliteErrorCode.RpcTransport, 'RpcTransportError', exports.UPSTREAM_UNAVAILABLE_ROW],
    [errors_1.BoxliteErrorCode.Metadata, 'MetadataError', exports.METADATA_ROW],
    [errors_1.BoxliteErrorCode.UnsupportedEngine, 'UnsupportedEngineError', exports.UNSUPPORTED_ROW],
    [errors_1.BoxliteErrorCode.ResourceExhausted, 'ResourceExhaustedError', exports.RESOURCE_EXHAUSTED_ROW],
    [errors_1.BoxliteErrorCode.SessionReaped, 'SessionReapedError', exports.SESSION_REAPED_ROW],
];
/** BoxLite's canonical table, boxliteCode 1..21 in order. */
exports.CANONICAL_HTTP_TABLE = Object.freeze(CANONICAL.map(([code, className, r]) => entry(code, className, r)));
// Dense array indexed by boxliteCode: one bounds check and one load on the
// classifier's hot path. Index 0 (Ok) is not an error, so it answers internal.
const ROW_BY_CODE = Object.freeze([exports.INTERNAL_ROW, ...CANONICAL.map(([, , r]) => r)]);
const MAX_BOXLITE_CODE = exports.CANONICAL_HTTP_TABLE.length;
/**
 * The canonical row for a numeric BoxLite code. Numbers outside 1..21
 * (including 0 = Ok, fractions and NaN) answer 500 internal.
 */
function httpRowForBoxliteCode(boxliteCode) {
    if (boxliteCode >= 1 && boxliteCode <= MAX_BOXLITE_CODE && (boxliteCode | 0) === boxliteCode) {
        return ROW_BY_CODE[boxliteCode];
    }
    return exports.INTERNAL_ROW;
}
// Bare HTTP statuses (http-errors, body-parser, a proxy's answer). These carry
// no BoxLite code, so the wire code is chosen from the codes BoxLite clients
// already know: the official client turns an unknown `code` into
// "internal error: HTTP 413 ...", which would tell the caller the server broke
// when the caller sent a bad request. The status line itself is always kept.
const STATUS_OVERRIDES = [
    [400, 'InvalidArgumentError', 'invalid_argument'],
    [401, 'AuthError', 'unauthenticated'],
    [403, 'AuthError', 'permission_denied'],
    [404, 'NotFoundError', 'not_found'],
    [405, 'UnsupportedError', 'unsupported'], // the resource does not support that method
    [408, 'TimeoutError', 'timeout'],
    [409, 'InvalidStateError', 'invalid_state'], // BoxLite's client reads a bare 409 the same way
    [410, 'SessionReapedError', 'session_reaped'], // BoxLite's only 410
    [429, 'ResourceExhaustedError', 'resource_exhausted'],
    [500, 'InternalError', 'internal'],
    [501, 'UnsupportedError', 'unsupported'],
    [502, 'UpstreamUnavailableError', 'upstream_unavailable'],
    [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
    [504, 'TimeoutError', 'timeout'],
];
// Every 400..599 status gets its own frozen row, built once, so a lookup is an
// index and the row's status is always the status the error carried.
const ROW_BY_STATUS = (() => {
    const rows = [];
    for (let status = 400; status <= 599; status++) {
        const override = STATUS_OVERRIDES.find(([s]) => s === status);
        if (override)
            rows.push(reuseRow(row(override[0], override[1], override[2])));
        // Any other 4xx is the caller's mistake, any other 5xx the server's.
        else if (status < 500)
            rows.push(row(status, 'InvalidArgumentError', 'invalid_argument'));
        else
            rows.push(row(status, 'InternalError', 'internal'));
    }
    return Object.freeze(rows);
})();
function reuseRow(r) {
    // Prefer the canonical/HTTP-only row object when one matches exactly.
    for (const known of [...ROW_BY_CODE, ...exports.HTTP_ONLY_ROWS]) {
        if (known.status === r.status && known.type === r.type && known.code === r.code)
            return known;
    }
    return r;
}
/** True for an integer HTTP error status, 400..599. */
function isHttpErrorStatus(status) {
    return typeof status === 'number' && status >= 400 && status <= 599 && (status | 0) === status;
}
/**
 * The row for a bare HTTP error status (400..599); anything else answers 500
 * internal. The row's `status` is the status given.
 */
function httpRowForStatus(status) {
    return isHttpErrorStatus(status) ? ROW_BY_STATUS[status - 400] : exports.INTERNAL_ROW;
}
/** The standard reason phrase ("Not Found"), or "Error" for unknown statuses. */
function httpReasonPhrase(status) {
    return node_http_1.STATUS_CODES[status] ?? 'Error';
}
//# sourceMappingURL=http-table.js.map