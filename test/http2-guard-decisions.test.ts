// Direct tests of the guards' HTTP/2 decisions (the whole handler on real
// HTTP/2 servers is test/http2-compat.test.ts). The Host guard judges an
// HTTP/2 request by its `:authority` (RFC 9113 8.3.1), Host only standing in
// when it is absent, and refuses a Host that names another server; the
// Content-Type guard tells an HTTP/2 body from its stream when no
// Content-Length says; the Idempotency-Key store keeps answers written
// through Node's Http2ServerResponse (a real h2c server on 127.0.0.1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeProblem } from '../lib/http/guards/content-type';
import { hostProblem, makeHostPolicy } from '../lib/http/guards/host-guard';
import { IdempotencyStore } from '../lib/http/guards/idempotency';
import { closeSession, connect, h2request } from './http2-support';

const PORT = 8100;
const HOST_REFUSAL_TAIL = 'is not served here: only loopback addresses and localhost on this port, and names in allowedHosts '
  + '(--allowed-hosts), are answered';

interface Init {
  /** 2 (default here) or 1: an HTTP/1.1 request. */
  major?: 1 | 2;
  localPort?: number;
  encrypted?: boolean;
  method?: string;
  /** Http2Stream.endAfterHeaders: the HEADERS frame ended the stream (no body follows). */
  endAfterHeaders?: boolean;
}

/** A request double with the fields the guards read, as Node's Http2ServerRequest has them. */
function req(headers: Array<[string, string]>, init: Init = {}): IncomingMessage {
  const major = init.major ?? 2;
  return {
    rawHeaders: headers.flat(),
    headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])),
    method: init.method ?? 'GET',
    httpVersion: major === 2 ? '2.0' : '1.1',
    httpVersionMajor: major,
    socket: { localPort: init.localPort ?? PORT, encrypted: init.encrypted },
    stream: major === 2 ? { endAfterHeaders: init.endAfterHeaders ?? false } : undefined,
  } as unknown as IncomingMessage;
}

const authority = (value: string, init?: Init) => req([[':authority', value]], init);
const both = (auth: string, host: string, init?: Init) => req([[':authority', auth], ['host', host]], init);
const mismatch = (host: string, auth: string) => `invalid argument: Host ${JSON.stringify(host)} names another server than `
  + `:authority ${JSON.stringify(auth)} (a malformed HTTP/2 request, RFC 9113 8.3.1)`;

