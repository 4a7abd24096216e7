// Runtime.rest() refuses an apiKey or a header that cannot go on the wire (a
// control character, such as the newline a key read from a file ends with; a
// header name that is not an HTTP token) with InvalidArgumentError at once,
// before anything is sent, instead of every call failing later as a retried
// NetworkError. The key itself never appears in the message.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;
let requests = 0;

beforeAll(async () => {
  scripted = await listenScripted((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ boxes_created_total: 0 }));
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
});

it.each([
  ['an apiKey ending in a newline', { apiKey: 'sk-secret-key\n' }, 'apiKey'],
  ['an apiKey holding CR LF', { apiKey: 'sk-secret-key\r\nX-Evil: 1' }, 'apiKey'],
  ['a header value holding CR LF', { headers: { 'X-Gateway': 'a\r\nb' } }, 'X-Gateway'],
  ['a header name that is not a token', { headers: { 'bad name': 'x' } }, 'headers'],
])('%s is refused with InvalidArgumentError, nothing sent', async (_name, options, what) => {
  const before = requests;
  const err = await Runtime.rest({ url: origin, ...options }).then(() => null, (e: unknown) => e as Error);
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect((err as Error).message).toContain(what);
  expect((err as Error).message).not.toContain('sk-secret-key');
  expect(requests).toBe(before);
});

it('valid ones still work', async () => {
  const rt = await Runtime.rest({ url: origin, apiKey: 'sk-ok', headers: { 'X-Gateway': 'a b\tc' } });
  try {
    await rt.metrics();
  } finally {
    await rt.close();
  }
});
