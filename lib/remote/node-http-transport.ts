// The default transport of Runtime.rest(): node:http / node:https over one
// keep-alive Agent per scheme, owned by the runtime. Node's fetch (undici)
// costs ~0.3 ms more per request than node:http on the same socket (WHATWG
// Headers/Request/Response objects, web streams, a second HTTP parser in JS),
// a third of a small request's round trip.
//
// Bounds (per runtime): at most MAX_SOCKETS_PER_ORIGIN connections to one
// origin (more requests wait, in order, for one to be free) and
// MAX_TOTAL_SOCKETS in all; at most MAX_FREE_SOCKETS idle ones kept, each
// closed after IDLE_TIMEOUT_MS without a request (sooner when the server's
// `Keep-Alive: timeout=N` says so: N s minus 1 s). Idle sockets never keep
// the process alive (the Agent unrefs them), and close() destroys them.
//
// What goes on the wire is what Node's fetch sends: the same default headers
// (Accept, Accept-Language, Sec-Fetch-Mode, User-Agent, Accept-Encoding, each
// unless the request has its own), Content-Length 0 on a POST or PUT without
// body, a streamed body chunked; redirects are followed (redirect.ts) and
// compressed answers decoded (content-decoding.ts), as fetch does. TLS:
// https URLs use Node's default trust store (NODE_EXTRA_CA_CERTS included),
// as fetch does.
import http from 'node:http';
import https from 'node:https';
import { type Readable, pipeline } from 'node:stream';
import { ACCEPT_ENCODING, decodedBody } from './content-decoding';
import { isRedirect, nextRedirect } from './redirect';
import type { HeaderLookup, Transport, TransportRequest, TransportResponse } from './transport';

export const MAX_SOCKETS_PER_ORIGIN = 64;
export const MAX_TOTAL_SOCKETS = 256;
export const MAX_FREE_SOCKETS = 32;
/** undici's default keep-alive timeout, so idle connections live as long as they did under fetch. */
export const IDLE_TIMEOUT_MS = 4000;
/**
 * A request whose connection hears nothing this long (no answer head, or a
 * body that stalls) fails as a network error and its connection is closed:
 * undici's headersTimeout and bodyTimeout, so a silent server holds a call
 * (and one of the origin's connections) no longer than it did under fetch.
 */
export const INACTIVITY_TIMEOUT_MS = 300_000;
/** An unwanted body (empty(), a redirect's) is drained this far to keep its connection; a longer one closes it. */
export const MAX_DISCARD_BYTES = 64 * 1024;

/** Node's fetch adds these unless the request names them (case-insensitive). */
const FETCH_DEFAULT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'node'],
  ['accept-encoding', ACCEPT_ENCODING],
];

/** Statuses whose answer has no body, whatever the headers say (fetch's "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const utf8 = new TextDecoder();

function isStream(body: TransportRequest['body']): body is Readable {
  return body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
}

function wireHeaders(method: string, headers: Readonly<Record<string, string>>, body: TransportRequest['body']): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  const present = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  for (const [name, value] of FETCH_DEFAULT_HEADERS) if (!present.has(name)) out[name] = value;
  if (typeof body === 'string') out['content-length'] = String(Buffer.byteLength(body));
  else if (body instanceof Uint8Array) out['content-length'] = String(body.byteLength);
  else if (body === undefined && (method === 'POST' || method === 'PUT')) out['content-length'] = '0';
  return out;
}

/**
 * Reads and drops what is left of a body, up to MAX_DISCARD_BYTES; past that
 * the connection is closed. Resolves at the body's end when all of it has
 * arrived (the socket is back in the pool by then, so the next request
 * reuses it), at once otherwise: never waits for bytes still to come.
 */
function discardBody(res: http.IncomingMessage): Promise<void> {
  if (res.destroyed || res.readableEnded) return Promise.resolve();
  res.on('error', () => { /* the body was not wanted */ });
  let ended = Promise.resolve();
  if (res.complete) {
    ended = new Promise((resolve) => { res.once('end', resolve); res.once('close', resolve); });
  } else {
    let seen = 0;
    res.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > MAX_DISCARD_BYTES) res.destroy();
    });
  }
  res.resume();
  return ended;
}

class IncomingHeaders implements HeaderLookup {
  readonly #headers: http.IncomingHttpHeaders;

  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}

class NodeResponse implements TransportResponse {
  readonly status: number;
  readonly headers: HeaderLookup;
  readonly hasBody: boolean;
  readonly #raw: http.IncomingMessage;
  #body: Readable | null = null;

