// An Idempotency-Key replay is observed like the answer it repeats: the
// boxlite:http.response message of a replayed error carries the original's
// error code (what the access log's error_code and a span's error.type are
// made of), and a replayed success carries none.
import { randomUUID } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type HttpResponseMessage } from '../lib/observability/channels';
import { type Answer, type Served, createBox, expectEnvelope, postJson, request, serve, until } from './http-support';

let s: Served;
const messages: HttpResponseMessage[] = [];
const listener = (m: unknown) => { messages.push(m as HttpResponseMessage); };

beforeAll(async () => {
  diagnosticsChannel.subscribe(CHANNEL_NAMES.httpResponse, listener);
  s = await serve();
});
afterAll(async () => {
  diagnosticsChannel.unsubscribe(CHANNEL_NAMES.httpResponse, listener);
  await s.close();
});

/** The message published for the request sent with X-Request-Id `id` (published when its response closes). */
async function messageOf(id: string): Promise<HttpResponseMessage> {
  await until(() => messages.some((m) => m.requestId === id), 5000, `the message of request ${id}`);
  return messages.find((m) => m.requestId === id) as HttpResponseMessage;
}

/**
 * Sends the same request twice with one Idempotency-Key, each under its own
 * X-Request-Id (the handler keeps a well-formed one), and returns both answers
 * with the message each was observed as.
 */
async function twice(send: (headers: Record<string, string>) => Promise<Answer>): Promise<Array<[Answer, HttpResponseMessage]>> {
  const key = randomUUID();
  const ids = [`original-${key}`, `replay-${key}`];
  const original = await send({ 'Idempotency-Key': key, 'X-Request-Id': ids[0] });
  const replayed = await send({ 'Idempotency-Key': key, 'X-Request-Id': ids[1] });
  expect(original.headers['idempotent-replayed']).toBeUndefined();
  expect(replayed.headers['idempotent-replayed']).toBe('true');
  expect(replayed.text).toBe(original.text);
  return [[original, await messageOf(ids[0])], [replayed, await messageOf(ids[1])]];
}

describe('a replayed answer is observed with the original\'s error code', () => {
  it('404 not_found (start of a missing box)', async () => {
    const [[original, first], [, again]] = await twice((headers) => request(`${s.origin}/v1/boxes/no-such-box/start`, { method: 'POST', headers }));
    expectEnvelope(original, 404, 'not_found');
    expect(first).toMatchObject({ method: 'POST', status: 404, errorCode: 'not_found' });
    expect(again).toMatchObject({ method: 'POST', route: first.route, status: 404, errorCode: 'not_found' });
  });

  it('400 invalid_argument from the runtime (a second box of one name)', async () => {
    const name = `replay-${Date.now()}`;
    const id = await createBox(s.origin, { name });
    const [[original, first], [, again]] = await twice((headers) => postJson(`${s.origin}/v1/boxes`, { name }, headers));
    expect(expectEnvelope(original, 400, 'invalid_argument').message).toContain('already exists');
    expect([first.status, first.errorCode]).toEqual([400, 'invalid_argument']);
    expect([again.status, again.errorCode]).toEqual([400, 'invalid_argument']);
    expect((await request(`${s.origin}/v1/boxes/${id}?force=true`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a replayed success carries no error code', async () => {
    const [[original, first], [, again]] = await twice((headers) => postJson(`${s.origin}/v1/boxes`, {}, headers));
    expect(original.status).toBe(201);
    expect([first.status, first.errorCode]).toEqual([201, null]);
    expect([again.status, again.errorCode]).toEqual([201, null]);
    expect((await request(`${s.origin}/v1/boxes/${original.json.box_id}?force=true`, { method: 'DELETE' })).status).toBe(204);
  });
});
