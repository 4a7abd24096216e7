// One request to a BoxLite REST server: URL, credentials, Idempotency-Key,
// retries (retry-policy.ts), AbortSignal, and the typed error for a failed
// answer (remote-error.ts). The bytes go through a Transport (transport.ts):
// node:http by default, the caller's fetch when given one.
//
// Every request is published on the diagnostics channel
// `boxlite-native:remote:request` ({method, url, headers, body}, body the JSON
// value or null) before each try, so tools can log or check what goes out
// (the tests validate every one against BoxLite's OpenAPI document); the
// attach WebSocket's handshakes (attach-connection.ts) are published too.
import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import type { Readable } from 'node:stream';
import { StoppedError } from '../errors/errors';
import { type RemoteBoxliteError, MAX_ERROR_BODY_BYTES, errorFromAnswer, networkError, protocolError } from './remote-error';
import { type RetryPolicy, backoffMs, isRetryableStatus, retryAfterMs, sleep } from './retry-policy';
import type { HeaderLookup, Transport, TransportRequest, TransportResponse } from './transport';

export const REQUEST_CHANNEL = 'boxlite-native:remote:request';
/**
 * Largest JSON answer read (decoded bytes). A listing page of 1,000 boxes is
 * about 1 MB; past this the answer is refused rather than held in memory.
 */
export const MAX_JSON_ANSWER_BYTES = 64 << 20;
const requests = channel(REQUEST_CHANNEL);

export interface RequestMessage {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The JSON body, or null (none, or a binary one such as a tar upload). */
  body: unknown;
}

/** Publishes a request about to be sent on REQUEST_CHANNEL (nothing is built when nobody listens). */
export function publishRequest(message: () => RequestMessage): void {
  if (requests.hasSubscribers) requests.publish(message());
}

export interface HttpClientConfig {
  /** The server's URL, without a trailing '/' (a base path such as /api is kept). */
  baseUrl: string;
  /** The {prefix} slot, '' for none; inserted verbatim (it may hold '/'). */
  pathPrefix: string;
  apiKey: string | undefined;
  /** Extra headers on every request (e.g. a gateway's own). */
  headers: Readonly<Record<string, string>>;
  retry: RetryPolicy;
  transport: Transport;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path after /v1/{prefix}/, segments already encoded. */
  path: string;
  /** false: /v1/<path> without the prefix (GET /v1/config). Default true. */
  scoped?: boolean;
  query?: Record<string, string | undefined>;
  json?: unknown;
  /** A binary body, made afresh for each try (a stream cannot be sent twice). */
  body?: () => { data: Readable | Uint8Array; contentType: string };
  /** Not idempotent by itself: send an Idempotency-Key, the same on every try. */
  idempotent?: boolean;
  accept?: string;
  signal?: AbortSignal;
  /** How messages name the request, e.g. "POST /v1/boxes". Default: method and path. */
  what?: string;
}

export interface HttpAnswer {
  status: number;
  headers: HeaderLookup;
  /** The answer's body, still unread. */
  response: TransportResponse;
  requestId: string | null;
}

