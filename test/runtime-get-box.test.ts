// runtime.getBox: what a caller sees, now that it chains the two engine calls
// (get, then get_info for the name) instead of awaiting them: a bad argument
// still rejects (never throws), a missing box rejects with the engine's
// NotFoundError, a fault at either step rejects with that fault, and a found
// box resolves with its name. Also what GET /v1/boxes/{id} answers for each.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, InvalidArgumentError, NotFoundError, RpcError } from '../lib/errors/errors';
import { createBoxliteHandler } from '../lib/http/handler';
import { openTestRuntime, type TestRuntime } from '../lib/testing';

let t: TestRuntime;
let server: http.Server;
let port: number;
let handler: ReturnType<typeof createBoxliteHandler>;

beforeAll(async () => {
  t = await openTestRuntime();
  await t.runtime.createBox({ image: 'alpine:latest', name: 'kept', autoRemove: false });
  handler = createBoxliteHandler(t.runtime, { auth: 'none', onError: () => {} });
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await handler.close();
  await t.close();
});

function get(path: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('runtime.getBox', () => {
  it('rejects a bad argument instead of throwing', async () => {
    for (const bad of ['', 42, undefined]) {
      let promise: Promise<unknown> | undefined;
      expect(() => { promise = t.runtime.getBox(bad as string); }).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('rejects a missing box with the engine NotFoundError', async () => {
    const err = await t.runtime.getBox('no-such-box').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('box not found: Box not found: no-such-box');
  });

  it('resolves a box by name, with its name', async () => {
    const box = await t.runtime.getBox('kept');
    expect(box.name).toBe('kept');
    expect((await t.runtime.getBox(box.id)).name).toBe('kept');
  });

  it('rejects with a fault at the lookup or at the name step', async () => {
    t.injectFault({ op: 'get', code: 16, when: 'async', box: 'kept' });
    await expect(t.runtime.getBox('kept')).rejects.toBeInstanceOf(RpcError);
    t.clearFaults(); // a rewritten rules file restarts every rule's count
    t.injectFault({ op: 'get_info', code: 12, box: 'kept' });
    await expect(t.runtime.getBox('kept')).rejects.toBeInstanceOf(EngineError);
    t.clearFaults();
    expect((await t.runtime.getBox('kept')).name).toBe('kept');
  });
});

describe('GET /v1/boxes/{id}', () => {
  it('answers 404 with the engine message for a missing box, and 200 for a kept one', async () => {
    const missing = await get('/v1/boxes/no-such-box');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toBe('box not found: Box not found: no-such-box');
    const found = await get('/v1/boxes/kept');
    expect(found.status).toBe(200);
    expect((found.body as { name?: string }).name).toBe('kept');
  });

  it('answers an engine fault at the lookup with its status', async () => {
    t.injectFault({ op: 'get', code: 16, when: 'async', box: 'kept' });
    const r = await get('/v1/boxes/kept');
    t.clearFaults();
    expect(r.status).toBe(503); // Rpc: the upstream-unavailable answer (lib/errors/http-table.ts)
    expect(r.body.error?.message).toBe('gRPC/tonic error: injected fault at get');
  });
});
