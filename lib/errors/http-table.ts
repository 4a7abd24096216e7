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

import { STATUS_CODES } from 'node:http';
import { BoxliteErrorCode } from './errors';

/** One HTTP answer shape: status line plus the envelope's `type` and `code`. */
export interface HttpErrorRow {
  readonly status: number;
  /** PascalCase error type, e.g. `NotFoundError` (OpenAPI `ErrorModel.type`). */
  readonly type: string;
  /** snake_case error code clients dispatch on, e.g. `not_found`. */
  readonly code: string;
  /** True when retrying the same request later may succeed (429 and 503). */
  readonly retryable: boolean;
}

/** A canonical row together with the error it belongs to (for docs and tests). */
export interface CanonicalTableEntry extends HttpErrorRow {
  readonly boxliteCode: BoxliteErrorCode;
  /** libboxlite's enumerator name, e.g. `NotFound`. */
  readonly name: string;
  /** The JS class in lib/errors.ts, e.g. `NotFoundError`. */
  readonly className: string;
}

/** Statuses whose answers invite a retry (and get a `Retry-After` header). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

function row(status: number, type: string, code: string): HttpErrorRow {
  // Same property order for every row keeps all rows on one hidden class.
  return Object.freeze({ status, type, code, retryable: isRetryableStatus(status) });
}

function entry(boxliteCode: BoxliteErrorCode, className: string, r: HttpErrorRow): CanonicalTableEntry {
  return Object.freeze({
    boxliteCode,
    name: BoxliteErrorCode[boxliteCode],
    className,
    status: r.status,
    type: r.type,
    code: r.code,
    retryable: r.retryable,
  });
}

export const INTERNAL_ROW = row(500, 'InternalError', 'internal');
export const NOT_FOUND_ROW = row(404, 'NotFoundError', 'not_found');
export const ALREADY_EXISTS_ROW = row(409, 'AlreadyExistsError', 'already_exists');
export const INVALID_STATE_ROW = row(409, 'InvalidStateError', 'invalid_state');
export const INVALID_ARGUMENT_ROW = row(400, 'InvalidArgumentError', 'invalid_argument');
export const CONFIG_ROW = row(500, 'ConfigError', 'config_error');
export const STORAGE_ROW = row(500, 'StorageError', 'storage_error');
export const IMAGE_ROW = row(422, 'ImageError', 'image_pull_failed');
export const NETWORK_ROW = row(503, 'NetworkError', 'network_unavailable');
export const EXECUTION_ROW = row(422, 'ExecutionError', 'execution_failed');
export const STOPPED_ROW = row(409, 'StoppedError', 'stopped');
export const ENGINE_ROW = row(503, 'EngineError', 'engine_unavailable');
export const UNSUPPORTED_ROW = row(400, 'UnsupportedError', 'unsupported');
export const DATABASE_ROW = row(500, 'DatabaseError', 'database_error');
/** Portal, Rpc and RpcTransport share one wire answer. */
export const UPSTREAM_UNAVAILABLE_ROW = row(503, 'UpstreamUnavailableError', 'upstream_unavailable');
export const METADATA_ROW = row(500, 'MetadataError', 'metadata_error');
export const RESOURCE_EXHAUSTED_ROW = row(429, 'ResourceExhaustedError', 'resource_exhausted');
export const SESSION_REAPED_ROW = row(410, 'SessionReapedError', 'session_reaped');

// HTTP-only answers: no BoxliteErrorCode produces them, but BoxLite's servers
// emit them and BoxLite's clients understand them.
export const UNAUTHENTICATED_ROW = row(401, 'AuthError', 'unauthenticated');
export const PERMISSION_DENIED_ROW = row(403, 'AuthError', 'permission_denied');
export const TIMEOUT_ROW = row(504, 'TimeoutError', 'timeout');

/** The HTTP-only rows (401, 403, 504), for the request handler. */
export const HTTP_ONLY_ROWS: readonly HttpErrorRow[] = Object.freeze([
  UNAUTHENTICATED_ROW, PERMISSION_DENIED_ROW, TIMEOUT_ROW,
]);

