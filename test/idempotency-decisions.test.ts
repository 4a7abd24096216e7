// IdempotencyStore's decisions, one by one, on real requests and responses:
// a real http.Server on 127.0.0.1 hands each request to store.perform with a
// `run` the test chooses (what it writes, whether it streams, fails or never
// answers) and a clock the test moves. Pinned here: which answers are kept and
// how they are replayed (headers kept and dropped, bytes), the 400/409/422/429
// refusals and their texts, case-insensitive keys, expiry at exactly the
// lifetime, eviction order, the byte accounting at the exact maxBytes
// boundary, and clear(). The full handler is used where the route matters.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpStatusError } from '../lib/http/protocol/http-error';
import { IdempotencyStore, isoDuration, type IdempotencyOptions, type RequestIdentity } from '../lib/http/guards/idempotency';
import type { RouteName } from '../lib/http/routing/router';
import { type Served, expectEnvelope, serve, until } from './http-support';

const KEY = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
let counter = 0;
/** A fresh, well-formed key per call (lower case). */
function newKey(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

/** What a route does with the response; resolves when it is done (as the handler's run does). */
type Run = (res: ServerResponse, req: IncomingMessage) => Promise<void>;

interface Harness {
  store: IdempotencyStore;
  origin: string;
  /** The clock the store reads (ms); tests move it. */
  clock: { now: number };
  /** The run the next requests get. */
  route: Run;
  /** How many times a run was started. */
  runs: number;
  /** Every refusal `fail` was given, in order. */
  failures: HttpStatusError[];
  close(): Promise<void>;
}

/**
 * A real server whose every request goes through store.perform. The request
 * names its identity in test headers: x-route (RouteMatch name, default
 * boxes), x-prefix, x-principal; the path after /v1/ and the query are the
 * URL's; the body is the parsed JSON sent, if any.
 */
async function harness(options: Partial<IdempotencyOptions> = {}): Promise<Harness> {
  const h = {
    clock: { now: 1_000_000 },
    route: (async (res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); }) as Run,
    runs: 0,
    failures: [] as HttpStatusError[],
  } as Harness;
  h.store = new IdempotencyStore({
    lifetimeMs: 60_000, maxEntries: 100, maxBytes: 1 << 20, now: () => h.clock.now, ...options,
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      const id: RequestIdentity = {
        req,
        match: { name: (req.headers['x-route'] ?? 'boxes') as RouteName, prefix: String(req.headers['x-prefix'] ?? '') },
        principal: { sub: String(req.headers['x-principal'] ?? 'p') },
        afterV1: url.pathname.replace(/^\/v1\//, ''),
        query: url.search.slice(1),
        body: text === '' ? undefined : JSON.parse(text),
      };
      const run = h.route;
      h.store.perform(id, res, () => { h.runs++; return run(res, req); }, (err) => {
        const e = err as HttpStatusError;
        h.failures.push(e);
        res.writeHead(e.status, { ...e.headers, 'Content-Type': 'text/plain' });
        res.end(e.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return h;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header names and values as received, in order. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

interface Send {
  method?: string;
  path?: string;
  /** One Idempotency-Key header line per element. */
  key?: string | string[];
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request on a fresh connection; the body is the whole answer, byte for byte. */
function send(origin: string, s: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { Connection: 'close', ...s.headers };
    if (s.key !== undefined) headers['Idempotency-Key'] = s.key;
    const body = s.body === undefined ? undefined : JSON.stringify(s.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const req = http.request(`${origin}${s.path ?? '/v1/boxes'}`, { method: s.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A run that holds until released, then answers `status` with `body`. */
function gated(status = 201, body = 'done'): { run: Run; started: Promise<void>; release: () => void } {
  let release!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const started = new Promise<void>((resolve) => { markStarted = resolve; });
  return {
    started, release,
    run: async (res) => {
      markStarted();
      await gate;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(body);
    },
  };
}

/** The names of a reply's headers, lower case, as many times as received. */
function headerNames(r: Reply): string[] {
  return r.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

/** No key held and no byte charged. */
function expectNothingKept(store: IdempotencyStore): void {
  expect(store.size).toBe(0);
  expect(store.bytes).toBe(0);
}

/** Lets the settle after a finished run happen (it runs on the run's promise). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('what is kept and how it is replayed', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness(); });
  afterAll(async () => { await h.close(); });
  afterEach(() => { h.store.clear(); });

  it('a string answer is replayed byte for byte with Idempotent-Replayed and its own Content-Length', async () => {
    h.route = async (res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1', Location: '/v1/boxes/b1' });
      res.end('{"box_id":"b1","note":"é ✓"}');
    };
    const key = newKey();
    const runsBefore = h.runs;
    const first = await send(h.origin, { key, body: { a: 1 } });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await settled();
    const again = await send(h.origin, { key, body: { a: 1 } });
    expect(again.status).toBe(201);
    expect(again.body.equals(first.body)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-length']).toBe(String(first.body.length)); // bytes, not characters
    expect(again.headers['content-type']).toBe('application/json');
    expect(again.headers['x-request-id']).toBe('req-1');
    expect(again.headers.location).toBe('/v1/boxes/b1');
    expect(h.runs - runsBefore).toBe(1); // one run for two requests
  });

  it('a Buffer answer (any bytes) is replayed byte for byte', async () => {
    const bytes = Buffer.from([0, 255, 254, 10, 13, 0x80, 0xc3]);
    h.route = async (res) => { res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); res.end(bytes); };
    const key = newKey();
    await send(h.origin, { key });
    await settled();
    const again = await send(h.origin, { key });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.equals(bytes)).toBe(true);
  });

  it('an answer without a body or without headers is kept: writeHead(204) then end()', async () => {
    let runs = 0;
    h.route = async (res) => { runs++; res.writeHead(204); res.end(); };
    const key = newKey();
    expect((await send(h.origin, { key })).status).toBe(204);
    await settled();
    const again = await send(h.origin, { key });
    expect(again.status).toBe(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.length).toBe(0);
    expect(runs).toBe(1);
  });

  it('drops hop-by-hop and length headers in any case, keeps the others as written', async () => {
    h.route = async (res) => {
      res.writeHead(200, {
        'Content-Type': 'text/plain', 'X-Kept': 'yes', 'x-lower': 'kept too',
        CONNECTION: 'keep-alive', 'Keep-Alive': 'timeout=99', 'content-LENGTH': '2',
      });
      res.end('ok');
    };
    const key = newKey();
    await send(h.origin, { key });
    await settled();
    const again = await send(h.origin, { key });
    expect(again.text).toBe('ok');
    expect(again.headers['x-kept']).toBe('yes');
    expect(again.headers['x-lower']).toBe('kept too');
    // The replay's own connection handling (the client asked to close), one Content-Length, no Keep-Alive.
    expect(again.headers.connection).toBe('close');
    expect(again.headers['keep-alive']).toBeUndefined();
    expect(headerNames(again).filter((n) => n === 'content-length')).toEqual(['content-length']);
    expect(again.headers['content-length']).toBe('2');
  });

  it('drops Transfer-Encoding: a chunked first answer replays with a Content-Length', async () => {
    h.route = async (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.end('chunked body');
    };
    const key = newKey();
    const first = await send(h.origin, { key });
    expect(first.headers['transfer-encoding']).toBe('chunked');
    await settled();
    const again = await send(h.origin, { key });
    expect(again.text).toBe('chunked body');
    expect(again.headers['transfer-encoding']).toBeUndefined();
    expect(again.headers['content-length']).toBe('12');
  });

  it('repeated header values (an array) are kept and replayed as separate lines', async () => {
    h.route = async (res) => { res.writeHead(200, { 'Set-Cookie': ['a=1', 'b=2'] }); res.end('c'); };
    const key = newKey();
    await send(h.origin, { key });
    await settled();
    const again = await send(h.origin, { key });
    expect(again.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('error answers are kept; 429 and 503 are not (the operation never ran), so their keys run again', async () => {
    for (const [status, kept] of [[404, true], [500, true], [409, true], [429, false], [503, false]] as const) {
      let runs = 0;
      h.route = async (res) => { runs++; res.writeHead(status, { 'Retry-After': '1' }); res.end(`status ${status}`); };
      const key = newKey();
      expect((await send(h.origin, { key })).status).toBe(status);
      await settled();
      expect(h.store.size, `${status}`).toBe(kept ? 1 : 0);
      const again = await send(h.origin, { key });
      expect(again.status).toBe(status);
      expect(again.headers['idempotent-replayed'], `${status}`).toBe(kept ? 'true' : undefined);
      expect(runs, `${status}`).toBe(kept ? 1 : 2);
      h.store.clear();
    }
  });

  it('a streamed answer (write() before end) is not kept: the retry runs again', async () => {
    let runs = 0;
    h.route = async (res) => { runs++; res.writeHead(200, { 'Content-Type': 'text/plain' }); res.write('part 1, '); res.end('part 2'); };
    const key = newKey();
    expect((await send(h.origin, { key })).text).toBe('part 1, part 2');
    await settled();
    expectNothingKept(h.store);
    const again = await send(h.origin, { key });
    expect(again.text).toBe('part 1, part 2');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
  });

  it('an answer ended with a chunk that is neither string nor Buffer (a Uint8Array) is not kept', async () => {
    let runs = 0;
    h.route = async (res) => { runs++; res.writeHead(200, {}); res.end(new Uint8Array([104, 105])); };
    const key = newKey();
    expect((await send(h.origin, { key })).text).toBe('hi');
    await settled();
    await send(h.origin, { key });
    expect(runs).toBe(2);
  });

  it('an answer whose head Node writes itself (end() without writeHead) is kept with its status and body', async () => {
    let runs = 0;
    h.route = async (res) => { runs++; res.statusCode = 202; res.end('implicit'); };
    const key = newKey();
    expect((await send(h.origin, { key })).status).toBe(202);
    await settled();
    const again = await send(h.origin, { key });
    expect(again.status).toBe(202);
    expect(again.text).toBe('implicit');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });

  it('a body ended after the client left, with no head ever written, is not kept (there is no status to replay)', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let closed!: Promise<void>;
    h.route = async (res) => {
      runs++;
      closed = new Promise((resolve) => res.once('close', () => resolve()));
      await gate;
      res.end('nobody reads this'); // the response is destroyed: Node writes no head
    };
    const key = newKey();
    const abandoned = http.request(`${h.origin}/v1/boxes`, { method: 'POST', agent: false, headers: { 'Idempotency-Key': key } });
    abandoned.on('error', () => undefined); // the reset we cause
    abandoned.end();
    await until(() => runs === 1, 10_000, 'the run to start');
    abandoned.destroy();
    await closed;
    release();
    await settled();
    expectNothingKept(h.store);
    h.route = async (res) => { runs++; res.writeHead(201, {}); res.end('second run'); };
    const again = await send(h.origin, { key });
    expect(again.status).toBe(201);
    expect(again.text).toBe('second run');
    expect(runs).toBe(2);
  });

  it('an answer not finished when the run settles is not kept (and is still delivered)', async () => {
    let runs = 0;
    h.route = async (res) => {
      runs++;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      setImmediate(() => res.end('late end'));
    };
    const key = newKey();
    expect((await send(h.origin, { key })).text).toBe('late end');
    expectNothingKept(h.store);
    expect((await send(h.origin, { key })).headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
  });

  it('a run that rejects before answering releases its key; what it writes afterwards is not captured', async () => {
    let runs = 0;
    h.route = async (res) => {
      runs++;
      setImmediate(() => { res.writeHead(500, { 'Content-Type': 'text/plain' }); res.end('answered after the failure'); });
      throw new Error('boom');
    };
    const key = newKey();
    expect((await send(h.origin, { key })).status).toBe(500);
    expectNothingKept(h.store);
    expect((await send(h.origin, { key })).headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
  });

  it('after a writeHead Node refuses (bad header value), what was really sent is kept, not the refused head', async () => {
    let runs = 0;
    h.route = async (res) => {
      runs++;
      try {
        res.writeHead(201, { 'X-Bad': 'line\nbreak' });
      } catch {
        res.statusCode = 500;
        res.end('refused header');
        return;
      }
      res.end('not reached');
    };
    const key = newKey();
    const first = await send(h.origin, { key });
    expect(first.status).toBe(500);
    expect(first.text).toBe('refused header');
    await settled();
    const again = await send(h.origin, { key });
    expect(again.status).toBe(500);
    expect(again.text).toBe('refused header');
    expect(again.headers['x-bad']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });
});

describe('refusals', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness({ maxEntries: 2 }); });
  afterAll(async () => { await h.close(); });
  afterEach(() => { h.store.clear(); h.failures.length = 0; });

  it('a key that is not a UUID answers 400 naming at most its first 64 characters', async () => {
    const long = 'k'.repeat(64) + 'TAIL';
    const r = await send(h.origin, { key: long });
    expect(r.status).toBe(400);
    expect(r.text).toBe(`invalid argument: Idempotency-Key must be a UUID (8-4-4-4-12 hex digits), got "${'k'.repeat(64)}"`);
    for (const bad of ['', 'abc', `${KEY}0`, KEY.replace(/-/g, ''), `{${KEY}}`, `${KEY.slice(0, -1)}g`]) {
      expect((await send(h.origin, { key: bad })).status, bad).toBe(400);
    }
    expect(h.runs).toBe(0);
    expect(h.store.size).toBe(0);
  });

  it('two Idempotency-Key header lines answer 400, even when both are the same valid key', async () => {
    const r = await send(h.origin, { key: [KEY, KEY] });
    expect(r.status).toBe(400);
    expect(r.text).toContain(`got "${`${KEY}, ${KEY}`.slice(0, 64)}"`);
    expect((await send(h.origin, { key: [KEY, newKey()] })).status).toBe(400);
    expect(h.runs).toBe(0);
  });

  it('an array of keys (as some frameworks give req.headers) is joined like Node joins them: 400', () => {
    const store = new IdempotencyStore({ lifetimeMs: 1000, maxEntries: 10, maxBytes: 1 << 20 });
    const failures: HttpStatusError[] = [];
    let runs = 0;
    const req = { method: 'POST', headers: { 'idempotency-key': [KEY, KEY] } } as unknown as IncomingMessage;
    store.perform({ req, match: { name: 'boxes', prefix: '' }, principal: 'p', afterV1: 'boxes', query: '', body: {} },
      {} as ServerResponse, async () => { runs++; }, (err) => failures.push(err as HttpStatusError));
    expect(runs).toBe(0);
    expect(failures).toHaveLength(1);
    expect(failures[0].status).toBe(400);
    expect(failures[0].message).toContain(`got "${`${KEY}, ${KEY}`.slice(0, 64)}"`);
  });

  it('a key in upper case is the same key: it replays the lower-case one', async () => {
    h.route = async (res) => { res.writeHead(201, {}); res.end(`run ${h.runs}`); };
    const first = await send(h.origin, { key: KEY });
    await settled();
    const again = await send(h.origin, { key: KEY.toUpperCase() });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it('the same key for another request answers 422 and keeps the first answer', async () => {
    h.route = async (res) => { res.writeHead(201, {}); res.end('first'); };
    const key = newKey();
    await send(h.origin, { key, body: { cpus: 1, image: 'a' } });
    await settled();
    const others: Send[] = [
      { key, body: { cpus: 2, image: 'a' } },
      { key, path: '/v1/boxes?x=1', body: { cpus: 1, image: 'a' } },
      { key, path: '/v1/other', body: { cpus: 1, image: 'a' } },
      { key }, // no body at all
    ];
    for (const other of others) {
      const r = await send(h.origin, other);
      expect(r.status, JSON.stringify(other)).toBe(422);
      expect(r.text).toBe('invalid argument: this Idempotency-Key was already used for a different request '
        + '(method, path, query or body); use a new key for a new request');
    }
    expect(h.failures.every((f) => f.headers === undefined)).toBe(true);
    // Key order and spacing do not matter: the same request.
    const same = await send(h.origin, { key, body: { image: 'a', cpus: 1 } });
    expect(same.headers['idempotent-replayed']).toBe('true');
    expect(same.text).toBe('first');
    expect(h.store.size).toBe(1);
  });

  it('the same key while the first request runs answers 409 with Retry-After: 1', async () => {
    const g = gated(201, 'finished');
    h.route = g.run;
    const key = newKey();
    const first = send(h.origin, { key });
    await g.started;
    const busy = await send(h.origin, { key });
    expect(busy.status).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.text).toBe('invalid state: a request with this Idempotency-Key is still in progress; retry later');
    expect(h.failures.at(-1)?.headers).toEqual({ 'Retry-After': '1' });
    g.release();
    expect((await first).text).toBe('finished');
    await settled();
    expect((await send(h.origin, { key })).headers['idempotent-replayed']).toBe('true');
  });

  it('a new key when every slot holds a running request answers 429 with Retry-After: 1', async () => {
    const a = gated();
    const b = gated();
    h.route = a.run;
    const first = send(h.origin, { key: newKey() });
    await a.started;
    h.route = b.run;
    const second = send(h.origin, { key: newKey() });
    await b.started;
    const full = await send(h.origin, { key: newKey() });
    expect(full.status).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    expect(full.text).toBe('resource exhausted: too many Idempotency-Key requests in progress; retry later');
    expect(h.failures.at(-1)?.headers).toEqual({ 'Retry-After': '1' });
    expect(h.store.size).toBe(2);
    a.release();
    b.release();
    await Promise.all([first, second]);
    await settled();
    // Both answered now: a new key evicts the oldest and runs.
    h.route = async (res) => { res.writeHead(200, {}); res.end('third'); };
    expect((await send(h.origin, { key: newKey() })).text).toBe('third');
  });

  it('the key is looked at only on the operations the document marks with it', async () => {
    h.route = async (res) => { res.writeHead(200, {}); res.end('ran'); };
    const marked: Array<[RouteName, string]> = [
      ['boxes', 'POST'], ['box', 'DELETE'], ['box.start', 'POST'], ['box.stop', 'POST'], ['box.exec', 'POST'], ['execution.signal', 'POST'],
    ];
    for (const [route, method] of marked) {
      const r = await send(h.origin, { method, key: 'not-a-uuid', headers: { 'x-route': route } });
      expect(r.status, `${route} ${method}`).toBe(400);
    }
    const unmarked: Array<[RouteName, string]> = [
      ['boxes', 'GET'], ['box', 'GET'], ['box', 'POST'], ['box.start', 'DELETE'], ['box.exec', 'GET'], ['execution', 'GET'],
      ['execution', 'DELETE'], ['execution.signal', 'GET'], ['config', 'GET'], ['metrics', 'GET'],
    ];
    for (const [route, method] of unmarked) {
      const r = await send(h.origin, { method, key: 'not-a-uuid', headers: { 'x-route': route } });
      expect(r.status, `${route} ${method}`).toBe(200);
    }
    // Neither is a valid key kept on an unmarked pair: the same request runs again.
    const runsBefore = h.runs;
    for (let i = 0; i < 2; i++) await send(h.origin, { method: 'GET', key: KEY, headers: { 'x-route': 'box' } });
    expect(h.runs - runsBefore).toBe(2);
    expect(h.store.size).toBe(0);
    // A marked pair without the header just runs, keeps nothing.
    await send(h.origin, {});
    await send(h.origin, {});
    expect(h.runs - runsBefore).toBe(4);
    expect(h.store.size).toBe(0);
  });

  it('a request double without a method is on no marked pair', () => {
    const store = new IdempotencyStore({ lifetimeMs: 1000, maxEntries: 10, maxBytes: 1 << 20 });
    let runs = 0;
    const req = { headers: { 'idempotency-key': 'not-a-uuid' } } as unknown as IncomingMessage;
    store.perform({ req, match: { name: 'boxes', prefix: '' }, principal: 'p', afterV1: 'boxes', query: '', body: undefined },
      {} as ServerResponse, async () => { runs++; }, () => { throw new Error('refused'); });
    expect(runs).toBe(1);
  });

  it('when a middleware deleted the parsed header, the key the client sent still decides', () => {
    const store = new IdempotencyStore({ lifetimeMs: 1000, maxEntries: 10, maxBytes: 1 << 20 });
    const failures: HttpStatusError[] = [];
    const req = { method: 'POST', rawHeaders: ['Idempotency-Key', 'nope'], headers: {} } as unknown as IncomingMessage;
    store.perform({ req, match: { name: 'boxes', prefix: '' }, principal: 'p', afterV1: 'boxes', query: '', body: undefined },
      {} as ServerResponse, async () => undefined, (err) => failures.push(err as HttpStatusError));
    expect(failures.map((f) => f.message)).toEqual(['invalid argument: Idempotency-Key must be a UUID (8-4-4-4-12 hex digits), got "nope"']);
  });
});

describe('lifetime, eviction and byte bounds', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('a key is replayed until just before lifetimeMs and runs again at exactly lifetimeMs', async () => {
    h = await harness({ lifetimeMs: 5000 });
    h.route = async (res) => { res.writeHead(201, {}); res.end(`run ${h.runs}`); };
    const start = h.clock.now;
    expect((await send(h.origin, { key: KEY })).text).toBe('run 1');
    await settled();
    h.clock.now = start + 4999;
    expect((await send(h.origin, { key: KEY })).text).toBe('run 1');
    h.clock.now = start + 5000;
    const later = await send(h.origin, { key: KEY });
    expect(later.text).toBe('run 2');
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('expiry forgets answered keys oldest first, and a size and bytes that return to 0', async () => {
    h = await harness({ lifetimeMs: 1000 });
    h.route = async (res) => { res.writeHead(200, {}); res.end('x'); };
    await send(h.origin, { key: newKey() });
    h.clock.now += 500;
    const younger = newKey();
    await send(h.origin, { key: younger });
    await settled();
    expect(h.store.size).toBe(2);
    h.clock.now += 500; // the first is exactly a lifetime old, the second half of one
    h.route = async (res) => { res.writeHead(503, {}); res.end('refused'); }; // not kept: adds nothing
    await send(h.origin, { key: newKey() });
    await settled();
    expect(h.store.size).toBe(1);
    expect((await send(h.origin, { key: younger })).headers['idempotent-replayed']).toBe('true');
    h.clock.now += 500;
    await send(h.origin, { key: newKey() });
    await settled();
    expectNothingKept(h.store);
  });

  it('a running request keeps its key past the lifetime (409), until it settles', async () => {
    h = await harness({ lifetimeMs: 1000 });
    const g = gated(201, 'slow');
    h.route = g.run;
    const first = send(h.origin, { key: KEY });
    await g.started;
    h.clock.now += 10_000;
    h.route = async (res) => { res.writeHead(200, {}); res.end('other'); };
    await send(h.origin, { key: newKey() }); // sweeps
    expect((await send(h.origin, { key: KEY })).status).toBe(409);
    g.release();
    expect((await first).text).toBe('slow');
    await settled();
    // Kept for a lifetime from the key's first use, which is long past: it runs again.
    expect((await send(h.origin, { key: KEY })).text).toBe('other');
  });

  it('when full, the oldest answered key is evicted first and running keys never', async () => {
    h = await harness({ maxEntries: 3 });
    const answer = (text: string): Run => async (res) => { res.writeHead(200, {}); res.end(text); };
    const running = gated(201, 'running done');
    h.route = running.run;
    const pending = send(h.origin, { key: KEY }); // the oldest key, still running
    await running.started;
    const [a, b, c] = [newKey(), newKey(), newKey()];
    h.route = answer('a');
    await send(h.origin, { key: a });
    h.route = answer('b');
    await send(h.origin, { key: b });
    await settled();
    h.route = answer('c');
    await send(h.origin, { key: c }); // full: a (oldest answered) goes, the running one stays
    await settled();
    expect(h.store.size).toBe(3);
    expect((await send(h.origin, { key: KEY })).status).toBe(409);
    expect((await send(h.origin, { key: b })).text).toBe('b');
    expect((await send(h.origin, { key: c })).text).toBe('c');
    const runs = h.runs;
    h.route = answer('a again');
    expect((await send(h.origin, { key: a })).text).toBe('a again'); // evicted: runs again (and evicts b)
    expect(h.runs).toBe(runs + 1);
    await settled();
    h.route = answer('b again');
    expect((await send(h.origin, { key: b })).text).toBe('b again');
    running.release();
    await pending;
  });

  it('charges each key its scope length while running, then the body plus name + value + 4 per kept header', async () => {
    h = await harness();
    const g1 = gated();
    h.route = g1.run;
    const short = send(h.origin, { key: KEY, headers: { 'x-prefix': 'a' } });
    await g1.started;
    const oneKey = h.store.bytes;
    const g2 = gated();
    h.route = g2.run;
    const long = send(h.origin, { key: KEY, headers: { 'x-prefix': 'abcdef' } });
    await g2.started;
    expect(h.store.bytes - oneKey).toBe(oneKey + 'bcdef'.length);
    expect(oneKey).toBeGreaterThan(KEY.length); // the overhead of a key is charged too
    g1.release();
    g2.release();
    await Promise.all([short, long]);
    await settled();
    h.store.clear();
    expectNothingKept(h.store);

    const g3 = gated();
    h.route = g3.run;
    const pending = send(h.origin, { key: KEY, headers: { 'x-prefix': 'a' } });
    await g3.started;
    expect(h.store.bytes).toBe(oneKey);
    h.route = async (res) => {
      res.writeHead(200, { 'X-One': 'v', 'Set-Cookie': ['a=1', 'bb=2'], Connection: 'keep-alive', 'Content-Length': '3' });
      res.end('é!'); // 3 bytes
    };
    await send(h.origin, { key: newKey(), headers: { 'x-prefix': 'a' } });
    await settled();
    const kept = ('X-One'.length + 'v'.length + 4) + ('Set-Cookie'.length + 'a=1, bb=2'.length + 4);
    expect(h.store.bytes).toBe(2 * oneKey + 3 + kept);
    g3.release();
    await pending;
  });

  it('an answer that fits maxBytes exactly is kept; one byte more is not, and evicts nobody', async () => {
    // The exact charge of key + answer, measured on a store without a tight bound.
    h = await harness();
    const answer = (body: string): Run => async (res) => { res.writeHead(200, { 'X-H': 'v' }); res.end(body); };
    h.route = answer('small');
    await send(h.origin, { key: KEY });
    await settled();
    const small = h.store.bytes;
    h.store.clear();
    h.route = answer('a larger body');
    await send(h.origin, { key: KEY });
    await settled();
    const large = h.store.bytes;
    await h.close();

    // Exactly full with both: both kept.
    h = await harness({ maxBytes: small + large });
    h.route = answer('small');
    const k1 = newKey();
    await send(h.origin, { key: k1 });
    h.route = answer('a larger body');
    const k2 = newKey();
    await send(h.origin, { key: k2 });
    await settled();
    expect(h.store.size).toBe(2);
    expect(h.store.bytes).toBe(small + large);
    expect((await send(h.origin, { key: k1 })).text).toBe('small');
    expect((await send(h.origin, { key: k2 })).text).toBe('a larger body');
    await h.close();

    // The large answer alone exactly fits; a small one first is evicted to make room.
    h = await harness({ maxBytes: large });
    h.route = answer('small');
    await send(h.origin, { key: k1 });
    h.route = answer('a larger body');
    await send(h.origin, { key: k2 });
    await settled();
    expect(h.store.size).toBe(1);
    expect(h.store.bytes).toBe(large);
    expect((await send(h.origin, { key: k2 })).headers['idempotent-replayed']).toBe('true');
    await h.close();

    // One byte short for the large answer: it is not kept, and the small one kept before it stays.
    h = await harness({ maxBytes: large - 1 });
    h.route = answer('small');
    await send(h.origin, { key: k1 });
    h.route = answer('a larger body');
    await send(h.origin, { key: k2 });
    await settled();
    expect(h.store.size).toBe(1);
    expect(h.store.bytes).toBe(small);
    expect((await send(h.origin, { key: k1 })).text).toBe('small');
    const again = await send(h.origin, { key: k2 });
    expect(again.text).toBe('a larger body');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('clear() forgets every key and the bytes; a request that settles after it keeps nothing', async () => {
    h = await harness();
    h.route = async (res) => { res.writeHead(200, {}); res.end(`run ${h.runs}`); };
    await send(h.origin, { key: KEY });
    const g = gated(201, 'after clear');
    h.route = g.run;
    const pending = send(h.origin, { key: newKey() });
    await g.started;
    await settled();
    expect(h.store.size).toBe(2);
    h.store.clear();
    expectNothingKept(h.store);
    g.release();
    expect((await pending).text).toBe('after clear');
    await settled();
    expectNothingKept(h.store);
    h.route = async (res) => { res.writeHead(200, {}); res.end(`run ${h.runs}`); };
    expect((await send(h.origin, { key: KEY })).text).toBe('run 3'); // forgotten: runs again
  });

  it('a request cleared away while running does not remove the new request that took its key', async () => {
    h = await harness();
    const old = gated(201, 'old');
    h.route = old.run;
    const oldPending = send(h.origin, { key: KEY });
    await old.started;
    h.store.clear();
    const fresh = gated(201, 'fresh');
    h.route = fresh.run;
    const freshPending = send(h.origin, { key: KEY });
    await fresh.started;
    const charged = h.store.bytes;
    old.release();
    await oldPending;
    await settled();
    // The fresh request is still the key's owner: still running, still charged once.
    expect(h.store.size).toBe(1);
    expect(h.store.bytes).toBe(charged);
    expect((await send(h.origin, { key: KEY })).status).toBe(409);
    fresh.release();
    await freshPending;
    await settled();
    expect((await send(h.origin, { key: KEY })).text).toBe('fresh');
  });
});

describe('on the full handler', () => {
  let s: Served;
  beforeAll(async () => { s = await serve(); });
  afterAll(async () => { await s.close(); });

  it('two Idempotency-Key header lines on a create answer 400 and create nothing', async () => {
    const r = await send(s.origin, { key: [KEY, KEY], body: {} });
    const json = JSON.parse(r.text);
    expectEnvelope({ status: r.status, headers: r.headers, text: r.text, json }, 400, 'invalid_argument');
    expect(json.error.message).toContain('Idempotency-Key must be a UUID');
    const list = await send(s.origin, { method: 'GET', path: '/v1/boxes' });
    expect(JSON.parse(list.text).boxes).toHaveLength(0);
  });

  it('a marked route with a key in upper case replays the lower-case one (same box, no second create)', async () => {
    const key = newKey();
    const first = await send(s.origin, { key, body: { cpus: 1 } });
    expect(first.status).toBe(201);
    const again = await send(s.origin, { key: key.toUpperCase(), body: { cpus: 1 } });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    const list = await send(s.origin, { method: 'GET', path: '/v1/boxes' });
    expect(JSON.parse(list.text).boxes).toHaveLength(1);
  });
});

describe('isoDuration', () => {
  it('writes hours, minutes and seconds, leaving out zero parts', () => {
    expect(isoDuration(86_400_000)).toBe('PT24H');
    expect(isoDuration(90_500)).toBe('PT1M30.5S');
    expect(isoDuration(3_600_000 + 60_000)).toBe('PT1H1M');
    expect(isoDuration(3_600_000 + 1000)).toBe('PT1H1S');
    expect(isoDuration(59_999)).toBe('PT59.999S');
    expect(isoDuration(1)).toBe('PT0.001S');
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(-5)).toBe('PT0S');
    expect(isoDuration(1.6)).toBe('PT0.002S');
  });
});
