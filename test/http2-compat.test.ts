// The handler on Node's HTTP/2 servers (the compatibility API), over real
// `http2.connect` sessions on 127.0.0.1: cleartext h2c
// (http2.createServer(handler)) and TLS with allowHTTP1
// (http2.createSecureServer), where HTTP/1.1 clients, the WebSocket attach
// among them, share the port. Every guard must refuse over HTTP/2 exactly as
// over HTTP/1.1, and no answer may carry a connection-specific field (Node's
// compat layer throws on some and warns on Connection).
import crypto from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type BoxliteHandler, type RefusalEvent, attachBoxliteUpgrade, bearerTokenAuth, createBoxliteHandler } from '../lib/http';
import { CHANNEL_NAMES } from '../lib/observability';
import { type TestRuntime, openTestRuntime } from '../lib/testing';
import { type Answer, expectEnvelope, sleep } from './http-support';
import { type Certificate, type H2Answer, type H2Request, closeSession, connect, h2request, https1request, selfSignedCertificate } from './http2-support';

const JSON_LIMIT = 64 << 10;
const FILES_LIMIT = 2 << 20;
const TOKEN = 'h2-compat-secret';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
/** Connection-specific fields (RFC 9113 8.2.2): none may appear in an HTTP/2 answer. */
const CONNECTION_FIELDS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

let t: TestRuntime;
let cert: Certificate;
let work: string;
const errors: unknown[] = [];
const refusals: RefusalEvent[] = [];
const warnings: string[] = [];
const onWarning = (w: Error) => { warnings.push(`${w.name}: ${w.message}`); };

interface Listening { server: http2.Http2Server | http2.Http2SecureServer; handler: BoxliteHandler; port: number }
let plain: Listening;
let secure: Listening;
let h2c: http2.ClientHttp2Session;
let h2s: http2.ClientHttp2Session;

async function listen(server: Listening['server'], handler: BoxliteHandler): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, handler, port: (server.address() as AddressInfo).port };
}

beforeAll(async () => {
  process.on('warning', onWarning);
  cert = selfSignedCertificate();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'http2-compat-'));
  t = await openTestRuntime();
  const common = { onError: (err: unknown) => errors.push(err), onRefusal: (e: RefusalEvent) => refusals.push(e) };
  // auth 'none': the Host (:authority) check is on by default, loopback only.
  fs.mkdirSync(path.join(work, 'staging'));
  const plainHandler = createBoxliteHandler(t.runtime, {
    ...common, auth: 'none', jsonLimit: JSON_LIMIT, filesLimit: FILES_LIMIT, tmpDir: path.join(work, 'staging'),
  });
  plain = await listen(http2.createServer(plainHandler), plainHandler);
  // A token, one listed name (which turns the Host check on in token mode) and a web UI origin.
  const secureHandler = createBoxliteHandler(t.runtime, {
    ...common, authenticate: bearerTokenAuth(TOKEN), allowedHosts: ['boxlite.test'], allowedOrigins: ['https://ui.test'],
    jsonLimit: JSON_LIMIT,
  });
  const secureServer = http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, secureHandler);
  attachBoxliteUpgrade(secureServer, secureHandler);
  secure = await listen(secureServer, secureHandler);
  h2c = await connect(`http://127.0.0.1:${plain.port}`);
  h2s = await connect(`https://127.0.0.1:${secure.port}`, { ca: cert.cert });
}, 60_000);

afterAll(async () => {
  for (const session of [h2c, h2s]) if (session) await closeSession(session);
  for (const l of [plain, secure]) {
    if (!l) continue;
    await new Promise<void>((resolve) => l.server.close(() => resolve()));
    await l.handler.close();
  }
  await t?.close();
  cert?.remove();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  process.off('warning', onWarning);
});

/** An answer over h2c, checked for connection-specific fields. */
async function ask(init: H2Request, session = h2c): Promise<H2Answer> {
  const a = await h2request(session, init);
  for (const name of CONNECTION_FIELDS) expect(a.headers[name], `${init.method ?? 'GET'} ${init.path}: ${name}`).toBeUndefined();
  expect(a.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]+$/);
  return a;
}

const askSecure = (init: H2Request) => ask({ ...init, headers: { ...BEARER, ...init.headers } }, h2s);

