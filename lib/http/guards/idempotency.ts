// Idempotency-Key (OpenAPI parameter `idempotencyKey`): safe retries of the
// operations BoxLite's document marks with it: create box, delete box, start,
// stop, exec and signal (image pull is not served here).
//
// - The key is a UUID (`format: uuid`); anything else answers 400.
// - Keys are scoped per principal and per `{prefix}`: the same UUID sent by
//   two callers, or under two prefixes, names two unrelated requests.
// - The first request with a key runs; its answer (status, the headers the
//   handler set, body) is kept and replayed byte for byte to every later
//   request with the same key and the same request, without running it again
//   (a replayed exec answers the same execution_id; no second process). The
//   replay carries `Idempotent-Replayed: true` and the original X-Request-Id,
//   which the original body's `request_id` also names.
// - "The same request" is the method, the path after /v1 (prefix and ids as
//   sent), the query string and the JSON body in canonical form (key order
//   and whitespace do not matter). The same key with anything else answers
//   422; the key is not consumed by that.
// - While the first request is still running, the same key answers 409 with
//   Retry-After (the retry is not held open: a request that waits could wait
//   as long as the operation, and clients retry anyway).
// - Answers are kept for `lifetimeMs` from the key's first use (reported as
//   `idempotency_key_lifetime`, ISO 8601, in GET /v1/config). Not kept:
//   429 and 503 (the operation was refused before it ran, so a retry must run
//   it), answers cut off before they were complete, and a body parse error
//   (checked before the key is looked at; a retry gets the same 400 anyway).
// - Storage is in memory, per handler (per process): a restart forgets every
//   key. It is bounded by `maxEntries` keys and `maxBytes` of kept answers.
//   When full, the oldest completed answers are evicted first (their keys
//   then run again if retried); when every slot is taken by a request still
//   running, a new key answers 429 resource_exhausted with Retry-After.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { canonicalJson } from '../protocol/canonical-json';
import { httpError } from '../protocol/http-error';
import { principalKey } from './principal-key';
import { headerOf } from '../protocol/raw-headers';
import type { RouteMatch, RouteName } from '../routing/router';
import { invalid } from '../protocol/validate';
import { errorCodeOf, noteErrorCode } from '../../observability/request-observer';