  constructor(raw: http.IncomingMessage, method: string) {
    this.#raw = raw;
    this.status = raw.statusCode ?? 0;
    this.headers = new IncomingHeaders(raw.headers);
    this.hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(this.status);
  }

  #decoded(): Readable {
    this.#body ??= this.hasBody ? decodedBody(this.#raw, this.#raw.headers['content-encoding']) : this.#raw;
    return this.#body;
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.#decoded()) chunks.push(chunk as Buffer);
    return utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  chunks(): AsyncIterable<Uint8Array> {
    // Leaving a Readable's for-await early destroys it, and with it the connection.
    return this.#decoded();
  }

  stream(): Readable {
    return this.#decoded();
  }

  discard(): Promise<void> {
    if (this.#body === null) return discardBody(this.#raw);
    this.#body.destroy();
    return Promise.resolve();
  }
}

export interface NodeHttpTransportOptions {
  /** Default INACTIVITY_TIMEOUT_MS. */
  inactivityTimeoutMs?: number;
}

export class NodeHttpTransport implements Transport {
  #http: http.Agent | null = null;
  #https: https.Agent | null = null;
  #closed = false;
  readonly #inactivityTimeoutMs: number;

  constructor(options: NodeHttpTransportOptions = {}) {
    this.#inactivityTimeoutMs = options.inactivityTimeoutMs ?? INACTIVITY_TIMEOUT_MS;
  }

  #agent(secure: boolean): http.Agent {
    const options: http.AgentOptions = {
      keepAlive: !this.#closed,
      maxSockets: MAX_SOCKETS_PER_ORIGIN,
      maxTotalSockets: MAX_TOTAL_SOCKETS,
      maxFreeSockets: MAX_FREE_SOCKETS,
      timeout: IDLE_TIMEOUT_MS,
      scheduling: 'lifo',
    };
    if (secure) return (this.#https ??= new https.Agent(options));
    return (this.#http ??= new http.Agent(options));
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    let { url, method } = req;
    let headers = wireHeaders(method, req.headers, req.body);
    let body = req.body;
    for (let redirects = 0; ; redirects++) {
      const res = await this.#exchange(url, method, headers, body, req.signal);
      const location = res.headers.location;
      if (!isRedirect(res.statusCode ?? 0, location)) return new NodeResponse(res, method);
      void discardBody(res);
      const step = nextRedirect({ url, method, headers, streamedBody: isStream(body) }, res.statusCode ?? 0, location!, redirects);
      ({ url, method, headers } = step);
      if (!step.keepBody) body = undefined;
      headers = wireHeaders(method, headers, body);
    }
  }

  /** One request and its answer's head; the abort listener lives until the answer's body is done. */
  #exchange(url: string, method: string, headers: Record<string, string>, body: TransportRequest['body'],
    signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const secure = url.startsWith('https:');
      const request = (secure ? https : http).request(url, { method, headers, agent: this.#agent(secure) });
      let response: http.IncomingMessage | null = null;
      // Silence while this request owns the socket (the Agent's own timeout only reaps idle ones).
      const silence = this.#inactivityTimeoutMs;
      request.setTimeout(silence, () => {
        const err = Object.assign(new Error(`${response === null ? 'headers' : 'body'} timeout: nothing received for ${silence} ms`),
          { code: 'ETIMEDOUT' });
        request.destroy(err);
        response?.destroy(err);
      });
      // Destroying the request (or the answer mid-body) destroys its socket: it never returns to the pool.
      const onAbort = () => {
        request.destroy(signal!.reason);
        response?.destroy(signal!.reason);
      };
      const unlisten = () => signal?.removeEventListener('abort', onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (err) => {
        if (response === null) unlisten();
        reject(signal?.aborted ? signal.reason : err);
      });
      request.once('response', (res) => {
        response = res;
        res.once('close', unlisten);
        resolve(res);
      });
      if (body === undefined) request.end();
      else if (!isStream(body)) request.end(body);
      // pipeline destroys the request when the body fails, and the body when the request does.
      else pipeline(body, request, () => undefined);
    });
  }

  /**
   * Destroys the idle sockets and keeps no more: requests still in flight
   * finish, then their sockets close. Later requests (a kill() after close)
   * still work, each on its own connection.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const agent of [this.#http, this.#https]) {
      if (agent === null) continue;
      // Read by the Agent each time a socket comes free: false destroys it instead of pooling it.
      (agent as http.Agent & { keepAlive: boolean }).keepAlive = false;
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
  }
}