function postJson(p: string, body: unknown, session = h2c, headers: http2.OutgoingHttpHeaders = {}): Promise<H2Answer> {
  return ask({ method: 'POST', path: p, body: JSON.stringify(body), headers: { ...JSON_TYPE, ...headers } }, session);
}

async function createBox(name: string): Promise<string> {
  const a = await postJson('/v1/boxes', { image: 'alpine:latest', name });
  expect(a.status, a.text).toBe(201);
  return a.json.box_id as string;
}

/** The error an answer carries, without its request id (which differs per request). */
function refusalOf(a: Answer): { status: number; type: string; code: string; message: string } {
  const { type, code, message } = expectEnvelope(a, a.status, a.json?.error?.code);
  return { status: a.status, type, code, message };
}

async function pack(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: dir, portable: true }, ['.']) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('the REST API over h2c (http2.createServer(handler))', () => {
  it('creates, reads and lists boxes, page by page', async () => {
    const ids = [await createBox('h2-one'), await createBox('h2-two'), await createBox('h2-three')];
    const got = await ask({ path: `/v1/boxes/${ids[0]}` });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ box_id: ids[0], name: 'h2-one' });
    const head = await ask({ method: 'HEAD', path: `/v1/boxes/${ids[1]}` });
    expect(head.status).toBe(204); // as over HTTP/1.1: the box exists
    expect(head.bytes.length).toBe(0);

    const first = await ask({ path: '/v1/boxes?pageSize=2' });
    expect(first.status).toBe(200);
    expect(first.json.boxes).toHaveLength(2);
    expect(typeof first.json.next_page_token).toBe('string');
    const rest = await ask({ path: `/v1/boxes?pageSize=2&pageToken=${encodeURIComponent(first.json.next_page_token)}` });
    expect(rest.status).toBe(200);
    expect(rest.json).not.toHaveProperty('next_page_token');
    const walked = [...first.json.boxes, ...rest.json.boxes].map((b: { box_id: string }) => b.box_id);
    expect(walked.sort()).toEqual([...ids].sort());
  });

  it('starts a command and reports its execution until it completes', async () => {
    const box = await createBox('h2-exec');
    const started = await postJson(`/v1/boxes/${box}/exec`, { command: 'sh', args: ['-c', 'echo hi; exit 3'] });
    expect(started.status, started.text).toBe(201);
    const eid = started.json.execution_id as string;
    expect(started.headers.location).toContain(`/executions/${eid}`);
    let status: Answer | undefined;
    for (let i = 0; i < 200; i++) { // bounded: 10 s at most
      status = await ask({ path: `/v1/boxes/${box}/executions/${eid}` });
      expect(status.status).toBe(200);
      if (status.json.status !== 'running') break;
      await sleep(50);
    }
    expect(status?.json).toMatchObject({ execution_id: eid, status: 'completed', exit_code: 3 });
  });

  it('answers 400, 404 and 405 with the envelope', async () => {
    const box = await createBox('h2-errors');
    const malformed = await ask({ method: 'POST', path: '/v1/boxes', body: '{"image":', headers: JSON_TYPE });
    expect(expectEnvelope(malformed, 400, 'invalid_argument').message).toContain('not valid JSON');
    expectEnvelope(await postJson('/v1/boxes', { image: 'alpine:latest', bogus: 1 }), 400, 'invalid_argument');
    expectEnvelope(await postJson(`/v1/boxes/${box}/exec`, { command: 5 }), 400, 'invalid_argument');
    expectEnvelope(await ask({ path: '/v1/boxes/no-such-box' }), 404, 'not_found');
    expectEnvelope(await ask({ path: `/v1/boxes/${box}/executions/no-such-exec` }), 404, 'not_found');
    expectEnvelope(await ask({ path: '/v1/nowhere' }), 404, 'not_found');
    expectEnvelope(await ask({ path: '/elsewhere' }), 404, 'not_found');
    const wrongMethod = await ask({ method: 'PATCH', path: '/v1/boxes' });
    expectEnvelope(wrongMethod, 405, 'unsupported');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, POST');
  });

  it('413 for a JSON body over jsonLimit, announced or not; the stream is reset cleanly and the session goes on', async () => {
    const big = JSON.stringify({ image: 'alpine:latest', name: 'x'.repeat(JSON_LIMIT) });
    for (const unsized of [false, true]) {
      const a = await ask({ method: 'POST', path: '/v1/boxes', body: big, unsized, headers: JSON_TYPE });
      expectEnvelope(a, 413, 'invalid_argument');
      expect(a.rstCode, `unsized: ${unsized}`).toBe(http2.constants.NGHTTP2_NO_ERROR);
    }
    expect((await ask({ path: '/v1/boxes?pageSize=1' })).status).toBe(200);
    expect(h2c.closed).toBe(false);
  });

  it('uploads a tar and streams it back past the flow-control window; 413 over filesLimit', async () => {
    const box = await createBox('h2-files');
    const src = path.join(work, 'src');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    const payload = crypto.randomBytes(1 << 20); // 16 default HTTP/2 windows
    fs.writeFileSync(path.join(src, 'sub', 'big.bin'), payload);
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    const archive = await pack(src);
    const filesPath = (p: string) => `/v1/boxes/${box}/files?path=${encodeURIComponent(p)}`;
    const TAR = { 'content-type': 'application/x-tar' };
    for (const [dest, unsized] of [['/sized', false], ['/unsized', true]] as const) {
      const up = await ask({ method: 'PUT', path: filesPath(dest), body: archive, unsized, headers: TAR });
      expect(up.status, up.text).toBe(204);
    }

    const down = await ask({ path: filesPath('/unsized') });
    expect(down.status).toBe(200);
    expect(down.headers['content-type']).toBe('application/x-tar');
    const dest = path.join(work, 'dl');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(work, 'dl.tar'), down.bytes);
    await tar.x({ cwd: dest, file: path.join(work, 'dl.tar') });
    expect(fs.readFileSync(path.join(dest, 'a.txt'), 'utf8')).toBe('alpha');
    expect(fs.readFileSync(path.join(dest, 'sub', 'big.bin')).equals(payload)).toBe(true);
    expectEnvelope(await ask({ path: filesPath('/nothing/here') }), 404, 'not_found');

    // Over filesLimit: refused from Content-Length before a byte is read, or
    // while reading an unsized body. The stream is reset (NO_ERROR) after the
    // answer, the session goes on.
    const tooBig = Buffer.concat([archive, crypto.randomBytes(4 * FILES_LIMIT)]);
    const announced = await ask({ method: 'PUT', path: filesPath('/too-big'), body: tooBig, headers: TAR });
    expect(expectEnvelope(announced, 413, 'invalid_argument').message).toContain(String(FILES_LIMIT));
    expect(announced.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    // Answered at once, not after reading the body away as HTTP/1.1 must (so
    // that closing the connection does not lose the answer): the client never
    // got to send the rest.
    expect(announced.written).toBeLessThan(tooBig.length);
    const unsized = await ask({ method: 'PUT', path: filesPath('/too-big'), body: tooBig, unsized: true, headers: TAR });
    expect(expectEnvelope(unsized, 413, 'invalid_argument').message).toContain(String(FILES_LIMIT));
    expect(unsized.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect((await ask({ path: filesPath('/sized/a.txt') })).status).toBe(200);
  }, 60_000);

  it('a client that resets its stream mid-upload or mid-download leaves no staging, slot or error behind', async () => {
    const box = await createBox('h2-abort');
    const staging = path.join(work, 'staging');
    const filesPath = (p: string) => `/v1/boxes/${box}/files?path=${encodeURIComponent(p)}`;
    const settled = async () => {
      for (let i = 0; i < 200 && (fs.readdirSync(staging).length > 0 || plain.handler.usage().fileTransfers > 0); i++) await sleep(25);
      expect(fs.readdirSync(staging)).toEqual([]);
      expect(plain.handler.usage().fileTransfers).toBe(0);
    };
    // Uploads cut in the middle of a valid archive (a 1 MiB entry, 128 KiB of it sent).
    const src = path.join(work, 'abort-src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'big.bin'), crypto.randomBytes(1 << 20));
    const head = (await pack(src)).subarray(0, 128 << 10);
    const cut = (dest: string, how: (s: http2.ClientHttp2Stream) => void) => new Promise<void>((resolve) => {
      const up = h2c.request({ ':method': 'PUT', ':path': filesPath(dest), 'content-type': 'application/x-tar' });
      up.on('error', () => undefined);
      up.resume();
      up.on('close', () => resolve());
      up.write(head, () => setTimeout(() => how(up), 50));
    });
    // Node's close() ends the body (END_STREAM) before its RST_STREAM: the
    // server sees a complete, truncated archive (400). destroy() sends
    // RST_STREAM alone, as a killed client's connection would.
    await cut('/cut', (up) => up.close(http2.constants.NGHTTP2_CANCEL));
    await cut('/cut2', (up) => up.destroy());
    await settled();
    for (const dest of ['cut', 'cut2']) expect(fs.existsSync(path.join(t.homeDir, 'boxes', box, 'rootfs', dest))).toBe(false);

    // A download read for one chunk, then reset.
    const root = path.join(t.homeDir, 'boxes', box, 'rootfs', 'big');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'big.bin'), crypto.randomBytes(FILES_LIMIT - (64 << 10)));
    await new Promise<void>((resolve) => {
      const down = h2c.request({ ':path': filesPath('/big') }, { endStream: true });
      down.on('error', () => undefined);
      down.once('data', () => down.close(http2.constants.NGHTTP2_CANCEL));
      down.resume();
      down.on('close', () => resolve());
    });
    await settled();
    expect((await ask({ path: filesPath('/big/big.bin') })).status).toBe(200); // and the server still serves
  }, 30_000);

  it('an Idempotency-Key replays the first answer over HTTP/2', async () => {
    const key = crypto.randomUUID();
    const first = await postJson('/v1/boxes', { image: 'alpine:latest' }, h2c, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await postJson('/v1/boxes', { image: 'alpine:latest' }, h2c, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json.box_id).toBe(first.json.box_id);
    expectEnvelope(await postJson('/v1/boxes', { image: 'busybox' }, h2c, { 'idempotency-key': key }), 422, 'invalid_argument');
  });

  it('each answer is reported on the http.response channel as over HTTP/1.1', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const listener = (m: unknown) => { seen.push(m as Record<string, unknown>); };
    diagnosticsChannel.subscribe(CHANNEL_NAMES.httpResponse, listener);
    try {
      const a = await ask({ path: '/v1/boxes/no-such-box', headers: { 'x-request-id': 'h2-observed' } });
      expect(a.status).toBe(404);
      for (let i = 0; i < 100 && !seen.some((m) => m.requestId === 'h2-observed'); i++) await sleep(10);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_NAMES.httpResponse, listener);
    }
    expect(seen.find((m) => m.requestId === 'h2-observed')).toMatchObject({
      method: 'GET', route: '/v1/{prefix}/boxes/{box_id}', status: 404, errorCode: 'not_found', aborted: false,
    });
  });

  it('GET .../attach over HTTP/2 is 426 naming HTTP/1.1, without an Upgrade field', async () => {
    const box = await createBox('h2-attach');
    const started = await postJson(`/v1/boxes/${box}/exec`, { command: 'sleep', args: ['5'] });
    const a = await ask({ path: `/v1/boxes/${box}/executions/${started.json.execution_id}/attach` });
    expect(expectEnvelope(a, 426, 'invalid_argument').message).toContain('HTTP/1.1 only');
    expect((await ask({ method: 'DELETE', path: `/v1/boxes/${box}/executions/${started.json.execution_id}` })).status).toBe(204);
  });
});

