// The remote client's transports (lib/remote/transport.ts) against real
// node:http / node:https servers on 127.0.0.1: the default node:http one
// (keep-alive reuse, aborts that release the socket, the error-body bound,
// close() releasing every socket, https) and the fetch one (the `fetch`
// option still routes every request through the caller's function); and
// what both put on the wire and hand back is the same (headers, redirects,
// compressed answers).
import { execFileSync, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoxliteError, InternalError, NetworkError } from '../lib/errors/errors';
import { FetchTransport } from '../lib/remote/fetch-transport';
import { IDLE_TIMEOUT_MS, NodeHttpTransport } from '../lib/remote/node-http-transport';
import { MAX_ERROR_BODY_BYTES } from '../lib/remote/remote-error';
import type { Transport } from '../lib/remote/transport';
import { Runtime } from '../lib/runtime/runtime';

const repo = path.resolve(__dirname, '..');
const METRICS = JSON.stringify({ boxes_created_total: 7, num_running_boxes: 1 });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A server whose answer per path the test sets, counting connections. */
class TestServer {
  readonly server: http.Server | https.Server;
  readonly sockets = new Set<Socket>();
  connections = 0;
  closedConnections = 0;
  routes = new Map<string, Handler>();
  seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; rawHeaders: string[] }> = [];
  origin = '';

  constructor(tls?: { key: string; cert: string }) {
    const handler: Handler = (req, res) => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
      const route = this.routes.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (route) return route(req, res);
      req.resume();
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'box not found: nope', type: 'NotFoundError', code: 'not_found' } }));
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => { this.closedConnections++; this.sockets.delete(socket); });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const scheme = this.server instanceof https.Server ? 'https' : 'http';
    this.origin = `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves once no connection is open, or rejects after `ms`. */
  async allClosed(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.sockets.size > 0) {
      if (Date.now() > until) throw new Error(`${this.sockets.size} connection(s) still open after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(body: string, status = 200, extra: http.OutgoingHttpHeaders = {}): Handler {
  return (req, res) => {
    req.resume();
    res.writeHead(status, { 'Content-Type': 'application/json', ...extra });
    res.end(body);
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs a Node script in a child (asynchronously: the servers it talks to live in this process). */
function runChild(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

async function server(tls?: { key: string; cert: string }): Promise<TestServer> {
  const s = await new TestServer(tls).listen();
  cleanups.push(() => s.close());
  return s;
}

describe('node:http transport (the default)', () => {
  it('sends sequential requests over one kept-alive connection, and close() ends it at once', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', json(METRICS));
    s.routes.set('/v1/boxes/b1', (req, res) => { req.resume(); res.writeHead(204); res.end(); });
    s.routes.set('/v1/boxes/b1/start', json('{}'));
    const rt = await Runtime.rest({ url: s.origin });
    for (let i = 0; i < 5; i++) expect((await rt.metrics()).boxesCreatedTotal).toBe(7);
    // Answers whose body is dropped (empty()) give their connection back too.
    for (let i = 0; i < 3; i++) {
      await rt.removeBox('b1');
      await rt._client.empty({ method: 'POST', path: 'boxes/b1/start', idempotent: true });
    }
    expect(s.seen.length).toBe(11);
    expect(s.connections).toBe(1);
    expect(s.sockets.size).toBe(1); // kept for the next request
    await rt.close();
    // Well before the idle timeout would have closed it.
    await s.allClosed(IDLE_TIMEOUT_MS / 2);
    expect(s.closedConnections).toBe(1);
  });

  it('is not the global fetch', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', json(METRICS));
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => { calls++; return original(...args); }) as typeof fetch;
    cleanups.push(() => { globalThis.fetch = original; });
    const rt = await Runtime.rest({ url: s.origin });
    cleanups.push(() => rt.close());
    await rt.metrics();
    expect(calls).toBe(0);
    expect(s.seen.length).toBe(1);
  });

  it('an abort mid-body rejects with the reason and destroys the connection (it is not pooled)', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', (req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"boxes_created_total":'); // and never the rest
    });
    const rt = await Runtime.rest({ url: s.origin });
    cleanups.push(() => rt.close());
    const ac = new AbortController();
    const reason = new Error('caller gave up');
    const pending = rt.metrics({ signal: ac.signal }).catch((e: unknown) => e);
    while (s.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // the head and the first bytes are in
    ac.abort(reason);
    expect(await pending).toBe(reason);
    await s.allClosed(2000);
    // The next request needs (and gets) a new connection.
    s.routes.set('/v1/metrics', json(METRICS));
    expect((await rt.metrics()).boxesCreatedTotal).toBe(7);
    expect(s.connections).toBe(2);
  });

  it('an abort before the answer rejects with the reason and destroys the connection', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', (req) => { req.resume(); }); // never answers
    const rt = await Runtime.rest({ url: s.origin });
    cleanups.push(() => rt.close());
    const err = await rt.metrics({ signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    await s.allClosed(2000);
  });

  it(`reads no more of an error body than MAX_ERROR_BODY_BYTES (${MAX_ERROR_BODY_BYTES}); the connection is closed`, async () => {
    const s = await server();
    const TOTAL = 256 << 20;
    let written = 0;
    let finished = false;
    s.routes.set('/v1/metrics', (req, res) => {
      req.resume();
      res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': String(TOTAL) });
      const block = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < TOTAL && !res.destroyed) {
          written += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        finished = written >= TOTAL;
      };
      res.on('close', () => { /* the client hung up: stop */ });
      pump();
    });
    const rt = await Runtime.rest({ url: s.origin, retry: false });
    cleanups.push(() => rt.close());
    const err = await rt.metrics().catch((e: unknown) => e) as BoxliteError & { status: number };
    expect(err).toBeInstanceOf(BoxliteError);
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/answered HTTP 502 Bad Gateway without BoxLite's error envelope: x{512}$/);
    await s.allClosed(5000);
    expect(finished).toBe(false);
    // What the server got rid of: the bound plus what the two kernels' socket
    // buffers took (a few MiB on loopback), far from the 256 MiB offered.
    expect(written).toBeLessThan(32 << 20);
  });

  it('close() releases every socket: a child process exits by itself right after', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', json(METRICS));
    s.routes.set('/v1/boxes', json(JSON.stringify({ boxes: [] })));
    let socketsClosedAt = 0;
    const script = `
      const { Runtime } = require(${JSON.stringify(path.join(repo, 'dist', 'index.js'))});
      (async () => {
        const rt = await Runtime.rest({ url: process.env.SERVER });
        await Promise.all([rt.metrics(), rt.metrics(), rt.listBoxes()]);
        await rt.close();
        await new Promise((r) => setImmediate(r));
        // Nothing of the runtime may be left holding the event loop.
        const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
        console.log(JSON.stringify({ left }));
        // Lives on a while, so the server can tell sockets closed by close() from sockets closed by the exit.
        setTimeout(() => {}, 1500);
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, SERVER: s.origin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { errText += c; });
    const watch = setInterval(() => { if (s.connections > 0 && s.sockets.size === 0 && socketsClosedAt === 0) socketsClosedAt = Date.now(); }, 5);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const exitedAt = Date.now();
    clearInterval(watch);
    expect(errText).toBe('');
    expect(code).toBe(0); // it ended by itself: nothing was left holding it
    expect(JSON.parse(out.split('\n')[0])).toEqual({ left: [] });
    expect(s.connections).toBeGreaterThanOrEqual(1);
    // Every connection was closed by close(), well before the process ended.
    expect(socketsClosedAt).toBeGreaterThan(0);
    expect(exitedAt - socketsClosedAt).toBeGreaterThan(500);
  }, 60_000);

  it('streams an upload body (chunked) and follows a 303 to a GET without it', async () => {
    const s = await server();
    let received = 0;
    s.routes.set('/v1/upload', (req, res) => {
      req.on('data', (c: Buffer) => { received += c.length; });
      req.on('end', () => { res.writeHead(303, { Location: '/v1/metrics' }); res.end(); });
    });
    s.routes.set('/v1/metrics', json(METRICS));
    const t = new NodeHttpTransport();
    cleanups.push(() => t.close());
    const body = Readable.from((function* () { for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, i); })());
    const res = await t.request({ method: 'PUT', url: `${s.origin}/v1/upload`, headers: { 'Content-Type': 'application/x-tar' }, body, signal: undefined });
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual(JSON.parse(METRICS));
    expect(received).toBe(64 * 16 * 1024);
    expect(s.seen.map((r) => [r.method, r.url, r.headers['transfer-encoding'], r.headers['content-type']]))
      .toEqual([['PUT', '/v1/upload', 'chunked', 'application/x-tar'], ['GET', '/v1/metrics', undefined, undefined]]);
  });
});

describe('both transports answer alike', () => {
  const transports: Array<[string, () => Transport]> = [
    ['node:http', () => new NodeHttpTransport()],
    ['fetch', () => new FetchTransport(globalThis.fetch)],
  ];

  it('put the same headers on the wire (fetch defaults included)', async () => {
    const s = await server();
    s.routes.set('/v1/boxes', json('{}', 201));
    const wire: Record<string, Array<[string, string]>> = {};
    for (const [name, make] of transports) {
      const t = make();
      s.seen = [];
      const res = await t.request({ method: 'POST', url: `${s.origin}/v1/boxes`, body: '{"image":"alpine"}', signal: undefined,
        headers: { Authorization: 'Bearer k', 'Idempotency-Key': 'same', 'Content-Type': 'application/json', 'X-Gateway': 'g' } });
      expect(res.status).toBe(201);
      await res.text();
      t.close();
      const raw = s.seen[0].rawHeaders;
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < raw.length; i += 2) if (!['host', 'connection'].includes(raw[i].toLowerCase())) pairs.push([raw[i].toLowerCase(), raw[i + 1]]);
      wire[name] = pairs.sort();
    }
    expect(wire['node:http']).toEqual(wire.fetch);
    expect(wire.fetch).toContainEqual(['authorization', 'Bearer k']);
    expect(wire.fetch).toContainEqual(['content-length', '18']);
  });

  it('send Content-Length 0 on a bodiless POST and none on a DELETE', async () => {
    const s = await server();
    s.routes.set('/v1/x', json('{}'));
    for (const [, make] of transports) {
      const t = make();
      for (const method of ['POST', 'DELETE']) await (await t.request({ method, url: `${s.origin}/v1/x`, headers: {}, body: undefined, signal: undefined })).discard();
      t.close();
    }
    const lengths = s.seen.map((r) => [r.method, r.headers['content-length'], r.headers['transfer-encoding']]);
    expect(lengths).toEqual([['POST', '0', undefined], ['DELETE', undefined, undefined], ['POST', '0', undefined], ['DELETE', undefined, undefined]]);
  });

  it('decode a gzip answer, follow redirects (a 307 keeps the POST and its body), drop credentials across origins', async () => {
    const s = await server();
    const other = await server();
    s.routes.set('/v1/gz', (req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(zlib.gzipSync(METRICS));
    });
    s.routes.set('/v1/moved', (req, res) => { req.resume(); res.writeHead(307, { Location: '/v1/echo' }); res.end(); });
    s.routes.set('/v1/echo', (req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { res.writeHead(200); res.end(`${req.method} ${body} ${req.headers.authorization ?? '-'}`); });
    });
    s.routes.set('/v1/away', (req, res) => { req.resume(); res.writeHead(302, { Location: `${other.origin}/v1/echo` }); res.end(); });
    other.routes.set('/v1/echo', s.routes.get('/v1/echo')!);
    s.routes.set('/v1/loop', (req, res) => { req.resume(); res.writeHead(302, { Location: '/v1/loop' }); res.end(); });
    const results: Record<string, unknown[]> = {};
    for (const [name, make] of transports) {
      const t = make();
      const auth = { Authorization: 'Bearer k' };
      const gz = await t.request({ method: 'GET', url: `${s.origin}/v1/gz`, headers: {}, body: undefined, signal: undefined });
      const moved = await t.request({ method: 'POST', url: `${s.origin}/v1/moved`, headers: auth, body: 'payload', signal: undefined });
      const away = await t.request({ method: 'GET', url: `${s.origin}/v1/away`, headers: auth, body: undefined, signal: undefined });
      const loop = await t.request({ method: 'GET', url: `${s.origin}/v1/loop`, headers: {}, body: undefined, signal: undefined }).catch((e: unknown) => e);
      results[name] = [JSON.parse(await gz.text()), moved.status, await moved.text(), await away.text(), loop instanceof TypeError];
      t.close();
    }
    expect(results['node:http']).toEqual([JSON.parse(METRICS), 200, 'POST payload Bearer k', 'GET  -', true]);
    expect(results['node:http']).toEqual(results.fetch);
  });
});

describe('the fetch option', () => {
  it('routes every request through the given fetch, with the same init as before', async () => {
    const s = await server();
    s.routes.set('/v1/metrics', json(METRICS));
    s.routes.set('/v1/boxes', json(JSON.stringify({ boxes: [] })));
    const calls: Array<{ url: string; method: string | undefined; headers: unknown }> = [];
    const given: typeof fetch = (input, init) => {
      calls.push({ url: String(input), method: init?.method, headers: init?.headers });
      return fetch(input, init);
    };
    const rt = await Runtime.rest({ url: s.origin, fetch: given, apiKey: 'k' });
    cleanups.push(() => rt.close());
    await rt.metrics();
    await rt.listBoxes();
    expect(calls.map((c) => [c.method, c.url])).toEqual([['GET', `${s.origin}/v1/metrics`], ['GET', `${s.origin}/v1/boxes?pageSize=1000`]]);
    expect(calls[0].headers).toEqual({ Authorization: 'Bearer k' });
    expect(s.seen.length).toBe(2);
  });

  it('typed errors come out the same way through it', async () => {
    const s = await server();
    const rt = await Runtime.rest({ url: s.origin, fetch: (i, o) => fetch(i, o) });
    cleanups.push(() => rt.close());
    const viaFetch = await rt.getBox('nope').catch((e: unknown) => e) as Error & { status: number };
    const rtDefault = await Runtime.rest({ url: s.origin });
    cleanups.push(() => rtDefault.close());
    const viaHttp = await rtDefault.getBox('nope').catch((e: unknown) => e) as Error & { status: number };
    expect([viaFetch.constructor.name, viaFetch.message, viaFetch.status]).toEqual(['NotFoundError', 'box not found: nope', 404]);
    expect([viaHttp.constructor.name, viaHttp.message, viaHttp.status]).toEqual([viaFetch.constructor.name, viaFetch.message, viaFetch.status]);
  });
});

describe('https (a self-signed certificate made for the test)', () => {
  let dir: string;
  let tls: { key: string; cert: string };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    tls = { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the untrusted certificate as a NetworkError, like fetch', async () => {
    const s = await server(tls);
    s.routes.set('/v1/metrics', json(METRICS));
    for (const options of [{}, { fetch: (i: Parameters<typeof fetch>[0], o?: RequestInit) => fetch(i, o) }]) {
      const rt = await Runtime.rest({ url: s.origin, retry: false, ...options });
      const err = await rt.metrics().catch((e: unknown) => e);
      await rt.close();
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as Error).message).toMatch(/self[- ]signed certificate/i);
    }
    expect(s.seen.length).toBe(0);
  });

  it('trusts it through NODE_EXTRA_CA_CERTS (Node trust store, as fetch), over one kept-alive connection', async () => {
    const s = await server(tls);
    s.routes.set('/v1/metrics', json(METRICS));
    const script = `
      const { Runtime } = require(${JSON.stringify(path.join(repo, 'dist', 'index.js'))});
      (async () => {
        const out = {};
        const rt = await Runtime.rest({ url: process.env.SERVER });
        out.http = [(await rt.metrics()).boxesCreatedTotal, (await rt.metrics()).boxesCreatedTotal];
        await rt.close();
        const viaFetch = await Runtime.rest({ url: process.env.SERVER, fetch: (i, o) => fetch(i, o) });
        out.fetch = (await viaFetch.metrics()).boxesCreatedTotal;
        await viaFetch.close();
        console.log(JSON.stringify(out));
        process.exit(0); // fetch's own pool is not the runtime's to close
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const out = await runChild(script, { SERVER: s.origin, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') });
    expect(JSON.parse(out)).toEqual({ http: [7, 7], fetch: 7 });
    // Two requests of the default transport on one connection, one of fetch on another.
    expect(s.connections).toBe(2);
  }, 60_000);

  it('an https error answer keeps its type', async () => {
    const s = await server(tls);
    s.routes.set('/v1/metrics', json(JSON.stringify({ error: { message: 'internal error: boom', type: 'InternalError', code: 'internal' } }), 500));
    const script = `
      const { Runtime } = require(${JSON.stringify(path.join(repo, 'dist', 'index.js'))});
      Runtime.rest({ url: process.env.SERVER, retry: false }).then(async (rt) => {
        const e = await rt.metrics().catch((x) => x);
        await rt.close();
        console.log(JSON.stringify([e.constructor.name, e.message, e.status]));
      });
    `;
    const out = await runChild(script, { SERVER: s.origin, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') });
    expect(JSON.parse(out)).toEqual([InternalError.name, 'internal error: boom', 500]);
  }, 60_000);
});
