// The full HTTP answer for an error: status, headers and BoxLite's envelope
// (OpenAPI `ErrorModel`): {"error":{"message","type","code","boxlite_code"?,"request_id"?}}.
// Framework-free: callers write it with whatever response API they have.
//
// `boxlite_code` (opt-in, `includeBoxliteCode`) is the engine's numeric code
// when the error carried one. The wire `code` alone cannot name it: Portal, Rpc
// and RpcTransport share `upstream_unavailable`, an Internal error the
// classifier reclassified answers `execution_failed`, and so on. With it a
// remote client (lib/remote/) rebuilds the very BoxliteError subclass the
// engine raised. ErrorModel allows extra members (no additionalProperties:
// false), and BoxLite's own client ignores unknown ones.

import { type ErrorClassification, classifyError } from './classify';
import { httpReasonPhrase } from './http-table';

export interface ErrorResponseOptions {
  /**
   * Echoed as `X-Request-Id` and `error.request_id`. Ignored unless it is a
   * non-empty string of printable ASCII, at most 256 characters (anything
   * else could not be sent as a header value).
   */
  requestId?: string;
  /**
   * true (default): messages pass through verbatim, as BoxLite's own servers
   * do. false: the message of a 5xx answer is replaced by its reason phrase
   * ("Internal Server Error"), so engine internals (paths, ids) stay private.
   */
  exposeInternal?: boolean;
  /** `Retry-After` seconds on retryable answers (429, 503). Default 1. */
  retryAfterSeconds?: number;
  /**
   * true: add `error.boxlite_code`, the numeric BoxliteErrorCode (1..21) of
   * an error that carries one (`boxliteCode`). Default false.
   */
  includeBoxliteCode?: boolean;
}

export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string;
    /** The engine's numeric BoxliteErrorCode, when asked for and known. */
    boxlite_code?: number;
    request_id?: string;
  };
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_REQUEST_ID_LENGTH = 256;
/** SessionReaped, the highest BoxliteErrorCode. */
const MAX_BOXLITE_CODE = 21;

/** Classify `err` and build the answer for it. Never throws. */
export function errorResponse(err: unknown, options?: ErrorResponseOptions): ErrorResponse {
  const r = errorResponseFor(classifyError(err), options);
  if (options?.includeBoxliteCode === true) {
    const boxliteCode = numericBoxliteCodeOf(err);
    if (boxliteCode !== undefined) {
      // Before request_id, so the envelope reads message, type, code, boxlite_code, request_id.
      const { request_id: requestId, ...rest } = r.body.error;
      r.body.error = requestId === undefined ? { ...rest, boxlite_code: boxliteCode } : { ...rest, boxlite_code: boxliteCode, request_id: requestId };
    }
  }
  return r;
}

/** The error's own numeric BoxLite code when it is an integer in 1..21, else undefined. Never throws. */
function numericBoxliteCodeOf(err: unknown): number | undefined {
  try {
    // Stryker disable next-line OptionalChaining: without it null and undefined throw into the catch below: the same undefined
    const code: unknown = (err as { readonly boxliteCode?: unknown } | null | undefined)?.boxliteCode;
    // Number.isInteger also rules out every non-number.
    return Number.isInteger(code) && (code as number) >= 1 && (code as number) <= MAX_BOXLITE_CODE ? code as number : undefined;
  }
  // Stryker disable next-line BlockStatement: an empty catch falls through to the same undefined
  catch {
    return undefined; // a throwing getter or a revoked Proxy: no code to tell
  }
}

/** The answer for an existing classification (to log and answer from one result). */
export function errorResponseFor(c: ErrorClassification, options?: ErrorResponseOptions): ErrorResponse {
  const requestId = usableRequestId(options?.requestId);
  const hideMessage = options?.exposeInternal === false && c.status >= 500;

  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (requestId !== undefined) headers['X-Request-Id'] = requestId;
  if (c.retryable) headers['Retry-After'] = String(retryAfter(options?.retryAfterSeconds));

  const error: ErrorEnvelope['error'] = {
    message: hideMessage ? httpReasonPhrase(c.status) : c.message,
    type: c.type,
    code: c.code,
  };
  if (requestId !== undefined) error.request_id = requestId;
  return { status: c.status, headers, body: { error } };
}

/** The envelope as JSON text (lone surrogates come out escaped, never throws). */
export function serializeErrorBody(body: ErrorEnvelope): string {
  return JSON.stringify(body);
}

function usableRequestId(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REQUEST_ID_LENGTH) return undefined;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return id;
}

function retryAfter(seconds: unknown): number {
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
}
