// A JSON answer is read up to a bound (MAX_JSON_ANSWER_BYTES, decoded), through
// either transport: a server or gateway whose gzip answer inflates to far more
// (80 KB on the wire, 256 MiB decoded here) gets a typed protocol error, not
// the client's memory.
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_JSON_ANSWER_BYTES } from '../lib/remote/http-client';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;
let bomb: Buffer;

beforeAll(async () => {
  // '[' then zeros: JSON that never ends within the bound.
  bomb = zlib.gzipSync(Buffer.concat([Buffer.from('['), Buffer.alloc(256 << 20, 0x30)]), { level: 9 });
  scripted = await listenScripted((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bomb.length });
    res.end(bomb);
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
});

it.each([
  ['node:http (default)', {}],
  ['the fetch option', { fetch: globalThis.fetch }],
])('a gzip answer inflating past the bound is refused, typed, without being held (%s)', async (_name, extra) => {
  expect(bomb.length).toBeLessThan(1 << 20);
  const rt = await Runtime.rest({ url: origin, retry: false, ...extra });
  try {
    global.gc?.();
    const before = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const err = await rt.listBoxes().catch((e: unknown) => e as Error);
    expect((err as Error).message).toContain(`is larger than ${MAX_JSON_ANSWER_BYTES} bytes (decoded)`);
    expect((err as { boxliteCode?: number }).boxliteCode).toBeTypeOf('number');
    global.gc?.();
    const after = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    // Nothing near the 256 MiB it would inflate to is retained.
    expect(after - before).toBeLessThan(2 * MAX_JSON_ANSWER_BYTES);
  } finally {
    await rt.close();
  }
}, 60_000);