describe('Host guard over HTTP/2: :authority', () => {
  const noAuth = () => makeHostPolicy(undefined, true);

  it('is judged by the same rules as a Host: loopback on the arrival port, listed names', () => {
    for (const ok of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LocalHost:${PORT}`]) {
      expect(hostProblem(authority(ok), noAuth()), ok).toBeNull();
    }
    for (const bad of ['evil.example', `evil.example:${PORT}`, `localhost:${PORT + 1}`, 'localhost', `u@localhost:${PORT}`, 'a b']) {
      const err = hostProblem(authority(bad), noAuth());
      expect(err?.status, bad).toBe(421);
      expect(err?.message, bad).toBe(`invalid argument: host ${JSON.stringify(bad)} ${HOST_REFUSAL_TAIL}`);
    }
    const listed = makeHostPolicy(['box.internal', '.corp.example:443'], false);
    expect(hostProblem(authority('box.internal:1'), listed)).toBeNull();
    expect(hostProblem(authority('a.corp.example', { encrypted: true }), listed)).toBeNull();
    expect(hostProblem(authority('a.corp.example'), listed)?.status).toBe(421);
    // Token mode without allowedHosts answers any name, as for Host.
    expect(hostProblem(authority('evil.example'), makeHostPolicy(undefined, false))).toBeNull();
    expect(hostProblem(authority('evil.example'), makeHostPolicy('*', true))).toBeNull();
  });

  it('wins over Host: a Host equal to it changes nothing, a Host alone stands in for it', () => {
    expect(hostProblem(both(`localhost:${PORT}`, `localhost:${PORT}`), noAuth())).toBeNull();
    expect(hostProblem(req([['host', `localhost:${PORT}`]]), noAuth())).toBeNull();
    const err = hostProblem(req([['host', 'evil.example']]), noAuth());
    expect(err?.status).toBe(421);
    expect(err?.message).toBe(`invalid argument: host "evil.example" ${HOST_REFUSAL_TAIL}`);
  });

  it('neither :authority nor Host: 421 where the check is on, answered otherwise (never the HTTP/1.1 400)', () => {
    const err = hostProblem(req([]), noAuth());
    expect(err?.status).toBe(421);
    expect(err?.message).toBe('invalid argument: this server answers only requests that name it in a Host header');
    expect(hostProblem(req([]), makeHostPolicy(undefined, false))).toBeNull();
    expect(hostProblem(req([]), makeHostPolicy('*', true))).toBeNull();
  });

  it('a Host that names another server than :authority is 400 whatever the policy, checked before anything is remembered', () => {
    for (const policy of [noAuth(), makeHostPolicy(undefined, false), makeHostPolicy('*', true), makeHostPolicy(['evil.example'], false)]) {
      for (const [auth, host] of [
        [`localhost:${PORT}`, 'evil.example'], // a rebinding page's name behind a good :authority
        ['evil.example', `localhost:${PORT}`], // and the reverse
        [`localhost:${PORT}`, `localhost:${PORT + 1}`], // another port
        [`localhost:${PORT}`, `127.0.0.1:${PORT}`], // another name for the same address is another name
        [`localhost:${PORT}`, 'a b'], // a Host that names nothing
        ['a b', `localhost:${PORT}`],
      ]) {
        const err = hostProblem(both(auth, host), policy);
        expect(err?.status, `${auth} / ${host}`).toBe(400);
        expect(err?.message).toBe(mismatch(host, auth));
      }
    }
    // Both quoted, each cut at 100 characters.
    const long = `${'h'.repeat(150)}.example`;
    const longer = `${'a'.repeat(150)}.example`;
    expect(hostProblem(both(longer, long), noAuth())?.message).toBe(mismatch(long.slice(0, 100), longer.slice(0, 100)));
  });

  it('compares the two as entities: case, and a port left implied by the scheme', () => {
    expect(hostProblem(both(`LOCALHOST:${PORT}`, `localhost:${PORT}`), noAuth())).toBeNull();
    // Without a port, 80 in clear and 443 over TLS.
    expect(hostProblem(both('localhost', 'localhost:80', { localPort: 80 }), noAuth())).toBeNull();
    expect(hostProblem(both('localhost:80', 'localhost', { localPort: 80 }), noAuth())).toBeNull();
    expect(hostProblem(both('localhost', 'localhost:443', { localPort: 443, encrypted: true }), noAuth())).toBeNull();
    expect(hostProblem(both('localhost:443', 'localhost', { localPort: 443, encrypted: true }), noAuth())).toBeNull();
    expect(hostProblem(both('localhost', 'localhost:80', { localPort: 443, encrypted: true }), noAuth())?.status).toBe(400);
    expect(hostProblem(both('localhost:80', 'localhost', { localPort: 443, encrypted: true }), noAuth())?.status).toBe(400);
    // The same text is the same entity even when it names nothing: then the name itself is judged.
    expect(hostProblem(both('a b', 'a b'), makeHostPolicy('*', true))).toBeNull();
    expect(hostProblem(both('a b', 'a b'), noAuth())?.status).toBe(421);
  });

  it('shares the memo with HTTP/1.1 Host safely: a remembered name never lets another field through', () => {
    const policy = noAuth();
    const good = `localhost:${PORT}`;
    expect(hostProblem(req([['Host', good]], { major: 1 }), policy)).toBeNull();
    expect(policy.lastPassed?.raw).toBe(good);
    // Over HTTP/2 the same name passes as :authority; other names are still judged.
    expect(hostProblem(authority(good), policy)).toBeNull();
    expect(hostProblem(authority('evil.example'), policy)?.status).toBe(421);
    // The remembered name as Host does not carry an evil :authority, nor the reverse.
    expect(hostProblem(both('evil.example', good), policy)?.status).toBe(400);
    expect(hostProblem(both(good, 'evil.example'), policy)?.status).toBe(400);
    expect(policy.lastPassed?.raw).toBe(good);
    // And a name remembered from :authority does not carry an HTTP/1.1 Host.
    const other = noAuth();
    expect(hostProblem(authority(good), other)).toBeNull();
    expect(hostProblem(req([['Host', 'evil.example']], { major: 1 }), other)?.status).toBe(421);
  });

  it('HTTP/1.1 never reads :authority (no HTTP/1 field name starts with a colon)', () => {
    const policy = noAuth();
    expect(hostProblem(req([[':authority', 'evil.example'], ['Host', `localhost:${PORT}`]], { major: 1 }), policy)).toBeNull();
    expect(hostProblem(req([[':authority', `localhost:${PORT}`], ['Host', 'evil.example']], { major: 1 }), policy)?.status).toBe(421);
    const missing = hostProblem(req([[':authority', `localhost:${PORT}`]], { major: 1 }), makeHostPolicy('*', true));
    expect(missing?.status).toBe(400);
    expect(missing?.message).toBe('invalid argument: missing Host header (required by HTTP/1.1)');
  });
});

describe('Content-Type guard over HTTP/2: a body without Content-Length', () => {
  const post = (headers: Array<[string, string]>, init: Init = {}) => contentTypeProblem(req(headers, { method: 'POST', ...init }), 'boxes');

  it('is announced by a stream left open after HEADERS, and then needs a Content-Type', () => {
    const err = post([], { endAfterHeaders: false });
    expect(err?.status).toBe(415);
    expect(err?.message).toBe('invalid argument: a request body needs Content-Type: application/json');
    expect(post([['content-type', 'text/plain']], { endAfterHeaders: false })?.status).toBe(415);
    expect(post([['content-type', 'application/json']], { endAfterHeaders: false })).toBeNull();
  });

  it('a HEADERS frame that ends the stream is a body-less request (start/stop), accepted without Content-Type', () => {
    expect(post([], { endAfterHeaders: true })).toBeNull();
  });

  it('Content-Length, when given, decides as over HTTP/1.1', () => {
    expect(post([['content-length', '0']], { endAfterHeaders: false })).toBeNull();
    expect(post([['content-length', ' 0 ']], { endAfterHeaders: false })).toBeNull();
    expect(post([['content-length', '12']], { endAfterHeaders: false })?.status).toBe(415);
  });

  it('HTTP/1.1 is judged by its framing headers only', () => {
    expect(contentTypeProblem(req([], { major: 1, method: 'POST' }), 'boxes')).toBeNull();
    expect(contentTypeProblem(req([['Transfer-Encoding', 'chunked']], { major: 1, method: 'POST' }), 'boxes')?.status).toBe(415);
  });
});

describe('Idempotency-Key answers written through an Http2ServerResponse', () => {
  const store = new IdempotencyStore({ lifetimeMs: 60_000, maxEntries: 10, maxBytes: 1 << 20 });
  let runs = 0;
  /** What the next run writes: one end(body) (as every route but downloads), or pieces. */
  let streamed = false;
  let server: http2.Http2Server;
  let session: http2.ClientHttp2Session;
  beforeAll(async () => {
    server = http2.createServer((req, res) => {
      const identity = { req: req as unknown as IncomingMessage, match: { name: 'boxes' as const, prefix: '' }, principal: 'p', afterV1: 'boxes', query: '', body: undefined };
      store.perform(identity, res as unknown as ServerResponse, async () => {
        runs++;
        res.writeHead(201, { 'Content-Type': 'text/plain', 'X-Run': String(runs) });
        if (streamed) res.write('run ');
        res.end(streamed ? String(runs) : `run ${runs}`);
      }, (err) => {
        res.writeHead((err as { status: number }).status);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    session = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await closeSession(session);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const post = (key: string) => h2request(session, { method: 'POST', path: '/v1/boxes', headers: { 'idempotency-key': key } });
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('an answer ended with its body is kept and replayed byte for byte', async () => {
    const key = '00000000-0000-4000-8000-0000000000a1';
    const first = await post(key);
    await settled();
    const again = await post(key);
    expect(runs).toBe(1);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['x-run']).toBe('1');
    expect(again.text).toBe(first.text);
    expect(again.text).toBe('run 1');
  });

  it('an answer written in pieces is still not kept: the next request with the key runs again', async () => {
    streamed = true;
    const key = '00000000-0000-4000-8000-0000000000a2';
    expect((await post(key)).text).toBe('run 2');
    await settled();
    const again = await post(key);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.text).toBe('run 3');
    expect(runs).toBe(3);
  });
});
