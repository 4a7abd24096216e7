// A server's error answer -> the BoxliteError the embedded runtime would have
// thrown for the same failure.
//
// Which subclass, first match wins:
//   1. `error.boxlite_code` (this package's server sends the engine's numeric
//      code): exact, including codes that share a wire code (Portal, Rpc and
//      RpcTransport are all `upstream_unavailable`) and engine errors the
//      server reclassified (an Internal "executable not found" answers 422
//      execution_failed; as InternalError with the same message,
//      classifyError gives that same 422 again);
//   2. the message's BoxLite Display prefix ("box not found: ", ...), when
//      that code classifies to the status and wire code the server answered
//      (BoxLite's own servers pass the engine's text through);
//   3. the wire `code` (BoxLite's ErrorModel enum), else the HTTP status.
// The message is the server's `error.message` verbatim. Every such error also
// carries `status` (the HTTP status), `requestId` (X-Request-Id, else
// `error.request_id`), and `wireCode` / `wireType` as the server sent them.
import { STATUS_CODES } from 'node:http';
import { classifyError, boxliteCodeForMessagePrefix } from '../errors/classify';
import { BoxliteError, BoxliteErrorCode, NetworkError } from '../errors/errors';
import { httpRowForStatus } from '../errors/http-table';
import type { HeaderLookup } from './transport';

/** What a remote failure carries besides the BoxliteError fields. */
export interface RemoteErrorFields {
  /** The HTTP status, or null when no answer arrived (network failure). */
  status: number | null;
  /** The server's request id (X-Request-Id), or null when there was none. */
  requestId: string | null;
  /** The envelope's `code` (e.g. `not_found`), when there was one. */
  wireCode?: string;
  /** The envelope's `type` (e.g. `NotFoundError`), when there was one. */
  wireType?: string;
}

export type RemoteBoxliteError = BoxliteError & RemoteErrorFields;

/** BoxLite's wire codes (ErrorModel.code) -> the code the embedded runtime raises for them. */
const CODE_BY_WIRE: ReadonlyMap<string, BoxliteErrorCode> = new Map([
  ['internal', BoxliteErrorCode.Internal],
  ['not_found', BoxliteErrorCode.NotFound],
  ['already_exists', BoxliteErrorCode.AlreadyExists],
  ['invalid_state', BoxliteErrorCode.InvalidState],
  ['invalid_argument', BoxliteErrorCode.InvalidArgument],
  ['config_error', BoxliteErrorCode.Config],
  ['storage_error', BoxliteErrorCode.Storage],
  ['image_pull_failed', BoxliteErrorCode.Image],
  ['network_unavailable', BoxliteErrorCode.Network],
  ['execution_failed', BoxliteErrorCode.Execution],
  ['stopped', BoxliteErrorCode.Stopped],
  ['engine_unavailable', BoxliteErrorCode.Engine],
  ['unsupported', BoxliteErrorCode.Unsupported],
  ['database_error', BoxliteErrorCode.Database],
  ['upstream_unavailable', BoxliteErrorCode.Portal],
  ['metadata_error', BoxliteErrorCode.Metadata],
  ['resource_exhausted', BoxliteErrorCode.ResourceExhausted],
  ['session_reaped', BoxliteErrorCode.SessionReaped],
  // HTTP-only answers: BoxLite's own client reports auth failures as
  // configuration errors ("configuration error: auth: ...") and a server
  // timeout as internal; the same classes here.
  ['unauthenticated', BoxliteErrorCode.Config],
  ['permission_denied', BoxliteErrorCode.Config],
  ['timeout', BoxliteErrorCode.Internal],
]);

interface Envelope {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  boxlite_code?: unknown;
  request_id?: unknown;
}

/** Largest error body read (bytes): an envelope is small; a proxy's HTML page is cut. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

function envelopeOf(text: string): Envelope | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') return null;
    const inner = (parsed as { error?: unknown }).error;
    // BoxLite's envelope, or a flat {"message","code"} (some gateways).
    if (inner !== null && typeof inner === 'object') return inner as Envelope;
    return parsed as Envelope;
  } catch {
    return null;
  }
}

function isBoxliteCode(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= BoxliteErrorCode.SessionReaped;
}

function codeFor(status: number, message: string, env: Envelope | null): number {
  if (isBoxliteCode(env?.boxlite_code)) return env.boxlite_code;
  const wireCode = typeof env?.code === 'string' ? env.code : httpRowForStatus(status).code;
  const fromPrefix = boxliteCodeForMessagePrefix(message);
  if (fromPrefix !== 0) {
    const c = classifyError(BoxliteError.fromCode(fromPrefix, message));
    if (c.status === status && c.code === wireCode) return fromPrefix;
  }
  return CODE_BY_WIRE.get(wireCode) ?? CODE_BY_WIRE.get(httpRowForStatus(status).code) ?? BoxliteErrorCode.Internal;
}

function withFields<E extends BoxliteError>(err: E, fields: RemoteErrorFields): E & RemoteErrorFields {
  // Own, enumerable data properties: they show in util.inspect and survive structuredClone-free logging.
  return Object.assign(err, fields);
}

/** The typed error for a non-2xx answer. `bodyText` is at most MAX_ERROR_BODY_BYTES of the body. */
export function errorFromAnswer(status: number, headers: HeaderLookup, bodyText: string, what: string): RemoteBoxliteError {
  const env = envelopeOf(bodyText);
  const envMessage = typeof env?.message === 'string' && env.message.length > 0 ? env.message : null;
  // No envelope (a proxy, a load balancer): say what came back, in the
  // status's own class, so nobody mistakes it for the engine's words.
  const message = envMessage
    ?? `${httpRowForStatus(status).code === 'internal' ? 'internal error' : 'network error'}: ${what} answered HTTP ${status} `
      + `${STATUS_CODES[status] ?? ''} without BoxLite's error envelope${bodyText ? `: ${bodyText.slice(0, 512)}` : ''}`;
  const headerId = headers.get('x-request-id');
  const requestId = headerId ?? (typeof env?.request_id === 'string' ? env.request_id : null);
  const fields: RemoteErrorFields = { status, requestId };
  if (typeof env?.code === 'string') fields.wireCode = env.code;
  if (typeof env?.type === 'string') fields.wireType = env.type;
  return withFields(BoxliteError.fromCode(codeFor(status, message, env), message), fields);
}

/** No answer at all (refused, reset, DNS): a NetworkError naming the request, the cause kept. */
export function networkError(what: string, cause: unknown): RemoteBoxliteError {
  const detail = causeText(cause);
  return withFields(new NetworkError(`network error: ${what} failed: ${detail}`, { cause }), { status: null, requestId: null });
}

function causeText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
    e = e.cause;
  }
  return parts.join(': ') || String(err);
}

/** Builds an error for a protocol breach (an answer that is not what the API promises). */
export function protocolError(message: string, status: number | null, requestId: string | null): RemoteBoxliteError {
  return withFields(new BoxliteError(`internal error: ${message}`, BoxliteErrorCode.Internal), { status, requestId });
}
