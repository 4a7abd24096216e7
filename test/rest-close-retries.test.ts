// runtime.close() ends the retries of calls still in flight: a call waiting
// out a 503's Retry-After (or a backoff) rejects with StoppedError at once and
// sends nothing more, instead of retrying against the server after close()
// for up to `retry.maxElapsedMs` (and keeping the process alive meanwhile).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoppedError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;
let requests = 0;

beforeAll(async () => {
  scripted = await listenScripted((req, res) => {
    requests++;
    req.resume();
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '2' });
    res.end(JSON.stringify({ error: { message: 'resource exhausted: busy', type: 'ResourceExhaustedError', code: 'resource_exhausted' } }));
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
});

it('a call waiting to retry rejects with StoppedError once the runtime closes, and tries no more', async () => {
  const rt = await Runtime.rest({ url: origin });
  const before = requests;
  const call = rt.metrics().then(() => null, (e: unknown) => e as Error);
  while (requests === before) await new Promise((r) => setTimeout(r, 10));
  const closedAt = Date.now();
  await rt.close();
  const err = await call;
  expect(err).toBeInstanceOf(StoppedError);
  expect(Date.now() - closedAt).toBeLessThan(1000);
  await new Promise((r) => setTimeout(r, 2500)); // past the Retry-After
  expect(requests - before).toBe(1);
}, 20_000);
