// Idempotency-Key over real HTTP on the test engine: replays of create,
// delete, start, stop, exec and signal answer the first answer without
// running the operation again; a reused key with another request answers 422,
// a key still running 409, a malformed key 400; keys are scoped per caller and
// prefix, expire, and the store stays within its bounds.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuth } from '../lib/http';
import { IdempotencyStore, isoDuration } from '../lib/http/guards/idempotency';
import type { Runtime } from '../lib/runtime/runtime-types';
import { type Served, createBox, expectEnvelope, postJson, request, serve, sleep, until } from './http-support';

const KEY = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
let counter = 0;
/** A fresh, well-formed key per call. */
function newKey(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

async function boxCount(origin: string, headers: Record<string, string> = {}): Promise<number> {
  const a = await request(`${origin}/v1/boxes?pageSize=1000`, { headers });
  expect(a.status).toBe(200);
  return a.json.boxes.length;
}

describe('replays', () => {
  let s: Served;
  beforeAll(async () => { s = await serve(); });
  afterAll(async () => { await s.close(); });

  it('create: the retry answers the first 201 (same box, Location, request id) and creates nothing', async () => {
    const before = await boxCount(s.origin);
    const key = newKey();
    const first = await postJson(`${s.origin}/v1/boxes`, { image: 'alpine:latest', cpus: 1 }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Same body in another key order and spacing: the same request.
    const again = await request(`${s.origin}/v1/boxes`, {
      method: 'POST', body: '{ "cpus": 1,\n "image": "alpine:latest" }', headers: { 'Idempotency-Key': key.toUpperCase() },
    });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['x-request-id']).toBe(first.headers['x-request-id']);
    expect(again.headers['content-type']).toBe('application/json');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await boxCount(s.origin)).toBe(before + 1);
    // Without a key, the same body is a new request.
    expect((await postJson(`${s.origin}/v1/boxes`, { image: 'alpine:latest', cpus: 1 })).status).toBe(201);
    expect(await boxCount(s.origin)).toBe(before + 2);
  });

  it('a named create retried is replayed, not refused as a duplicate name', async () => {
    const key = newKey();
    const first = await postJson(`${s.origin}/v1/boxes`, { name: 'idem-named' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const again = await postJson(`${s.origin}/v1/boxes`, { name: 'idem-named' }, { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(again.json.box_id).toBe(first.json.box_id);
    // Without a key it runs again: a duplicate name, which BoxLite 0.9.7 reports as InvalidArgument (400).
    expectEnvelope(await postJson(`${s.origin}/v1/boxes`, { name: 'idem-named' }), 400, 'invalid_argument');
  });

  it('the same key with another body, path or method answers 422, and keeps the first answer', async () => {
    const key = newKey();
    const first = await postJson(`${s.origin}/v1/boxes`, { cpus: 1 }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const before = await boxCount(s.origin);
    expectEnvelope(await postJson(`${s.origin}/v1/boxes`, { cpus: 2 }, { 'Idempotency-Key': key }), 422, 'invalid_argument');
    expectEnvelope(await postJson(`${s.origin}/v1/boxes/${first.json.box_id}/start`, {}, { 'Idempotency-Key': key }), 422, 'invalid_argument');
    expectEnvelope(await request(`${s.origin}/v1/boxes/${first.json.box_id}`, { method: 'DELETE', headers: { 'Idempotency-Key': key } }), 422, 'invalid_argument');
    expect(await boxCount(s.origin)).toBe(before);
    expect((await postJson(`${s.origin}/v1/boxes`, { cpus: 1 }, { 'Idempotency-Key': key })).json.box_id).toBe(first.json.box_id);
  });

  it('a malformed key answers 400 before any work', async () => {
    const before = await boxCount(s.origin);
    for (const bad of ['', 'abc', `${KEY}0`, KEY.replace(/-/g, ''), `{${KEY}}`, 'g'.repeat(8) + KEY.slice(8), `${KEY}, ${KEY}`]) {
      const a = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': bad });
      expect(expectEnvelope(a, 400, 'invalid_argument').message, bad).toContain('Idempotency-Key must be a UUID');
    }
    expect(await boxCount(s.origin)).toBe(before);
    // Not a marked operation: the header is not looked at.
    expect((await request(`${s.origin}/v1/boxes`, { headers: { 'Idempotency-Key': 'abc' } })).status).toBe(200);
  });

  it('exec: the retry answers the same execution_id and starts no second process', async () => {
    const box = await createBox(s.origin);
    const commands = async () => (await request(`${s.origin}/v1/metrics`)).json.total_commands_executed as number;
    const before = await commands();
    const key = newKey();
    const body = { command: 'sh', args: ['-c', 'echo once'] };
    const first = await postJson(`${s.origin}/v1/boxes/${box}/exec`, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const again = await postJson(`${s.origin}/v1/boxes/${box}/exec`, body, { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(again.json.execution_id).toBe(first.json.execution_id);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await commands()).toBe(before + 1);
    expect(s.handler.activeExecutions).toBeGreaterThanOrEqual(1);
  });

  it('start, stop, signal and delete replay their first answers', async () => {
    const box = await createBox(s.origin);
    const startKey = newKey();
    const started = await postJson(`${s.origin}/v1/boxes/${box}/start`, {}, { 'Idempotency-Key': startKey });
    expect(started.status).toBe(200);
    expect((await postJson(`${s.origin}/v1/boxes/${box}/start`, {}, { 'Idempotency-Key': startKey })).text).toBe(started.text);

    const exec = await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'sleep', args: ['30'] });
    const execId = exec.json.execution_id;
    const sigKey = newKey();
    const signalUrl = `${s.origin}/v1/boxes/${box}/executions/${execId}/signal`;
    expect((await postJson(signalUrl, { signal: 15 }, { 'Idempotency-Key': sigKey })).status).toBe(204);
    await until(async () => (await request(`${s.origin}/v1/boxes/${box}/executions/${execId}`)).json.status !== 'running', 10_000, 'exit');
    // The process is gone: a new signal is refused, the retried one is answered as the first time.
    expectEnvelope(await postJson(signalUrl, { signal: 15 }), 409, 'invalid_state');
    const replayed = await postJson(signalUrl, { signal: 15 }, { 'Idempotency-Key': sigKey });
    expect(replayed.status).toBe(204);
    expect(replayed.headers['idempotent-replayed']).toBe('true');

    const stopKey = newKey();
    const stopped = await postJson(`${s.origin}/v1/boxes/${box}/stop`, { timeout_seconds: 1 }, { 'Idempotency-Key': stopKey });
    expect(stopped.status).toBe(200);
    const stoppedAgain = await postJson(`${s.origin}/v1/boxes/${box}/stop`, { timeout_seconds: 1 }, { 'Idempotency-Key': stopKey });
    expect(stoppedAgain.text).toBe(stopped.text);

    const delKey = newKey();
    const del = () => request(`${s.origin}/v1/boxes/${box}?force=true`, { method: 'DELETE', headers: { 'Idempotency-Key': delKey } });
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(204); // not 404: the retry is told what the first call did
    expectEnvelope(await request(`${s.origin}/v1/boxes/${box}?force=true`, { method: 'DELETE' }), 404, 'not_found');
    // The query is part of the request: the same key without ?force is another request.
    expectEnvelope(await request(`${s.origin}/v1/boxes/${box}`, { method: 'DELETE', headers: { 'Idempotency-Key': delKey } }), 422, 'invalid_argument');
  });

  it('error answers are kept too (a retried 404 stays 404 even once the box exists)', async () => {
    const key = newKey();
    const name = `idem-late-${counter}`;
    expectEnvelope(await postJson(`${s.origin}/v1/boxes/${name}/start`, {}, { 'Idempotency-Key': key }), 404, 'not_found');
    await createBox(s.origin, { name });
    const again = await postJson(`${s.origin}/v1/boxes/${name}/start`, {}, { 'Idempotency-Key': key });
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('GET /v1/config reports the lifetime as an ISO 8601 duration', async () => {
    expect((await request(`${s.origin}/v1/config`)).json.capabilities.idempotency_key_lifetime).toBe('PT24H');
  });
});

describe('scope, expiry and in-flight keys', () => {
  it('keys are per caller and per prefix', async () => {
    const alice = bearerTokenAuth('alice-token', { principal: { sub: 'alice' } });
    const bob = bearerTokenAuth('bob-token', { principal: { sub: 'bob' } });
    const s = await serve({ handler: { pathPrefix: ['a', 'b'], authenticate: (req) => alice(req) ?? bob(req) } });
    try {
      const as = (who: string) => ({ Authorization: `Bearer ${who}-token`, 'Idempotency-Key': KEY });
      const ids = new Set<string>();
      for (const [who, prefix] of [['alice', 'a'], ['bob', 'a'], ['alice', 'b']]) {
        const a = await postJson(`${s.origin}/v1/${prefix}/boxes`, {}, as(who));
        expect(a.status, `${who} ${prefix}`).toBe(201);
        expect(a.headers['idempotent-replayed']).toBeUndefined();
        ids.add(a.json.box_id);
      }
      expect(ids.size).toBe(3);
      expect((await postJson(`${s.origin}/v1/a/boxes`, {}, as('bob'))).headers['idempotent-replayed']).toBe('true');
    } finally {
      await s.close();
    }
  });

  it('a key expires after its lifetime and then runs again', async () => {
    const s = await serve({ handler: { idempotencyKeyLifetimeMs: 150 } });
    try {
      expect((await request(`${s.origin}/v1/config`)).json.capabilities.idempotency_key_lifetime).toBe('PT0.15S');
      const first = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': KEY });
      await sleep(400); // only ever longer than the lifetime: no speed assumption
      const later = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': KEY });
      expect(later.status).toBe(201);
      expect(later.json.box_id).not.toBe(first.json.box_id);
    } finally {
      await s.close();
    }
  });

  it('a key still running answers 409 with Retry-After; a full store of running keys answers 429', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let held = 0;
    const base = await serve();
    const real = base.t.runtime;
    // The engine answers at once; this wrapper holds createBox so the key stays in flight.
    const slow = new Proxy(real, {
      get(target, prop) {
        if (prop === 'createBox') {
          return async (options: Parameters<Runtime['createBox']>[0]) => { held++; await gate; return target.createBox(options); };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Runtime;
    const s = await serve({ t: base.t, runtime: slow, handler: { maxIdempotencyKeys: 1 } });
    try {
      const first = postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': KEY });
      await until(() => held === 1, 10_000, 'the first create to reach the runtime');
      const busy = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': KEY });
      expectEnvelope(busy, 409, 'invalid_state');
      expect(busy.headers['retry-after']).toBe('1');
      const full = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': newKey() });
      expectEnvelope(full, 429, 'resource_exhausted');
      expect(full.headers['retry-after']).toBeDefined();
      release();
      const done = await first;
      expect(done.status).toBe(201);
      const again = await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': KEY });
      expect(again.json.box_id).toBe(done.json.box_id);
      // Completed answers are evicted (oldest first) to make room: the new key now runs.
      expect((await postJson(`${s.origin}/v1/boxes`, {}, { 'Idempotency-Key': newKey() })).status).toBe(201);
      expect(held).toBe(2); // the 409, the 429 and the replay never reached the runtime
    } finally {
      release();
      await s.close();
      await base.close();
    }
  });
});

describe('IdempotencyStore bounds', () => {
  /** The smallest response double perform() writes to: writeHead + end. */
  function fakeResponse(): ServerResponse & { status: number; body: string } {
    const r = {
      status: 0, body: '',
      writeHead(code: number) { r.status = code; return r; },
      write() { return true; },
      end(chunk?: string | Buffer) { r.body = chunk === undefined ? '' : String(chunk); return r; },
    };
    return r as unknown as ServerResponse & { status: number; body: string };
  }
  function fakeRequest(key: string, principal = 'p') {
    return {
      req: { method: 'POST', headers: { 'idempotency-key': key } } as never,
      match: { name: 'boxes' as const, prefix: '' },
      principal: { sub: principal }, afterV1: 'boxes', query: '', body: {},
    };
  }

  it('never holds more than maxEntries keys or maxBytes of answers, evicting the oldest answers', async () => {
    const store = new IdempotencyStore({ lifetimeMs: 3_600_000, maxEntries: 100, maxBytes: 64 * 1024 });
    const payload = 'x'.repeat(1000);
    let runs = 0;
    for (let i = 0; i < 5000; i++) {
      const res = fakeResponse();
      await new Promise<void>((resolve) => store.perform(fakeRequest(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`), res, async () => {
        runs++;
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ payload, i }));
        queueMicrotask(resolve);
      }, () => resolve()));
      expect(store.size).toBeLessThanOrEqual(100);
      expect(store.bytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect(runs).toBe(5000);
    expect(store.size).toBeGreaterThan(10); // bounded, yet still keeping recent answers
    // The newest key is still replayed; the oldest was evicted and would run again.
    const replay = fakeResponse();
    store.perform(fakeRequest('00000000-0000-4000-8000-000000001387'), replay, async () => { runs++; }, () => undefined);
    expect(replay.status).toBe(201);
    expect(JSON.parse(replay.body).i).toBe(4999);
    expect(runs).toBe(5000);
    store.perform(fakeRequest('00000000-0000-4000-8000-000000000000'), fakeResponse(), async () => { runs++; }, () => undefined);
    expect(runs).toBe(5001);
  });

  it('an answer larger than maxBytes is not kept (the key runs again)', async () => {
    const store = new IdempotencyStore({ lifetimeMs: 3_600_000, maxEntries: 10, maxBytes: 2048 });
    let runs = 0;
    const once = () => new Promise<void>((resolve) => {
      const res = fakeResponse();
      store.perform(fakeRequest(KEY), res, async () => {
        runs++;
        res.writeHead(200, {});
        res.end('y'.repeat(4096));
      }, () => undefined);
      setImmediate(resolve);
    });
    await once();
    await once();
    expect(runs).toBe(2);
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('formats lifetimes as ISO 8601 durations', () => {
    expect(isoDuration(86_400_000)).toBe('PT24H');
    expect(isoDuration(90_500)).toBe('PT1M30.5S');
    expect(isoDuration(3_600_000 + 1000)).toBe('PT1H1S');
    expect(isoDuration(0)).toBe('PT0S');
  });
});
