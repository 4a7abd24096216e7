// Runtime.rest(): the Runtime interface against any BoxLite REST API v1 server
// (this package's `serve`, BoxLite's hosted control plane, a router in front
// of several servers), in TypeScript over node:http (or the caller's fetch)
// and ws. It never loads the
// native addon, so it runs where the addon cannot (no prebuild, no compiler,
// another OS).
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { BoxliteErrorCode, InvalidArgumentError, StoppedError, isBoxliteError } from '../errors/errors';
import { optionalBool, requiredString } from '../runtime/runtime';
import type { BoxInfo, BoxOptions, RemoveBoxOptions, Runtime as RuntimeApi, RuntimeMetrics, RuntimeRestOptions } from '../runtime/runtime-types';
import type { AttachOptions } from './attach-connection';
import { FetchTransport } from './fetch-transport';
import { HttpClient, segment } from './http-client';
import { NodeHttpTransport } from './node-http-transport';
import { type CallOptions, RemoteBox, type RemoteBoxContext } from './remote-box';
import type { RemoteExecution } from './remote-execution';
import { protocolError } from './remote-error';
import { resolveRetryPolicy } from './retry-policy';
import { boxInfoOf, createBoxBody, runtimeMetricsOf } from './wire-json';

/** The largest page BoxLite's API allows (OpenAPI `pageSize` maximum). */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_LIVENESS_MS = 45_000;
/** A server that keeps answering pages is cut off past this many (10 million boxes at 1000 a page). */
const MAX_PAGES = 10_000;

export interface ListBoxesOptions extends CallOptions {
  /** Boxes per request, 1..1000 (default 1000). */
  pageSize?: number;
  /** Only boxes in this status (the server filters). */
  status?: string;
}

function invalid(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid argument: ${what}`);
}

function baseUrlOf(raw: unknown): string {
  const url = requiredString(raw, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`url must be an absolute http(s) URL, got ${JSON.stringify(url.slice(0, 200))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`url must be http or https, got ${parsed.protocol}`);
  if (parsed.search || parsed.hash) throw invalid('url must not carry a query or fragment');
  // A password in a URL ends up in logs and error messages; fetch refuses such
  // URLs, and node:http would quietly send them as Basic auth. apiKey is the way.
  if (parsed.username || parsed.password) throw invalid('url must not carry credentials (user:password@): pass apiKey instead');
  return url.replace(/\/+$/, '');
}

function prefixOf(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw invalid('pathPrefix must be a string');
  // Opaque and verbatim (it may hold '/'), only trimmed of the slashes that would double them.
  return raw.replace(/^\/+|\/+$/g, '');
}

/**
 * Whether node:http would refuse this header (a name that is not an HTTP
 * token, a value with a control character). Checked once here: refused by the
 * transport instead, every call would fail as a retried NetworkError.
 */
function headerRefusal(name: string, value: string): string | null {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return null;
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_INVALID_HTTP_TOKEN' ? 'is not a valid header name' : 'holds a character a header cannot carry (CR, LF, NUL, ...)';
  }
}

function headersOf(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('headers must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw invalid(`headers.${k} must be a string`);
    const refusal = headerRefusal(k, v);
    if (refusal !== null) throw invalid(`headers: ${JSON.stringify(k.slice(0, 100))} ${refusal}`);
    out[k] = v;
  }
  return out;
}

export class RemoteRuntime implements RuntimeApi {
  /** @internal */
  readonly _client: HttpClient;
  readonly #attach: Omit<AttachOptions, 'url' | 'headers'>;
  readonly #executions = new Set<WeakRef<RemoteExecution>>();
  #closed = false;
  readonly #boxContext: RemoteBoxContext;

  private constructor(client: HttpClient, attach: Omit<AttachOptions, 'url' | 'headers'>) {
    this._client = client;
    this.#attach = attach;
    this.#boxContext = {
      client,
      attach,
      open: () => this.#open(),
      track: (execution) => {
        // Its exec POST was in flight when close() ran: stop listening at once, as close() did to the others.
        if (this.#closed) {
          execution._abandon();
          return;
        }
        const ref = new WeakRef(execution);
        this.#executions.add(ref);
        void execution.wait().catch(() => undefined).finally(() => this.#executions.delete(ref));
      },
    };
  }

