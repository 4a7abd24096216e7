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
export declare function isRetryableStatus(status: number): boolean;
export declare const INTERNAL_ROW: HttpErrorRow;
export declare const NOT_FOUND_ROW: HttpErrorRow;
export declare const ALREADY_EXISTS_ROW: HttpErrorRow;
export declare const INVALID_STATE_ROW: HttpErrorRow;
export declare const INVALID_ARGUMENT_ROW: HttpErrorRow;
export declare const CONFIG_ROW: HttpErrorRow;
export declare const STORAGE_ROW: HttpErrorRow;
export declare const IMAGE_ROW: HttpErrorRow;
export declare const NETWORK_ROW: HttpErrorRow;
export declare const EXECUTION_ROW: HttpErrorRow;
export declare const STOPPED_ROW: HttpErrorRow;
export declare const ENGINE_ROW: HttpErrorRow;
export declare const UNSUPPORTED_ROW: HttpErrorRow;
export declare const DATABASE_ROW: HttpErrorRow;
/** Portal, Rpc and RpcTransport share one wire answer. */
export declare const UPSTREAM_UNAVAILABLE_ROW: HttpErrorRow;
export declare const METADATA_ROW: HttpErrorRow;
export declare const RESOURCE_EXHAUSTED_ROW: HttpErrorRow;
export declare const SESSION_REAPED_ROW: HttpErrorRow;
export declare const UNAUTHENTICATED_ROW: HttpErrorRow;
export declare const PERMISSION_DENIED_ROW: HttpErrorRow;
export declare const TIMEOUT_ROW: HttpErrorRow;
/** The HTTP-only rows (401, 403, 504), for the request handler. */
export declare const HTTP_ONLY_ROWS: readonly HttpErrorRow[];
/** BoxLite's canonical table, boxliteCode 1..21 in order. */
export declare const CANONICAL_HTTP_TABLE: readonly CanonicalTableEntry[];
/**
 * The canonical row for a numeric BoxLite code. Numbers outside 1..21
 * (including 0 = Ok, fractions and NaN) answer 500 internal.
 */
export declare function httpRowForBoxliteCode(boxliteCode: number): HttpErrorRow;
/** True for an integer HTTP error status, 400..599. */
export declare function isHttpErrorStatus(status: unknown): status is number;
/**
 * The row for a bare HTTP error status (400..599); anything else answers 500
 * internal. The row's `status` is the status given.
 */
export declare function httpRowForStatus(status: number): HttpErrorRow;
/** The standard reason phrase ("Not Found"), or "Error" for unknown statuses. */
export declare function httpReasonPhrase(status: number): string;
