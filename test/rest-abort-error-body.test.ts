// An AbortSignal ends a call with its reason in every phase, including while
// the body of an error answer is still arriving: a server that sent the head
// of a 500 and then stalls must not turn the caller's abort into the server's
// (half-read) error. Both transports.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;

beforeAll(async () => {
  scripted = await listenScripted((req, res) => {
    req.resume();
    res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
    res.write('{"error":{"message":"internal error: half'); // and nothing more
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
});

it.each([
  ['node:http (default)', {}],
  ['the fetch option', { fetch: globalThis.fetch }],
])('an abort while an error body is stalled rejects with the signal reason (%s)', async (_name, extra) => {
  const rt = await Runtime.rest({ url: origin, ...extra });
  try {
    const started = Date.now();
    const err = await rt.metrics({ signal: AbortSignal.timeout(300) }).catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(5000);
  } finally {
    await rt.close();
  }
}, 20_000);