// The canonical table, boxliteCode 1..21 in order: [code, JS class, row].
const CANONICAL: ReadonlyArray<readonly [BoxliteErrorCode, string, HttpErrorRow]> = [
  [BoxliteErrorCode.Internal, 'InternalError', INTERNAL_ROW],
  [BoxliteErrorCode.NotFound, 'NotFoundError', NOT_FOUND_ROW],
  [BoxliteErrorCode.AlreadyExists, 'AlreadyExistsError', ALREADY_EXISTS_ROW],
  [BoxliteErrorCode.InvalidState, 'InvalidStateError', INVALID_STATE_ROW],
  [BoxliteErrorCode.InvalidArgument, 'InvalidArgumentError', INVALID_ARGUMENT_ROW],
  [BoxliteErrorCode.Config, 'ConfigError', CONFIG_ROW],
  [BoxliteErrorCode.Storage, 'StorageError', STORAGE_ROW],
  [BoxliteErrorCode.Image, 'ImageError', IMAGE_ROW],
  [BoxliteErrorCode.Network, 'NetworkError', NETWORK_ROW],
  [BoxliteErrorCode.Execution, 'ExecutionError', EXECUTION_ROW],
  [BoxliteErrorCode.Stopped, 'StoppedError', STOPPED_ROW],
  [BoxliteErrorCode.Engine, 'EngineError', ENGINE_ROW],
  [BoxliteErrorCode.Unsupported, 'UnsupportedError', UNSUPPORTED_ROW],
  [BoxliteErrorCode.Database, 'DatabaseError', DATABASE_ROW],
  [BoxliteErrorCode.Portal, 'PortalError', UPSTREAM_UNAVAILABLE_ROW],
  [BoxliteErrorCode.Rpc, 'RpcError', UPSTREAM_UNAVAILABLE_ROW],
  [BoxliteErrorCode.RpcTransport, 'RpcTransportError', UPSTREAM_UNAVAILABLE_ROW],
  [BoxliteErrorCode.Metadata, 'MetadataError', METADATA_ROW],
  [BoxliteErrorCode.UnsupportedEngine, 'UnsupportedEngineError', UNSUPPORTED_ROW],
  [BoxliteErrorCode.ResourceExhausted, 'ResourceExhaustedError', RESOURCE_EXHAUSTED_ROW],
  [BoxliteErrorCode.SessionReaped, 'SessionReapedError', SESSION_REAPED_ROW],
];

/** BoxLite's canonical table, boxliteCode 1..21 in order. */
export const CANONICAL_HTTP_TABLE: readonly CanonicalTableEntry[] = Object.freeze(
  CANONICAL.map(([code, className, r]) => entry(code, className, r)),
);

// Dense array indexed by boxliteCode: one bounds check and one load on the
// classifier's hot path. Index 0 (Ok) is not an error, so it answers internal.
const ROW_BY_CODE: readonly HttpErrorRow[] = Object.freeze([INTERNAL_ROW, ...CANONICAL.map(([, , r]) => r)]);

/**
 * The canonical row for a numeric BoxLite code. Numbers outside 1..21
 * (including 0 = Ok, fractions and NaN) answer 500 internal.
 */
export function httpRowForBoxliteCode(boxliteCode: number): HttpErrorRow {
  // Any other number (negative, fractional, NaN, past the end) is no index.
  return ROW_BY_CODE[boxliteCode] ?? INTERNAL_ROW;
}

// Bare HTTP statuses (http-errors, body-parser, a proxy's answer). These carry
// no BoxLite code, so the wire code is chosen from the codes BoxLite clients
// already know: the official client turns an unknown `code` into
// "internal error: HTTP 413 ...", which would tell the caller the server broke
// when the caller sent a bad request. The status line itself is always kept.
// 400 and 500 need no entry: the default rows below are theirs.
const STATUS_OVERRIDES: ReadonlyArray<readonly [number, string, string]> = [
  [401, 'AuthError', 'unauthenticated'],
  [403, 'AuthError', 'permission_denied'],
  [404, 'NotFoundError', 'not_found'],
  [405, 'UnsupportedError', 'unsupported'], // the resource does not support that method
  [408, 'TimeoutError', 'timeout'],
  [409, 'InvalidStateError', 'invalid_state'], // BoxLite's client reads a bare 409 the same way
  [410, 'SessionReapedError', 'session_reaped'], // BoxLite's only 410
  [429, 'ResourceExhaustedError', 'resource_exhausted'],
  [501, 'UnsupportedError', 'unsupported'],
  [502, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [504, 'TimeoutError', 'timeout'],
];

// Every 400..599 status gets its own frozen row, built once, so a lookup is an
// index and the row's status is always the status the error carried.
const ROW_BY_STATUS: readonly HttpErrorRow[] = (() => {
  const rows: HttpErrorRow[] = [];
  for (let status = 400; status <= 599; status++) {
    const override = STATUS_OVERRIDES.find(([s]) => s === status);
    if (override) rows.push(row(override[0], override[1], override[2]));
    // Any other 4xx is the caller's mistake, any other 5xx the server's.
    else if (status < 500) rows.push(row(status, 'InvalidArgumentError', 'invalid_argument'));
    else rows.push(row(status, 'InternalError', 'internal'));
  }
  return Object.freeze(rows);
})();

/** True for an integer HTTP error status, 400..599. */
export function isHttpErrorStatus(status: unknown): status is number {
  return typeof status === 'number' && status >= 400 && status <= 599 && (status | 0) === status;
}

/**
 * The row for a bare HTTP error status (400..599); anything else answers 500
 * internal. The row's `status` is the status given.
 */
export function httpRowForStatus(status: number): HttpErrorRow {
  return isHttpErrorStatus(status) ? ROW_BY_STATUS[status - 400] : INTERNAL_ROW;
}

/** The standard reason phrase ("Not Found"), or "Error" for unknown statuses. */
export function httpReasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