/** Path segment encoding: box ids and names are opaque, never split at '/' or '?'. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export class HttpClient {
  readonly config: HttpClientConfig;
  /** Aborted by close(): the retries of calls in flight end. */
  readonly #closing = new AbortController();

  constructor(config: HttpClientConfig) {
    this.config = config;
  }

  /**
   * Calls in flight try no more: one waiting to retry rejects with
   * StoppedError at once; a try already sent finishes. A first try after
   * close still goes out (a kill() on the way out).
   */
  close(): void {
    this.#closing.abort(new StoppedError('stopped: runtime is closed'));
  }

  /** Absolute URL for a path (scheme 'ws'/'wss' for WebSockets when asked). */
  url(path: string, { scoped = true, query, websocket = false }: { scoped?: boolean; query?: HttpRequest['query']; websocket?: boolean } = {}): string {
    const prefix = scoped && this.config.pathPrefix !== '' ? `${this.config.pathPrefix}/` : '';
    let url = `${this.config.baseUrl}/v1/${prefix}${path}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    return websocket ? url.replace(/^http/, 'ws') : url;
  }

  /** Headers every request carries (credentials, the caller's extras). */
  baseHeaders(): Record<string, string> {
    const headers: Record<string, string> = { ...this.config.headers };
    if (this.config.apiKey !== undefined) headers.Authorization = `Bearer ${this.config.apiKey}`;
    return headers;
  }

  /**
   * Sends the request, retrying what may be retried; resolves with a 2xx
   * answer whose body is still unread, or rejects with a typed error (or the
   * signal's reason once aborted).
   */
  async send(req: HttpRequest): Promise<HttpAnswer> {
    const url = this.url(req.path, { scoped: req.scoped, query: req.query });
    const what = req.what ?? `${req.method} ${new URL(url).pathname}`;
    const headers = this.baseHeaders();
    if (req.accept) headers.Accept = req.accept;
    if (req.idempotent) headers['Idempotency-Key'] = randomUUID();
    let jsonText: string | undefined;
    if (req.json !== undefined) {
      jsonText = JSON.stringify(req.json);
      headers['Content-Type'] = 'application/json';
    }
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      if (attempt > 1) this.#closing.signal.throwIfAborted();
      let body: TransportRequest['body'] = jsonText;
      const tryHeaders = { ...headers };
      if (req.body) {
        const made = req.body();
        body = made.data;
        tryHeaders['Content-Type'] = made.contentType;
      }
      publishRequest(() => ({ method: req.method, url, headers: tryHeaders, body: jsonText === undefined ? null : JSON.parse(jsonText) }));
      let response: TransportResponse;
      try {
        response = await this.config.transport.request({ method: req.method, url, headers: tryHeaders, body, signal: req.signal });
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        const failure = networkError(what, err);
        await this.#pause(attempt, started, undefined, failure, req.signal);
        continue;
      }
      const requestId = response.headers.get('x-request-id');
      if (response.status >= 200 && response.status <= 299) return { status: response.status, headers: response.headers, response, requestId };
      const bodyText = await readBounded(response);
      // Aborted while the error body arrived: the signal's reason, not the half-read answer.
      if (req.signal?.aborted) throw req.signal.reason;
      const failure = errorFromAnswer(response.status, response.headers, bodyText, what);
      const retryable = isRetryableStatus(response.status)
        // The same key is still being worked on: the server asks to come back later.
        || (response.status === 409 && req.idempotent === true && response.headers.has('retry-after'));
      if (!retryable) throw failure;
      await this.#pause(attempt, started, retryAfterMs(response.headers.get('retry-after')), failure, req.signal);
    }
  }

  /** Waits before the next try, or throws `failure` when no try is left in the budget. */
  async #pause(attempt: number, started: number, retryAfter: number | undefined, failure: RemoteBoxliteError,
    signal: AbortSignal | undefined): Promise<void> {
    const { retry } = this.config;
    if (attempt >= retry.maxAttempts) throw failure;
    const wait = backoffMs(retry, attempt, retryAfter);
    if (Date.now() - started + wait > retry.maxElapsedMs) throw failure;
    // The caller's abort or the runtime's close, whichever comes first, ends the wait with its reason.
    await sleep(wait, signal, this.#closing.signal);
  }

  /** send(), then the JSON body (at most MAX_JSON_ANSWER_BYTES once decoded). */
  async json<T>(req: HttpRequest): Promise<{ value: T; answer: HttpAnswer }> {
    const answer = await this.send(req);
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      // Leaving the loop past the bound stops reading: a compressed answer
      // that inflates without end (or a server that never stops) costs at
      // most the bound, not the process's memory.
      for await (const chunk of answer.response.chunks()) {
        size += chunk.length;
        if (size > MAX_JSON_ANSWER_BYTES) break;
        chunks.push(chunk);
      }
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw networkError(`reading the answer to ${req.method} ${req.path}`, err);
    }
    if (size > MAX_JSON_ANSWER_BYTES) {
      throw protocolError(`the answer to ${req.method} ${req.path} is larger than ${MAX_JSON_ANSWER_BYTES} bytes (decoded): not read further`,
        answer.status, answer.requestId);
    }
    // As fetch's text(): UTF-8, a leading byte order mark dropped.
    let text = Buffer.concat(chunks, size).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      return { value: JSON.parse(text) as T, answer };
    } catch {
      throw protocolError(`the answer to ${req.method} ${req.path} is not JSON: ${text.slice(0, 200)}`, answer.status, answer.requestId);
    }
  }

  /** send(), the body (if any) discarded. */
  async empty(req: HttpRequest): Promise<HttpAnswer> {
    const answer = await this.send(req);
    await answer.response.discard();
    return answer;
  }
}

/** At most MAX_ERROR_BODY_BYTES of an error body as text; the rest is not read. */
async function readBounded(response: TransportResponse): Promise<string> {
  if (!response.hasBody) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop at the bound stops reading: the rest is never read.
    for await (const chunk of response.chunks()) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // cut off mid-body: what arrived is all there is to report
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}
