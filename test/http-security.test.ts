// The request guards over real HTTP and real WebSockets, in both modes (no
// authentication, bearer token): Content-Type (415), Origin and Fetch
// Metadata (403), Host (421, DNS rebinding), dot segments (400), CORS for
// allowed origins, and that a refused request never created a box or ran a
// command (checked through the runtime and a marker file).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuth } from '../lib/http';
import type { RefusalEvent } from '../lib/http';
import { type Answer, type Served, attach, attachUrl, expectEnvelope, serve } from './http-support';

const TOKEN = 'test-token-1234';

/** One request on a fresh connection, headers exactly as given (no Content-Type added). */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The path goes out verbatim: a URL object would resolve '..' before sending.
    const [, host, port, rawPath] = /^http:\/\/([^/:]+):(\d+)(.*)$/.exec(url)!;
    const req = http.request({ host, port, path: rawPath, method, headers: { Connection: 'close', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The WebSocket handshake's refusal: status and parsed body (rejects if it was accepted). */
function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: any; requestId: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on('open', () => { ws.terminate(); reject(new Error('upgrade was accepted')); });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), requestId: res.headers['x-request-id'] });
        ws.terminate();
      });
    });
    ws.on('error', () => undefined);
  });
}

async function tarOf(name: string, content: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sec-tar-'));
  try {
    fs.writeFileSync(path.join(dir, name), content);
    const chunks: Buffer[] = [];
    for await (const c of tar.c({ cwd: dir, portable: true }, [name]) as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const MODES = [
  { mode: 'no authentication', options: { auth: 'none' as const }, auth: {} as Record<string, string> },
  { mode: 'bearer token', options: { authenticate: bearerTokenAuth(TOKEN) }, auth: { Authorization: `Bearer ${TOKEN}` } },
];

describe.each(MODES)('request guards ($mode)', ({ mode, options, auth }) => {
  let s: Served;
  let box: string;
  let work: string;
  let marker: string;
  const refusals: RefusalEvent[] = [];
  const boxCount = async () => (await s.t.runtime.listBoxes()).length;
  const execBody = () => JSON.stringify({ command: 'sh', args: ['-c', `touch ${marker}`] });

  beforeAll(async () => {
    s = await serve({ handler: { ...options, onRefusal: (e) => refusals.push(e) } });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sec-http-'));
    marker = path.join(work, 'ran');
    const a = await send(`${s.origin}/v1/boxes`, 'POST', { ...auth, 'Content-Type': 'application/json' }, '{"image":"alpine:latest"}');
    expect(a.status).toBe(201);
    box = a.json.box_id;
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('Content-Type', () => {
    it('a JSON body sent as text/plain, a form, or without Content-Type is 415 and creates nothing', async () => {
      const before = await boxCount();
      for (const ct of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
        const headers: Record<string, string> = { ...auth };
        if (ct !== undefined) headers['Content-Type'] = ct;
        const a = await send(`${s.origin}/v1/boxes`, 'POST', headers, '{"image":"alpine:latest","name":"csrf-demo"}');
        const err = expectEnvelope(a, 415, 'invalid_argument');
        expect(err.message).toMatch(/application\/json/);
      }
      expect(await boxCount()).toBe(before);
    });

    it('exec with a text/plain body is 415 and runs nothing; with application/json it runs', async () => {
      const url = `${s.origin}/v1/boxes/${box}/exec`;
      expectEnvelope(await send(url, 'POST', { ...auth, 'Content-Type': 'text/plain' }, execBody()), 415, 'invalid_argument');
      expectEnvelope(await send(url, 'POST', { ...auth }, execBody()), 415, 'invalid_argument');
      await new Promise((r) => setTimeout(r, 200));
      expect(fs.existsSync(marker)).toBe(false);
      const ok = await send(url, 'POST', { ...auth, 'Content-Type': 'application/json; charset=utf-8' }, execBody());
      expect(ok.status).toBe(201);
      const deadline = Date.now() + 5000;
      while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fs.existsSync(marker)).toBe(true);
      fs.rmSync(marker);
    });

    it('body-less POSTs without Content-Type (as the official client sends start/stop) stay accepted', async () => {
      expect((await send(`${s.origin}/v1/boxes/${box}/stop`, 'POST', auth)).status).toBe(200);
      expect((await send(`${s.origin}/v1/boxes/${box}/start`, 'POST', auth)).status).toBe(200);
      // A body-less form POST is still a form POST.
      expectEnvelope(await send(`${s.origin}/v1/boxes/${box}/start`, 'POST', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, ''),
        415, 'invalid_argument');
    });

    it('PUT files takes tar types or none; anything else is 415', async () => {
      const body = await tarOf('f.txt', 'hello');
      const url = `${s.origin}/v1/boxes/${box}/files?path=${encodeURIComponent('/tmp/sec-upload')}`;
      for (const ct of ['application/x-tar', 'application/gzip', 'application/octet-stream', undefined]) {
        const headers: Record<string, string> = { ...auth };
        if (ct !== undefined) headers['Content-Type'] = ct;
        expect((await send(url, 'PUT', headers, body)).status, String(ct)).toBe(204);
      }
      for (const ct of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
        expectEnvelope(await send(url, 'PUT', { ...auth, 'Content-Type': ct }, body), 415, 'invalid_argument');
      }
    });
  });

  describe('Origin and Fetch Metadata', () => {
    it('a request carrying a foreign Origin is 403 before any route, even with a valid JSON body and credentials', async () => {
      const before = await boxCount();
      const refusedBefore = refusals.length;
      const evil = { ...auth, Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' };
      const a = await send(`${s.origin}/v1/boxes`, 'POST', { ...evil, 'Content-Type': 'application/json' }, '{"image":"alpine:latest"}');
      const err = expectEnvelope(a, 403, 'permission_denied');
      expect(err.message).toMatch(/web origin "http:\/\/evil.example"/);
      expectEnvelope(await send(`${s.origin}/v1/boxes/${box}/exec`, 'POST', { ...evil, 'Content-Type': 'application/json' }, execBody()),
        403, 'permission_denied');
      expectEnvelope(await send(`${s.origin}/v1/boxes/${box}`, 'DELETE', evil), 403, 'permission_denied');
      expectEnvelope(await send(`${s.origin}/v1/boxes`, 'GET', evil), 403, 'permission_denied');
      expectEnvelope(await send(`${s.origin}/v1/config`, 'GET', { Origin: 'null' }), 403, 'permission_denied');
      expectEnvelope(await send(`${s.origin}/v1/nowhere`, 'GET', { Origin: s.origin }), 403, 'permission_denied');
      expect(await boxCount()).toBe(before);
      expect((await s.t.runtime.findBox(box)) !== null).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(fs.existsSync(marker)).toBe(false);
      // Every refusal was reported, with the request id of its answer.
      const reported = refusals.slice(refusedBefore);
      expect(reported).toHaveLength(6);
      expect(reported[0]).toMatchObject({ status: 403, method: 'POST', upgrade: false, requestId: a.json.error.request_id });
    });

    it('Sec-Fetch-Site cross-site or same-site without Origin (navigations, <img>) is 403; same-origin and none pass', async () => {
      for (const site of ['cross-site', 'same-site']) {
        expectEnvelope(await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, 'Sec-Fetch-Site': site }), 403, 'permission_denied');
      }
      for (const site of ['same-origin', 'none']) {
        expect((await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, 'Sec-Fetch-Site': site })).status).toBe(200);
      }
    });

    it('a WebSocket attach with a foreign Origin is refused with 403 and the envelope; without Origin it streams', async () => {
      const ex = await send(`${s.origin}/v1/boxes/${box}/exec`, 'POST', { ...auth, 'Content-Type': 'application/json' },
        JSON.stringify({ command: 'sh', args: ['-c', 'read x; echo got-$x'] }));
      expect(ex.status).toBe(201);
      const url = attachUrl(s.origin, box, ex.json.execution_id);
      const refused = await refusedUpgrade(url, { ...auth, Origin: 'http://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'permission_denied', request_id: refused.requestId });
      const ok = await attach(url, auth);
      ok.ws.send(Buffer.from('in\n'));
      const { exitCode } = await ok.closed;
      expect(exitCode).toBe(0);
      expect(ok.stdout()).toBe('got-in\n');
    });
  });

  describe('Host (DNS rebinding)', () => {
    it(mode === 'no authentication'
      ? 'a foreign Host is 421 (a rebinding page cannot read or act); loopback names on this port pass'
      : 'any Host passes by default (a page cannot know the token); loopback names pass', async () => {
      const port = new URL(s.origin).port;
      const foreign = await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, Host: `attacker.example:${port}` });
      if (mode === 'no authentication') {
        const err = expectEnvelope(foreign, 421, 'invalid_argument');
        expect(err.message).toMatch(/attacker\.example/);
        expectEnvelope(await send(`${s.origin}/v1/boxes`, 'POST', { Host: `attacker.example:${port}`, 'Content-Type': 'application/json' },
          '{"image":"alpine:latest"}'), 421, 'invalid_argument');
        expectEnvelope(await send(`${s.origin}/v1/boxes`, 'GET', { Host: `localhost:${Number(port) + 1}` }), 421, 'invalid_argument');
        const ws = await refusedUpgrade(`${s.origin.replace('http', 'ws')}/v1/boxes/${box}/executions/e/attach`, { Host: `attacker.example:${port}` });
        expect(ws.status).toBe(421);
      } else {
        expect(foreign.status).toBe(200);
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
        expect((await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, Host: host })).status).toBe(200);
      }
    });
  });

  describe('dot segments', () => {
    it('. and .. (raw or percent-encoded) as prefix, box id or execution id are 400, before authentication', async () => {
      for (const p of ['/v1/../boxes', '/v1/./boxes', '/v1/%2e%2e/boxes', '/v1/%2E/boxes', '/v1/us-east/../boxes',
        '/v1/boxes/..', '/v1/boxes/%2e%2e', '/v1/boxes/.%2E/start', `/v1/boxes/${box}/executions/../signal`,
        `/v1/boxes/${box}/executions/%2e`, '/v1/boxes/..%2Fx', '/v1/boxes/..\\x', '/v1/boxes/x\\..']) {
        const a = await send(`${s.origin}${p}`, 'GET', {});
        const err = expectEnvelope(a, 400, 'invalid_argument');
        expect(err.message, p).toMatch(/path segment .* is not allowed/);
      }
      expect((await send(`${s.origin}/v1/boxes/${box}`, 'GET', auth)).status).toBe(200);
    });
  });
});