export interface IdempotencyOptions {
  lifetimeMs: number;
  maxEntries: number;
  maxBytes: number;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/**
 * Route + method pairs the document marks with `Idempotency-Key`, by route:
 * every request asks, and looking up the route name (a constant string) and
 * then the method costs less than building and hashing a "route method" string.
 */
const MARKED: ReadonlyMap<RouteName, ReadonlySet<string>> = new Map<RouteName, ReadonlySet<string>>([
  ['boxes', new Set(['POST'])],
  ['box', new Set(['DELETE'])],
  ['box.start', new Set(['POST'])],
  ['box.stop', new Set(['POST'])],
  ['box.exec', new Set(['POST'])],
  ['execution.signal', new Set(['POST'])],
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Bytes charged for an entry besides its answer: the key, fingerprint, Map
 * slot and objects (measured at ~650 bytes of heap per kept answer).
 */
const ENTRY_OVERHEAD = 768;
/** Never replayed: hop-by-hop, or recomputed for the replay. */
const DROPPED_HEADERS: ReadonlySet<string> = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive']);

interface StoredAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** BoxLite's error code the original noted for observers (null: no error envelope), noted again on each replay. */
  errorCode: string | null;
}

interface Entry {
  fingerprint: string;
  firstSeen: number;
  /** null while the first request runs. */
  answer: StoredAnswer | null;
  bytes: number;
}

export interface RequestIdentity {
  req: IncomingMessage;
  match: RouteMatch;
  principal: unknown;
  /** The path after /v1/ (prefix and ids as sent) and the raw query. */
  afterV1: string;
  query: string;
  /** The parsed JSON body (undefined for routes without one). */
  body: unknown;
}

/** ISO 8601 duration for `ms`, e.g. 86_400_000 -> "PT24H", 90_500 -> "PT1M30.5S". */
export function isoDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let out = 'PT';
  if (hours > 0) out += `${hours}H`;
  if (minutes > 0) out += `${minutes}M`;
  if (seconds > 0 || out === 'PT') out += `${seconds}S`;
  return out;
}

function headerBytes(headers: Record<string, string | string[]>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += k.length + (Array.isArray(v) ? v.join(', ').length : v.length) + 4;
  return n;
}

/** The headers of a writeHead that succeeded (Node refuses undefined values, so none is left here). */
function toStoredHeaders(headers: OutgoingHttpHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (DROPPED_HEADERS.has(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

export class IdempotencyStore {
  readonly lifetimeMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** Insertion order is first-use order: the head is always the oldest key. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: IdempotencyOptions) {
    this.lifetimeMs = options.lifetimeMs;
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
  }

  /** Keys held (running or answered). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes charged for the kept answers and keys. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /**
   * Runs `run` under the request's Idempotency-Key, if it carries one on a
   * marked operation; otherwise just runs it. `fail` answers a refusal.
   */
  perform(id: RequestIdentity, res: ServerResponse, run: () => Promise<void>, fail: (err: unknown) => void): void {
    const { req, match } = id;
    const method = req.method; // a request without one (a test double) is on no marked pair
    // headerOf reads the raw list: req.headers is built lazily, and most requests carry no key.
    const first = MARKED.get(match.name)?.has(method as string) === true ? headerOf(req, 'idempotency-key') : undefined;
    if (first === undefined) {
      void run();
      return;
    }
    // req.headers joins repeated headers with ", ", so two keys fail the UUID check (400) instead of one
    // winning (a framework may give an array: joined the same way). A middleware may have deleted the
    // parsed one: the raw list still names the key the client sent.
    const raw = req.headers['idempotency-key'] ?? first;
    const key = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!UUID.test(key)) {
      fail(invalid(`Idempotency-Key must be a UUID (8-4-4-4-12 hex digits), got ${JSON.stringify(key.slice(0, 64))}`));
      return;
    }
    this.#sweep();
    // Stryker disable next-line MethodExpression: folding to upper case instead is the same key equality; no caller can tell
    const scope = `${principalKey(id.principal)}\n${match.prefix}\n${key.toLowerCase()}`;
    // No body (canonicalJson gives undefined) prints as "undefined", which no JSON text is.
    const fingerprint = createHash('sha256')
      .update(`${method}\n${id.afterV1}\n${id.query}\n${canonicalJson(id.body)}`).digest('base64url');
    const existing = this.#entries.get(scope);
    if (existing !== undefined) {
      if (existing.fingerprint !== fingerprint) {
        fail(httpError(422, 'invalid argument: this Idempotency-Key was already used for a different request '
          + '(method, path, query or body); use a new key for a new request'));
      } else if (existing.answer === null) {
        fail(httpError(409, 'invalid state: a request with this Idempotency-Key is still in progress; retry later',
          { 'Retry-After': '1' }));
      } else {
        replay(res, existing.answer);
      }
      return;
    }
    if (this.#entries.size >= this.#maxEntries && !this.#evictOldestAnswered()) {
      fail(httpError(429, 'resource exhausted: too many Idempotency-Key requests in progress; retry later',
        { 'Retry-After': '1' }));
      return;
    }
    const entry: Entry = { fingerprint, firstSeen: this.#now(), answer: null, bytes: ENTRY_OVERHEAD + scope.length };
    this.#entries.set(scope, entry);
    this.#bytes += entry.bytes;
    const capture = captureAnswer(res);
    const settle = () => this.#settle(scope, entry, capture());
    run().then(settle, settle);
  }

  #settle(scope: string, entry: Entry, answer: StoredAnswer | null): void {
    if (this.#entries.get(scope) !== entry) return; // cleared meanwhile (close)
    if (answer === null || answer.status === 429 || answer.status === 503) {
      this.#remove(scope, entry);
      return;
    }
    const extra = answer.body.length + headerBytes(answer.headers);
    if (entry.bytes + extra > this.#maxBytes) {
      this.#remove(scope, entry); // could never fit: the key runs again if retried
      return;
    }
    entry.answer = answer;
    entry.bytes += extra;
    this.#bytes += extra;
    while (this.#bytes > this.#maxBytes && this.#evictOldestAnswered()) { /* evict until it fits */ }
  }

  #remove(scope: string, entry: Entry): void {
    this.#entries.delete(scope);
    this.#bytes -= entry.bytes;
  }

  /** Drops the oldest key whose answer is kept; false when every key is still running. */
  #evictOldestAnswered(): boolean {
    for (const [scope, entry] of this.#entries) {
      if (entry.answer !== null) {
        this.#remove(scope, entry);
        return true;
      }
    }
    return false;
  }

  /** Forgets expired keys, oldest first (a running request keeps its key until it settles). */
  #sweep(): void {
    const cutoff = this.#now() - this.lifetimeMs;
    for (const [scope, entry] of this.#entries) {
      if (entry.firstSeen > cutoff) break;
      if (entry.answer !== null) this.#remove(scope, entry);
    }
  }
}

function replay(res: ServerResponse, answer: StoredAnswer): void {
  noteErrorCode(res, answer.errorCode);
  res.writeHead(answer.status, {
    ...answer.headers,
    'Content-Length': String(answer.body.length),
    'Idempotent-Replayed': 'true',
  });
  res.end(answer.body);
}

/**
 * Watches what the route writes on `res` (the handler answers with one
 * writeHead(status, headers) and one end(body)). Returns a function giving
 * the complete answer, or null when none was written or it was streamed.
 */
function captureAnswer(res: ServerResponse): () => StoredAnswer | null {
  let status = 0;
  let headers: Record<string, string | string[]> = {};
  // Copied into a buffer of its own: a small Buffer.from() is a slice of a
  // shared 8 KiB pool slab, and keeping the slice would keep the whole slab.
  let body: Buffer | null = null;
  let streamed = false;
  const writeHead = res.writeHead;
  const write = res.write;
  const end = res.end;
  res.writeHead = function capturedWriteHead(this: ServerResponse, code: number, ...rest: unknown[]) {
    // Only a writeHead that succeeded names the answer (Node refuses a bad header value and sends nothing).
    const out = (writeHead as (...a: unknown[]) => ServerResponse).call(this, code, ...rest);
    status = code;
    const h = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as OutgoingHttpHeaders | undefined;
    headers = toStoredHeaders(h);
    return out;
  } as ServerResponse['writeHead'];
  res.write = function capturedWrite(this: ServerResponse, ...args: unknown[]) {
    streamed = true;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function capturedEnd(this: ServerResponse, ...args: unknown[]) {
    const chunk = args[0];
    if (typeof chunk === 'string') {
      body = Buffer.allocUnsafeSlow(Buffer.byteLength(chunk, 'utf8'));
      body.write(chunk, 'utf8');
    } else if (Buffer.isBuffer(chunk)) {
      body = Buffer.allocUnsafeSlow(chunk.length);
      chunk.copy(body);
    }
    else if (chunk === undefined || typeof chunk === 'function') body = Buffer.alloc(0);
    else streamed = true;
    // HTTP/2's Http2ServerResponse.end() hands its chunk to this.write(): that
    // write is this end's body, not streaming.
    const before = streamed;
    const out = (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    streamed = before;
    return out;
  } as ServerResponse['end'];
  return () => {
    res.writeHead = writeHead;
    res.write = write;
    res.end = end;
    if (streamed || body === null || status === 0) return null;
    return { status, headers, body, errorCode: errorCodeOf(res) };
  };
}
