// Embedding: Express 5 (at the root, under a mount path, at /v1 itself, with
// express.json() in front), Connect, and a bare http.Server; the error
// middleware for people's own routes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import connect from 'connect';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ResourceExhaustedError } from '../lib/errors/errors';
import { attachBoxliteUpgrade, boxliteErrorHandler, createBoxliteHandler, type BoxliteHandler } from '../lib/http';
import { openTestRuntime, type TestRuntime } from '../lib/testing';
import { attach, attachUrl, expectEnvelope, postJson, request } from './http-support';

let t: TestRuntime;
beforeAll(async () => { t = await openTestRuntime(); });
afterAll(async () => { await t.close(); });

async function listen(app: http.RequestListener, handler: BoxliteHandler): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  attachBoxliteUpgrade(server, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    },
  };
}

/** Create a box, exec, attach and read the output, all under `base` (e.g. '/api'). */
async function roundTrip(origin: string, base: string): Promise<void> {
  const created = await postJson(`${origin}${base}/v1/boxes`, { image: 'alpine:latest' });
  expect(created.status).toBe(201);
  const id = created.json.box_id;
  const ex = await postJson(`${origin}${base}/v1/boxes/${id}/exec`, { command: 'echo', args: ['mounted'] });
  expect(ex.status).toBe(201);
  const at = await attach(attachUrl(`${origin}${base}`, id, ex.json.execution_id));
  expect((await at.closed).exitCode).toBe(0);
  expect(at.stdout()).toBe('mounted\n');
  expect((await request(`${origin}${base}/v1/boxes/${id}?force=true`, { method: 'DELETE' })).status).toBe(204);
}

describe('Express 5', () => {
  it('app.use(handler) at the root; other paths reach the app through next()', async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    const app = express();
    app.use(handler);
    app.get('/health', (_req, res) => { res.json({ ok: true }); });
    const srv = await listen(app, handler);
    try {
      await roundTrip(srv.origin, '');
      expect((await request(`${srv.origin}/health`)).json).toEqual({ ok: true });
      expectEnvelope(await request(`${srv.origin}/v1/nope`), 404, 'not_found');
    } finally {
      await srv.close();
    }
  });

  it("app.use('/api', handler) with basePath for the upgrade; express.json() in front", async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none', basePath: '/api' });
    const app = express();
    app.use(express.json());
    app.use('/api', handler);
    const srv = await listen(app, handler);
    try {
      await roundTrip(srv.origin, '/api');
      // the pre-parsed body is still validated
      expectEnvelope(await postJson(`${srv.origin}/api/v1/boxes`, { imagee: 'x' }), 400, 'invalid_argument');
      expect((await request(`${srv.origin}/v1/boxes`)).status).toBe(404);
    } finally {
      await srv.close();
    }
  });

  it("app.use('/v1', handler): mounted at the version root", async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    const app = express();
    app.use('/v1', handler);
    const srv = await listen(app, handler);
    try {
      const list = await request(`${srv.origin}/v1/boxes`);
      expect(list.status).toBe(200);
      expect(Array.isArray(list.json.boxes)).toBe(true);
      expect((await request(`${srv.origin}/v1/config`)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('boxliteErrorHandler answers any error with the envelope (sync throw, async reject, next(err))', async () => {
    const mw = boxliteErrorHandler({ exposeInternal: false });
    expect(mw.length).toBe(4);
    const app = express();
    app.get('/sync', () => { throw new NotFoundError('box not found: mine'); });
    app.get('/async', async () => { throw new ResourceExhaustedError('resource exhausted: try later'); });
    app.get('/plain', (_req, _res, next) => { next(new Error('secret internals /var/lib/x')); });
    app.get('/status', (_req, _res, next) => { next(Object.assign(new Error('too big'), { status: 413 })); });
    app.get('/half', (_req, res, next) => { res.writeHead(200); res.write('partial'); next(new Error('late')); });
    app.use(mw);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(expectEnvelope(await request(`${origin}/sync`), 404, 'not_found').message).toBe('box not found: mine');
      const busy = await request(`${origin}/async`);
      expectEnvelope(busy, 429, 'resource_exhausted');
      expect(busy.headers['retry-after']).toBeDefined();
      const hidden = expectEnvelope(await request(`${origin}/plain`), 500, 'internal');
      expect(hidden.message).not.toContain('/var/lib');
      expectEnvelope(await request(`${origin}/status`), 413, 'invalid_argument');
      const kept = await request(`${origin}/sync`, { headers: { 'X-Request-Id': 'mine-123' } });
      expect(kept.json.error.request_id).toBe('mine-123');
      // headers already sent: Express's own handler cuts the response
      await expect(request(`${origin}/half`)).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('Connect and a bare http.Server', () => {
  it('connect().use(handler) and connect().use("/api", handler)', async () => {
    for (const base of ['', '/api']) {
      const handler = createBoxliteHandler(t.runtime, { auth: 'none', basePath: base || undefined });
      const app = connect();
      if (base) app.use(base, handler as connect.NextHandleFunction);
      else app.use(handler as connect.NextHandleFunction);
      app.use((_req: http.IncomingMessage, res: http.ServerResponse) => { res.statusCode = 299; res.end('app'); });
      const srv = await listen(app as unknown as http.RequestListener, handler);
      try {
        await roundTrip(srv.origin, base);
        expect((await request(`${srv.origin}/other`)).status).toBe(299);
      } finally {
        await srv.close();
      }
    }
  });

  it('http.createServer(handler): non-/v1 paths answer 404 with the envelope', async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    const srv = await listen(handler, handler);
    try {
      await roundTrip(srv.origin, '');
      expectEnvelope(await request(`${srv.origin}/`), 404, 'not_found');
    } finally {
      await srv.close();
    }
  });

  it('attachBoxliteUpgrade answers an upgrade outside /v1 with a 404 envelope and X-Request-Id', async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    const server = http.createServer(handler);
    attachBoxliteUpgrade(server, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const r = http.request({ host: '127.0.0.1', port, path: '/elsewhere', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
        r.on('response', (res) => {
          let body = '';
          res.on('data', (c) => { body += c; });
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        r.on('upgrade', () => reject(new Error('upgraded')));
        r.on('error', reject);
        r.end();
      });
      expect(answer.status).toBe(404);
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: 'not_found', request_id: answer.headers['x-request-id'] });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    }
  });

  it('a server without the upgrade wiring explains itself on attach (426)', async () => {
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const id = (await postJson(`${origin}/v1/boxes`, {})).json.box_id;
      const eid = (await postJson(`${origin}/v1/boxes/${id}/exec`, { command: 'true' })).json.execution_id;
      const refused = await attach(attachUrl(origin, id, eid)).then(() => null, (e) => e);
      expect(refused.status).toBe(426);
      expect(refused.body.error.message).toContain('attachBoxliteUpgrade');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    }
  });
});