describe('the guards over h2c', () => {
  it(':authority is the Host: loopback on this port passes, any other name or port is 421', async () => {
    const before = refusals.length;
    for (const good of [`127.0.0.1:${plain.port}`, `localhost:${plain.port}`, `LOCALHOST:${plain.port}`]) {
      expect((await ask({ path: '/v1/boxes?pageSize=1', headers: { ':authority': good } })).status, good).toBe(200);
    }
    for (const bad of ['evil.example.com', `evil.example.com:${plain.port}`, `127.0.0.1:${plain.port + 1}`, 'localhost', `user@localhost:${plain.port}`]) {
      const a = await ask({ path: '/v1/boxes?pageSize=1', headers: { ':authority': bad } });
      expect(expectEnvelope(a, 421, 'invalid_argument').message, bad).toContain(`host ${JSON.stringify(bad)} is not served here`);
    }
    expect(refusals.slice(before).map((e) => e.status)).toEqual([421, 421, 421, 421, 421]);
  });

  it('a Host without :authority is judged as :authority would be; one that contradicts :authority is 400', async () => {
    // Node's client sends no :authority when given a host field.
    expect((await ask({ path: '/v1/boxes?pageSize=1', headers: { host: `localhost:${plain.port}` } })).status).toBe(200);
    expectEnvelope(await ask({ path: '/v1/boxes?pageSize=1', headers: { host: 'evil.example.com' } }), 421, 'invalid_argument');
    // The same entity spelled differently is no contradiction.
    const same = await ask({ path: '/v1/boxes?pageSize=1', headers: { ':authority': `127.0.0.1:${plain.port}`, host: `127.0.0.1:${plain.port}` } });
    expect(same.status).toBe(200);
    // A good :authority (just remembered by the guard) with an evil Host, and the reverse.
    for (const [authority, host] of [[`127.0.0.1:${plain.port}`, 'evil.example.com'], ['evil.example.com', `127.0.0.1:${plain.port}`]]) {
      const a = await ask({ path: '/v1/boxes?pageSize=1', headers: { ':authority': authority, host } });
      expect(expectEnvelope(a, 400, 'invalid_argument').message).toContain('RFC 9113 8.3.1');
    }
  });

  it('Origin, Fetch Metadata, Content-Type and dot segments refuse as over HTTP/1.1', async () => {
    const body = { image: 'alpine:latest' };
    expectEnvelope(await postJson('/v1/boxes', body, h2c, { origin: 'http://evil.example.com' }), 403, 'permission_denied');
    expectEnvelope(await ask({ path: '/v1/boxes', headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'permission_denied');
    const textPlain = await ask({ method: 'POST', path: '/v1/boxes', body: JSON.stringify(body), headers: { 'content-type': 'text/plain' } });
    expectEnvelope(textPlain, 415, 'invalid_argument');
    // A body without Content-Type, sized or not (HTTP/2 announces a body by leaving the stream open).
    for (const unsized of [false, true]) {
      const a = await ask({ method: 'POST', path: '/v1/boxes', body: JSON.stringify(body), unsized });
      expect(expectEnvelope(a, 415, 'invalid_argument').message, `unsized: ${unsized}`).toContain('needs Content-Type');
    }
    expectEnvelope(await ask({ path: '/v1/boxes/%2e%2e' }), 400, 'invalid_argument');
    expectEnvelope(await ask({ path: '/v1/boxes/..%2Fx/executions' }), 400, 'invalid_argument');
    // A body-less POST without Content-Type (start/stop, as the official client sends them) is accepted.
    const box = await createBox('h2-start');
    const started = await ask({ method: 'POST', path: `/v1/boxes/${box}/start` });
    expect(started.status, started.text).toBe(200);
    expect(started.json.box_id).toBe(box);
  });
});

describe('HTTP/2 over TLS with allowHTTP1: both protocols on one port, the same answers', () => {
  const h1 = (p: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    https1request(secure.port, p, cert.cert, { ...init, headers: { ...BEARER, ...init.headers } });

  it('serves HTTP/2 and HTTP/1.1 alike on the same port', async () => {
    const viaH2 = await askSecure({ method: 'POST', path: '/v1/boxes', body: JSON.stringify({ image: 'alpine:latest' }), headers: JSON_TYPE });
    expect(viaH2.status, viaH2.text).toBe(201);
    const viaH1 = await h1(`/v1/boxes/${viaH2.json.box_id}`);
    expect(viaH1.status).toBe(200);
    expect(viaH1.json.box_id).toBe(viaH2.json.box_id);
    // allowedHosts names are answered as :authority and as Host.
    expect((await askSecure({ path: '/v1/boxes?pageSize=1', headers: { ':authority': 'boxlite.test' } })).status).toBe(200);
    expect((await h1('/v1/boxes?pageSize=1', { headers: { Host: 'boxlite.test' } })).status).toBe(200);
  });

  it('every refusal is the same status and envelope over HTTP/2 as over HTTP/1.1', async () => {
    const body = JSON.stringify({ image: 'alpine:latest' });
    type Case = { what: string; h2: H2Request; h1: { path: string; method?: string; headers?: Record<string, string>; body?: string }; status: number };
    const cases: Case[] = [
      { what: 'a bad token', status: 401,
        h2: { path: '/v1/boxes', headers: { authorization: 'Bearer wrong' } }, h1: { path: '/v1/boxes', headers: { authorization: 'Bearer wrong' } } },
      { what: 'no token', status: 401,
        h2: { path: '/v1/boxes', headers: { authorization: '' } }, h1: { path: '/v1/boxes', headers: { authorization: '' } } },
      { what: 'an evil name', status: 421,
        h2: { path: '/v1/boxes', headers: { ':authority': 'evil.example.com' } }, h1: { path: '/v1/boxes', headers: { Host: 'evil.example.com' } } },
      { what: 'a cross-origin POST', status: 403,
        h2: { method: 'POST', path: '/v1/boxes', body, headers: { ...JSON_TYPE, origin: 'https://evil.example.com' } },
        h1: { method: 'POST', path: '/v1/boxes', body, headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example.com' } } },
      { what: 'a text/plain POST', status: 415,
        h2: { method: 'POST', path: '/v1/boxes', body, headers: { 'content-type': 'text/plain' } },
        h1: { method: 'POST', path: '/v1/boxes', body, headers: { 'Content-Type': 'text/plain' } } },
      { what: 'a dot segment', status: 400, h2: { path: '/v1/boxes/%2E%2E' }, h1: { path: '/v1/boxes/%2E%2E' } },
      { what: 'a JSON body over jsonLimit', status: 413,
        h2: { method: 'POST', path: '/v1/boxes', body: 'x'.repeat(JSON_LIMIT + 1), headers: JSON_TYPE },
        h1: { method: 'POST', path: '/v1/boxes', body: 'x'.repeat(JSON_LIMIT + 1), headers: { 'Content-Type': 'application/json' } } },
      { what: 'an unknown box', status: 404, h2: { path: '/v1/boxes/no-such-box' }, h1: { path: '/v1/boxes/no-such-box' } },
    ];
    for (const c of cases) {
      const overH2 = await askSecure(c.h2);
      const overH1 = await h1(c.h1.path, c.h1);
      expect(overH2.status, c.what).toBe(c.status);
      expect(refusalOf(overH2), c.what).toEqual(refusalOf(overH1));
    }
  });

  it('an allowed web origin gets CORS answers over HTTP/2, the preflight included', async () => {
    const preflight = await ask({
      method: 'OPTIONS', path: '/v1/boxes',
      headers: { origin: 'https://ui.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    }, h2s);
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ui.test');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const listed = await askSecure({ path: '/v1/boxes?pageSize=1', headers: { origin: 'https://ui.test' } });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://ui.test');
    expect(listed.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });

  it('the attach WebSocket is served over HTTP/1.1 on the same port (attachBoxliteUpgrade)', async () => {
    const created = await askSecure({ method: 'POST', path: '/v1/boxes', body: JSON.stringify({ image: 'alpine:latest' }), headers: JSON_TYPE });
    const box = created.json.box_id as string;
    const started = await askSecure({
      method: 'POST', path: `/v1/boxes/${box}/exec`, body: JSON.stringify({ command: 'sh', args: ['-c', 'cat; echo done'] }), headers: JSON_TYPE,
    });
    expect(started.status, started.text).toBe(201);
    const attachUrl = `wss://127.0.0.1:${secure.port}/v1/boxes/${box}/executions/${started.json.execution_id}/attach`;

    // Refused upgrades answer with the envelope, as on an http(s) server.
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(attachUrl, { ca: cert.cert, headers: { authorization: 'Bearer wrong' } });
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c; });
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text }); ws.terminate(); });
      });
      ws.on('open', () => reject(new Error('attached with a bad token')));
      ws.on('error', () => undefined);
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).error.code).toBe('unauthenticated');

    const ws = new WebSocket(attachUrl, { ca: cert.cert, headers: BEARER, perMessageDeflate: false });
    let stdout = '';
    let exitCode: number | null = null;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary && data[0] === 1) stdout += data.subarray(1).toString('utf8');
      else if (!isBinary) {
        const frame = JSON.parse(data.toString('utf8'));
        if (frame.type === 'exit') exitCode = frame.exit_code;
      }
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(Buffer.from('over http/1.1\n'), { binary: true });
    ws.send(JSON.stringify({ type: 'stdin_eof' }));
    expect(await closed).toBe(1000);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('over http/1.1\ndone\n');
  });
});

describe('what no answer above did', () => {
  it('no connection-specific field was set (Node warns when it drops one) and nothing failed server-side', () => {
    expect(warnings.filter((w) => /connection header|ERR_HTTP2/i.test(w))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
