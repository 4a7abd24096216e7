// Idempotency-Key and the JSON Content-Type check over HTTP/2 (h2c), where
// many requests share one session and a client cancels a stream with
// RST_STREAM instead of closing a connection. Checked here: same-key streams
// sent at once reach the runtime once (the others 409, then replay); a
// stream cancelled while its create runs still leaves its answer to replay
// (the create is not run a second time by the retry); a body-less POST that
// leaves its stream open and sends JSON DATA without a Content-Type is 415.
import crypto from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BoxliteHandler, createBoxliteHandler } from '../lib/http';
import type { Runtime } from '../lib/runtime';
import { type TestRuntime, openTestRuntime } from '../lib/testing';
import { expectEnvelope, until } from './http-support';
import { closeSession, connect, h2request } from './http2-support';

let t: TestRuntime;
let handler: BoxliteHandler;
let server: http2.Http2Server;
let session: http2.ClientHttp2Session;
let creates = 0;
let gate: Promise<void> = Promise.resolve();
let release: () => void = () => undefined;

function hold(): void {
  gate = new Promise<void>((resolve) => { release = resolve; });
}

beforeAll(async () => {
  t = await openTestRuntime();
  const real = t.runtime;
  // Counts the creates that reach the runtime, and holds them while `gate` is closed.
  const counted = new Proxy(real, {
    get(target, prop) {
      if (prop === 'createBox') {
        return async (options: Parameters<Runtime['createBox']>[0]) => { creates++; await gate; return target.createBox(options); };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Runtime;
  handler = createBoxliteHandler(counted, { auth: 'none' });
  server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  session = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}, 60_000);

afterAll(async () => {
  release();
  if (session) await closeSession(session);
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await handler?.close();
  await t?.close();
});

const create = (key: string, body = '{"image":"alpine:latest"}') => h2request(session, {
  method: 'POST', path: '/v1/boxes', body, headers: { 'content-type': 'application/json', 'idempotency-key': key },
});

describe('Idempotency-Key over HTTP/2', () => {
  it('eight streams with one key at once: one create; the others 409, then every retry replays it', async () => {
    const key = crypto.randomUUID();
    const before = creates;
    hold();
    const first = create(key);
    await until(() => creates === before + 1, 10_000, 'the first create to reach the runtime');
    const rest = await Promise.all(Array.from({ length: 7 }, () => create(key)));
    for (const a of rest) expectEnvelope(a, 409, 'invalid_state');
    release();
    const done = await first;
    expect(done.status).toBe(201);
    const replays = await Promise.all(Array.from({ length: 4 }, () => create(key)));
    for (const a of replays) {
      expect(a.status).toBe(201);
      expect(a.json.box_id).toBe(done.json.box_id);
      expect(a.headers['idempotent-replayed']).toBe('true');
    }
    expect(creates - before).toBe(1);
  });

  it('a stream cancelled while its create runs: the retry replays that create, it does not run again', async () => {
    const key = crypto.randomUUID();
    const before = creates;
    hold();
    const stream = session.request({
      ':method': 'POST', ':path': '/v1/boxes', 'content-type': 'application/json', 'idempotency-key': key,
    });
    stream.on('error', () => undefined);
    stream.end('{"image":"alpine:latest"}');
    await until(() => creates === before + 1, 10_000, 'the create to reach the runtime');
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => stream.once('close', resolve));
    expectEnvelope(await create(key), 409, 'invalid_state'); // still running
    release();
    let retry = await create(key);
    // The cancelled request settles its key once the runtime answers.
    for (let i = 0; i < 100 && retry.status === 409; i++) {
      await new Promise((r) => setTimeout(r, 20));
      retry = await create(key);
    }
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(creates - before).toBe(1);
  });

  it('the same key with another body is 422 while the first runs too, and never runs', async () => {
    const key = crypto.randomUUID();
    const before = creates;
    hold();
    const first = create(key);
    await until(() => creates === before + 1, 10_000, 'the first create to reach the runtime');
    expectEnvelope(await create(key, '{"image":"busybox:latest"}'), 422, 'invalid_argument');
    release();
    expect((await first).status).toBe(201);
    expectEnvelope(await create(key, '{"image":"busybox:latest"}'), 422, 'invalid_argument');
    expect(creates - before).toBe(1);
  });
});

describe('Content-Type over HTTP/2', () => {
  it('JSON DATA after HEADERS without END_STREAM, no Content-Type, no Content-Length: 415, nothing created', async () => {
    const before = creates;
    const a = await h2request(session, { method: 'POST', path: '/v1/boxes', body: '{"image":"alpine:latest"}', unsized: true });
    expectEnvelope(a, 415, 'invalid_argument');
    expect(creates).toBe(before);
  });
});
