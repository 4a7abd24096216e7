// The full HTTP answer for an error: status, headers and BoxLite's envelope
// (OpenAPI `ErrorModel`): {"error":{"message","type","code","request_id"?}}.
// Framework-free: callers write it with whatever response API they have.

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
}

export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string;
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

/** Classify `err` and build the answer for it. Never throws. */
export function errorResponse(err: unknown, options?: ErrorResponseOptions): ErrorResponse {
  return errorResponseFor(classifyError(err), options);
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