  /** Checks the options; sends nothing (the first call talks to the server). */
  static connect(options: RuntimeRestOptions): RemoteRuntime {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object');
    const apiKey = options.apiKey;
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0)) throw invalid('apiKey must be a non-empty string');
    // Never quoted: it is a secret. A trailing newline (a key read from a file) is the usual culprit.
    if (apiKey !== undefined && headerRefusal('Authorization', `Bearer ${apiKey}`) !== null) {
      throw invalid('apiKey holds a character a header cannot carry (CR, LF, NUL, ...): trim it');
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw invalid('fetch must be a function');
    const client = new HttpClient({
      baseUrl: baseUrlOf(options.url),
      pathPrefix: prefixOf(options.pathPrefix),
      apiKey,
      headers: headersOf(options.headers),
      retry: resolveRetryPolicy(options.retry),
      // The caller's fetch sees every request as before; without one, node:http
      // with this runtime's own keep-alive sockets (node-http-transport.ts).
      transport: options.fetch !== undefined ? new FetchTransport(options.fetch) : new NodeHttpTransport(),
    });
    const liveness = options.attachLivenessTimeoutMs ?? DEFAULT_LIVENESS_MS;
    if (!Number.isSafeInteger(liveness) || liveness < 1) throw invalid('attachLivenessTimeoutMs must be a positive integer');
    return new RemoteRuntime(client, {
      reattach: resolveRetryPolicy(options.reattach ?? {}),
      livenessTimeoutMs: liveness,
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  #open(): void {
    if (this.#closed) throw new StoppedError('stopped: runtime is closed');
  }

  async createBox(options: BoxOptions, call: CallOptions = {}): Promise<RemoteBox> {
    this.#open();
    const body = createBoxBody(options);
    const { value, answer } = await this._client.json<unknown>({
      method: 'POST', path: 'boxes', json: body, idempotent: true, signal: call.signal,
    });
    return new RemoteBox(this.#boxContext, boxInfoOf(value, answer.status, answer.requestId));
  }

  /** Rejects with NotFoundError when missing. */
  async getBox(idOrName: string, call: CallOptions = {}): Promise<RemoteBox> {
    this.#open();
    return new RemoteBox(this.#boxContext, await this.getInfo(idOrName, call));
  }

  /** One box's info by id or name (GET .../boxes/{id}). */
  async getInfo(idOrName: string, call: CallOptions = {}): Promise<BoxInfo> {
    this.#open();
    requiredString(idOrName, 'idOrName');
    const { value, answer } = await this._client.json<unknown>({ method: 'GET', path: `boxes/${segment(idOrName)}`, signal: call.signal });
    return boxInfoOf(value, answer.status, answer.requestId);
  }

  /** null when missing. */
  async findBox(idOrName: string, call: CallOptions = {}): Promise<RemoteBox | null> {
    try {
      return await this.getBox(idOrName, call);
    } catch (err) {
      if (isBoxliteError(err, BoxliteErrorCode.NotFound)) return null;
      throw err;
    }
  }

  /**
   * Every box: walks `next_page_token` to the last page. For fleets too
   * large to hold at once, iterate with `boxes()` instead.
   */
  async listBoxes(options: ListBoxesOptions = {}): Promise<BoxInfo[]> {
    const all: BoxInfo[] = [];
    for await (const info of this.boxes(options)) all.push(info);
    return all;
  }

  /** The boxes one page at a time (one request per `pageSize` boxes, made as the loop asks). */
  async *boxes(options: ListBoxesOptions = {}): AsyncGenerator<BoxInfo, void, undefined> {
    this.#open();
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw invalid(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { value, answer } = await this._client.json<{ boxes?: unknown; next_page_token?: unknown }>({
        method: 'GET', path: 'boxes', signal: options.signal,
        query: { pageSize: String(pageSize), pageToken: token, status: options.status },
      });
      if (!Array.isArray(value?.boxes)) throw protocolError('GET .../boxes answered no boxes array', answer.status, answer.requestId);
      for (const item of value.boxes) yield boxInfoOf(item, answer.status, answer.requestId);
      const next = value.next_page_token;
      if (typeof next !== 'string' || next === '') return;
      if (next === token) throw protocolError('GET .../boxes answered the same next_page_token twice', answer.status, answer.requestId);
      token = next;
    }
    throw protocolError(`GET .../boxes kept paging past ${MAX_PAGES} pages`, null, null);
  }

  async removeBox(idOrName: string, options: RemoveBoxOptions & CallOptions = {}): Promise<void> {
    this.#open();
    requiredString(idOrName, 'idOrName');
    const force = optionalBool(options?.force, 'force') ?? false;
    await this._client.empty({
      method: 'DELETE', path: `boxes/${segment(idOrName)}`, query: { force: force ? 'true' : undefined },
      idempotent: true, signal: options?.signal,
    });
  }

  async metrics(call: CallOptions = {}): Promise<RuntimeMetrics> {
    this.#open();
    const { value } = await this._client.json<unknown>({ method: 'GET', path: 'metrics', signal: call.signal });
    return runtimeMetricsOf(value);
  }

  /**
   * Stops listening to every execution (their wait() rejects with
   * StoppedError), closes the idle keep-alive sockets (requests in flight
   * finish first) and refuses later calls with StoppedError. Remote boxes and
   * commands keep running: they belong to the server. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const ref of this.#executions) ref.deref()?._abandon();
    this.#executions.clear();
    this._client.close();
    this._client.config.transport.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