describe('allowedOrigins (a web UI meant to call the API)', () => {
  let s: Served;
  const UI = 'http://ui.localhost:3000';
  beforeAll(async () => { s = await serve({ handler: { allowedOrigins: [UI], onRefusal: () => undefined } }); });
  afterAll(async () => { await s.close(); });

  it('answers the preflight and adds CORS headers to every answer for that origin only', async () => {
    const pre = await send(`${s.origin}/v1/boxes`, 'OPTIONS', {
      Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(UI);
    expect(pre.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(pre.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(pre.headers['x-request-id']).toBeTypeOf('string');
    const created = await send(`${s.origin}/v1/boxes`, 'POST', { Origin: UI, 'Sec-Fetch-Site': 'same-site', 'Content-Type': 'application/json' },
      '{"image":"alpine:latest"}');
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(UI);
    expect(created.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(created.headers.vary).toMatch(/Origin/);
    // Errors are readable by the UI too.
    const missing = await send(`${s.origin}/v1/boxes/nope`, 'GET', { Origin: UI });
    expectEnvelope(missing, 404, 'not_found');
    expect(missing.headers['access-control-allow-origin']).toBe(UI);
    // Still 415 for text/plain from the allowed origin: the Content-Type rule holds for everyone.
    expectEnvelope(await send(`${s.origin}/v1/boxes`, 'POST', { Origin: UI, 'Content-Type': 'text/plain' }, '{}'), 415, 'invalid_argument');
    // Another origin gets neither the preflight nor the answer.
    const other = await send(`${s.origin}/v1/boxes`, 'OPTIONS', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' });
    expectEnvelope(other, 403, 'permission_denied');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('allowedHosts', () => {
  it('in token mode, listing names turns the Host check on', async () => {
    const s = await serve({ handler: { authenticate: bearerTokenAuth(TOKEN), allowedHosts: ['api.test', '.corp.test'], onRefusal: () => undefined } });
    try {
      const auth = { Authorization: `Bearer ${TOKEN}` };
      expectEnvelope(await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, Host: 'attacker.example' }), 421, 'invalid_argument');
      for (const host of ['api.test', 'api.test:443', 'x.corp.test:8080', new URL(s.origin).host]) {
        expect((await send(`${s.origin}/v1/boxes`, 'GET', { ...auth, Host: host })).status, host).toBe(200);
      }
    } finally {
      await s.close();
    }
  });

  it("in no-auth mode, adds names; '*' turns the check off; bad entries fail at construction", async () => {
    const s = await serve({ handler: { allowedHosts: ['box.internal:8443'], onRefusal: () => undefined } });
    try {
      expect((await send(`${s.origin}/v1/boxes`, 'GET', { Host: 'box.internal:8443' })).status).toBe(200);
      expectEnvelope(await send(`${s.origin}/v1/boxes`, 'GET', { Host: 'box.internal:8444' }), 421, 'invalid_argument');
    } finally {
      await s.close();
    }
    const open = await serve({ handler: { allowedHosts: '*' } });
    try {
      expect((await send(`${open.origin}/v1/boxes`, 'GET', { Host: 'anything.example' })).status).toBe(200);
    } finally {
      await open.close();
    }
    await expect(serve({ handler: { allowedHosts: ['bad host'] } })).rejects.toThrow(/allowedHosts/);
    await expect(serve({ handler: { allowedOrigins: ['*'] } })).rejects.toThrow(/allowedOrigins/);
  });
});
