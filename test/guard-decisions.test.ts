// Direct tests of each browser-safety guard's decisions: which requests get a
// 415 / 400 / 403 / 421 and what the answer says, at the exact boundaries
// (lengths, ports, octets, case, brackets, encodings). Requests are small
// doubles with the fields the guards read; CORS answers go through a real
// HTTP server on 127.0.0.1.
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TAR_MEDIA_TYPES, contentTypeProblem, mediaType } from '../lib/http/guards/content-type';
import { dotSegmentProblem } from '../lib/http/guards/dot-segments';
import { hostProblem, makeHostPolicy, parseHost } from '../lib/http/guards/host-guard';
import { allowedOriginOf, applyCors, makeOriginPolicy, originProblem } from '../lib/http/guards/origin-guard';
import { type RefusalEvent, makeRequestGuard } from '../lib/http/guards/request-guard';

const PORT = 8100;

interface Init { method?: string; httpVersion?: string; localPort?: number; encrypted?: boolean; noSocket?: boolean }

function req(headers: Record<string, string>, init: Init = {}): IncomingMessage {
  return {
    rawHeaders: Object.entries(headers).flat(),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    method: 'method' in init ? init.method : 'GET',
    httpVersion: init.httpVersion ?? '1.1',
    socket: init.noSocket ? undefined : { localPort: init.localPort ?? PORT, encrypted: init.encrypted },
  } as unknown as IncomingMessage;
}

const HOST_REFUSAL_TAIL = 'is not served here: only loopback addresses and localhost on this port, and names in allowedHosts '
  + '(--allowed-hosts), are answered';

describe('content type (415)', () => {
  const body = { 'Content-Length': '10' };

  it('a tar upload without Content-Type is accepted only as PUT', () => {
    expect(contentTypeProblem(req(body, { method: 'PUT' }), 'box.files')).toBeNull();
    const post = contentTypeProblem(req(body, { method: 'POST' }), 'box.files');
    expect(post?.status).toBe(415);
    expect(post?.message).toBe(`invalid argument: a request body needs a Content-Type; send one of ${TAR_MEDIA_TYPES.join(', ')}`);
    // PUT with a body on a JSON route still needs application/json.
    const put = contentTypeProblem(req(body, { method: 'PUT' }), 'boxes');
    expect(put?.status).toBe(415);
    expect(put?.message).toBe('invalid argument: a request body needs Content-Type: application/json');
  });

  it('a Content-Length of spaces and zero is no body; any other length or chunking is one', () => {
    expect(contentTypeProblem(req({ 'Content-Length': ' 0 ' }, { method: 'POST' }), 'boxes')).toBeNull();
    expect(contentTypeProblem(req({ 'Content-Length': '1' }, { method: 'DELETE' }), 'boxes')?.status).toBe(415);
    expect(contentTypeProblem(req({ 'Transfer-Encoding': 'chunked', 'Content-Length': '0' }, { method: 'POST' }), 'boxes')?.status).toBe(415);
  });

  it('the refusal names the sent value, JSON-quoted and cut at 100 characters, and what the route takes', () => {
    const long = `text/plain; x=${'a'.repeat(200)}`;
    const json = contentTypeProblem(req({ ...body, 'Content-Type': long }, { method: 'POST' }), 'boxes');
    expect(json?.message).toBe(`invalid argument: unsupported Content-Type ${JSON.stringify(long.slice(0, 100))}; this endpoint takes application/json`);
    const tar = contentTypeProblem(req({ ...body, 'Content-Type': long }, { method: 'PUT' }), 'box.files');
    expect(tar?.status).toBe(415);
    expect(tar?.message).toBe(`invalid argument: unsupported Content-Type ${JSON.stringify(long.slice(0, 100))}; `
      + 'file uploads take application/x-tar, application/gzip, application/x-gzip, application/octet-stream');
    const exact = 'x'.repeat(100);
    expect(contentTypeProblem(req({ ...body, 'Content-Type': exact }, { method: 'POST' }), 'boxes')?.message)
      .toContain(`"${exact}";`);
  });

  it('mediaType keeps type/subtype, lower case, without parameters or spaces', () => {
    expect(mediaType('APPLICATION/X-TAR')).toBe('application/x-tar');
    expect(mediaType(' application/json ')).toBe('application/json');
    expect(mediaType('application/json;charset=utf-8')).toBe('application/json');
    expect(mediaType('text/plain ;a=b;c=d')).toBe('text/plain');
    expect(mediaType(';x')).toBe('');
  });
});

describe('dot segments (400)', () => {
  it('refuses every spelling of . and .. as a whole segment', () => {
    for (const p of ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2e', '.%2E', '%2e.', 'boxes/%2e', 'boxes/x/%2E%2E']) {
      expect(dotSegmentProblem(p)?.status, p).toBe(400);
    }
  });

  it('refuses ids that hold a dot component behind an encoded or raw / or \\', () => {
    for (const p of ['boxes/..%2Fx', 'boxes/x%2F..', 'boxes/x%2f.', 'boxes/..%5cx', 'boxes/x%5C.', 'boxes/..\\x', 'boxes/x\\..',
      'boxes/a\\.\\b', 'boxes/%2e%2e%5Cx']) {
      expect(dotSegmentProblem(p)?.status, p).toBe(400);
    }
  });

  it('accepts dots and escapes that are not a dot component, and leaves malformed escapes to the router', () => {
    for (const p of ['a.', '.a', '...', '%2e%2e%2e', '%2ex', 'x%2e', '%2', '%2e%', 'a%2F...', 'a\\...', 'a%20.b', 'boxes/..%zz',
      'boxes/%E0%A4%A', 'boxes/a.b/executions/e.1', '%25', '%2e%252e']) {
      expect(dotSegmentProblem(p), p).toBeNull();
    }
  });

  it('the message quotes the offending segment, cut at 64 characters', () => {
    const seg = `..%2F${'a'.repeat(100)}`;
    const err = dotSegmentProblem(`boxes/${seg}/exec`);
    expect(err?.message).toBe(`invalid argument: path segment ${JSON.stringify(seg.slice(0, 64))} is not allowed: `
      + "'.' and '..' are never a prefix, box id or execution id");
    expect(dotSegmentProblem('boxes/..')?.message).toContain('path segment ".." is not allowed');
  });
});

describe('Host parsing', () => {
  it('trims and lower-cases; keeps the port', () => {
    expect(parseHost(' LocalHost:8100 ')).toEqual({ name: 'localhost', port: 8100 });
    expect(parseHost('[FD00::1]')).toEqual({ name: '[fd00::1]', port: null });
    expect(parseHost('[::1]:0')).toEqual({ name: '[::1]', port: 0 });
    expect(parseHost('a_b-c.d')).toEqual({ name: 'a_b-c.d', port: null });
  });

  it('names up to 253 characters; ports of 1 to 5 digits up to 65535', () => {
    const label = 'a'.repeat(63);
    const name253 = [label, label, label, 'b'.repeat(61)].join('.');
    expect(name253.length).toBe(253);
    expect(parseHost(name253)).toEqual({ name: name253, port: null });
    expect(parseHost(`${name253}:1`)).toEqual({ name: name253, port: 1 });
    expect(parseHost(`${name253}b`)).toBeNull();
    expect(parseHost('a:65535')).toEqual({ name: 'a', port: 65535 });
    expect(parseHost('a:00080')).toEqual({ name: 'a', port: 80 });
    for (const bad of ['a:65536', 'a:99999', 'a:000080', 'a:', 'a:x1', 'a:1x', 'a: 1', 'a:+1', 'a:1.5', '[::1]:', '[::1]:65536']) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });

  it('refuses a bracketed address followed by anything but :port, and bare IPv6', () => {
    for (const bad of ['[::1]x80', '[::1]80', '[::1]]:80', '[::1', '[', '[]', '[]:80', '[::1]:80:', '::1', 'fd00::1:80', '[:80', '[g::1]']) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });
});

describe('Host policy', () => {
  it("'*' answers every Host; no option enforces only without auth", () => {
    expect(makeHostPolicy('*', true)).toEqual({ enforced: false, entries: [] });
    expect(makeHostPolicy(undefined, true)).toEqual({ enforced: true, entries: [] });
    expect(makeHostPolicy(undefined, false)).toEqual({ enforced: false, entries: [] });
  });

  it('a list is parsed into entries and turns the check on even with auth', () => {
    expect(makeHostPolicy([' Box.Internal ', '.Corp.Example:9000', '[FD00::1]:8100'], false)).toEqual({
      enforced: true,
      entries: [
        { name: 'box.internal', suffix: false, port: null },
        { name: 'corp.example', suffix: true, port: 9000 },
        { name: '[fd00::1]', suffix: false, port: 8100 },
      ],
    });
    expect(makeHostPolicy([], false)).toEqual({ enforced: true, entries: [] });
  });

  it('bad options are TypeErrors that say what was wrong', () => {
    expect(() => makeHostPolicy('x' as unknown as string[], true)).toThrow(new TypeError("allowedHosts must be a list of host names or '*'"));
    expect(() => makeHostPolicy({ length: 0 } as unknown as string[], true)).toThrow("allowedHosts must be a list of host names or '*'");
    expect(() => makeHostPolicy([42] as unknown as string[], true)).toThrow(new TypeError('allowedHosts: 42 is not a string'));
    expect(() => makeHostPolicy([{ startsWith: () => false }] as unknown as string[], true))
      .toThrow(new TypeError('allowedHosts: [object Object] is not a string'));
    expect(() => makeHostPolicy(['a', '*'], true))
      .toThrow(new TypeError("allowedHosts: '*' must be given alone (allowedHosts: '*'), not in a list"));
    expect(() => makeHostPolicy(['a b'], true))
      .toThrow(new TypeError('allowedHosts: "a b" is not a host name, name:port, .domain or IP literal'));
    expect(() => makeHostPolicy(['.'], true)).toThrow(TypeError);
  });
});

describe('Host check (400 / 421)', () => {
  const noAuth = makeHostPolicy(undefined, true);
  const token = makeHostPolicy(undefined, false);

  it('a missing Host: 400 on HTTP/1.1; on HTTP/1.0, 421 where enforced and allowed otherwise', () => {
    for (const policy of [noAuth, token, makeHostPolicy('*', true)]) {
      const err = hostProblem(req({}), policy);
      expect(err?.status).toBe(400);
      expect(err?.message).toBe('invalid argument: missing Host header (required by HTTP/1.1)');
    }
    const err = hostProblem(req({}, { httpVersion: '1.0' }), noAuth);
    expect(err?.status).toBe(421);
    expect(err?.message).toBe('invalid argument: this server answers only requests that name it in a Host header');
    expect(hostProblem(req({}, { httpVersion: '1.0' }), makeHostPolicy('*', true))).toBeNull();
    expect(hostProblem(req({}, { httpVersion: '2.0' }), token)).toBeNull();
  });

  it('loopback: localhost, [::1] and all of 127.0.0.0/8 written as four decimal octets up to 255', () => {
    for (const ok of ['localhost', '[::1]', '127.0.0.1', '127.255.255.255', '127.10.20.30', '127.100.200.250', '127.001.002.003']) {
      expect(hostProblem(req({ Host: `${ok}:${PORT}` }), noAuth), ok).toBeNull();
    }
    for (const bad of ['127.256.0.1', '127.0.256.1', '127.0.0.256', '127.0.0.1000', '127.0.0', '127.0.0.1.evil.example', 'x127.0.0.1',
      '128.0.0.1', '127.0.0.1.', 'localhost.evil.example', 'evil.localhost', '[::2]', '[0:0:0:0:0:0:0:1]', '0x7f.0.0.1']) {
      const err = hostProblem(req({ Host: `${bad}:${PORT}` }), noAuth);
      expect(err?.status, bad).toBe(421);
    }
  });

  it('the refusal quotes the Host, cut at 100 characters', () => {
    const host = `${'e'.repeat(150)}.example`;
    expect(hostProblem(req({ Host: host }), noAuth)?.message)
      .toBe(`invalid argument: host ${JSON.stringify(host.slice(0, 100))} ${HOST_REFUSAL_TAIL}`);
    expect(hostProblem(req({ Host: 'evil.example' }), noAuth)?.message).toBe(`invalid argument: host "evil.example" ${HOST_REFUSAL_TAIL}`);
    expect(hostProblem(req({ Host: 'a b' }), noAuth)?.message).toBe(`invalid argument: host "a b" ${HOST_REFUSAL_TAIL}`);
  });

  it('with no socket to learn the arrival port from, loopback names are answered on any port', () => {
    expect(hostProblem(req({ Host: 'localhost:1' }, { noSocket: true }), noAuth)).toBeNull();
    expect(hostProblem(req({ Host: 'localhost' }, { noSocket: true }), noAuth)).toBeNull();
    expect(hostProblem(req({ Host: 'evil.example' }, { noSocket: true }), noAuth)?.status).toBe(421);
    const listed = makeHostPolicy(['box.internal:80'], false);
    expect(hostProblem(req({ Host: 'box.internal' }, { noSocket: true }), listed)).toBeNull();
  });

  it('a Host without a port means 80, or 443 over TLS, for listed names too', () => {
    const listed = makeHostPolicy(['box.internal:443', 'plain.internal:80'], false);
    expect(hostProblem(req({ Host: 'box.internal' }, { encrypted: true }), listed)).toBeNull();
    expect(hostProblem(req({ Host: 'box.internal' }), listed)?.status).toBe(421);
    expect(hostProblem(req({ Host: 'plain.internal' }), listed)).toBeNull();
    expect(hostProblem(req({ Host: 'plain.internal' }, { encrypted: true }), listed)?.status).toBe(421);
  });

  it('suffix entries take the domain and its subdomains, not names that merely end the same', () => {
    const listed = makeHostPolicy(['.corp.example'], false);
    for (const ok of ['corp.example', 'CORP.example:1', 'a.corp.example', 'a.b.corp.example:65535']) {
      expect(hostProblem(req({ Host: ok }), listed), ok).toBeNull();
    }
    for (const bad of ['xcorp.example', 'corp.example.evil', 'corp.examplex', 'example']) {
      expect(hostProblem(req({ Host: bad }), listed)?.status, bad).toBe(421);
    }
    // A plain entry is that name only.
    const plain = makeHostPolicy(['corp.example'], false);
    expect(hostProblem(req({ Host: 'a.corp.example' }), plain)?.status).toBe(421);
  });
});

describe('Origin policy', () => {
  it('keeps serialized origins, lower case, default ports dropped', () => {
    expect([...makeOriginPolicy(['HTTP://LocalHost:3000', 'https://ui.example.com:443', 'http://[::1]:80/']).allowed])
      .toEqual(['http://localhost:3000', 'https://ui.example.com', 'http://[::1]']);
    expect(makeOriginPolicy(undefined).allowed.size).toBe(0);
    expect(makeOriginPolicy([]).allowed.size).toBe(0);
  });

  it('refuses anything that is not a bare origin, naming it', () => {
    for (const bad of ['file:///', 'foo://bar/', 'http://x/#a', 'http://x/?q', 'http://u@x', 'http://:p@x', 'http://x/a', '*', 'null', '']) {
      expect(() => makeOriginPolicy([bad]), bad).toThrow(
        new TypeError(`allowedOrigins: ${JSON.stringify(bad)} is not an origin like "https://ui.example.com" or "http://localhost:3000"`));
    }
    // Only strings: a URL object is refused too.
    expect(() => makeOriginPolicy([new URL('http://localhost:3000')] as unknown as string[])).toThrow(TypeError);
    expect(() => makeOriginPolicy('http://localhost:3000' as unknown as string[]))
      .toThrow(new TypeError('allowedOrigins must be a list of origins like "http://localhost:3000"'));
    expect(() => makeOriginPolicy({ length: 0 } as unknown as string[])).toThrow(TypeError);
  });
});

describe('Origin check (403)', () => {
  const ui = makeOriginPolicy(['http://localhost:3000']);

  it('allowedOriginOf gives the header as sent for an allowed origin, else undefined', () => {
    expect(allowedOriginOf(req({ Origin: 'HTTP://LOCALHOST:3000' }), ui)).toBe('HTTP://LOCALHOST:3000');
    expect(allowedOriginOf(req({ Origin: 'http://localhost:3001' }), ui)).toBeUndefined();
    expect(allowedOriginOf(req({ Origin: 'null' }), ui)).toBeUndefined();
    expect(allowedOriginOf(req({}), ui)).toBeUndefined();
  });

  it('the refusal quotes the Origin, cut at 100 characters, and names the option', () => {
    const origin = `http://${'e'.repeat(150)}.example`;
    expect(originProblem(req({ Origin: origin }), ui)?.message).toBe(`permission denied: requests from web origin ${JSON.stringify(origin.slice(0, 100))} `
      + 'are refused (not in allowedOrigins / --allowed-origins)');
    const err = originProblem(req({ Origin: 'http://evil.example' }), ui);
    expect(err?.status).toBe(403);
    expect(err?.message).toBe('permission denied: requests from web origin "http://evil.example" are refused (not in allowedOrigins / --allowed-origins)');
  });

  it('Fetch Metadata without Origin: cross-site and same-site refused (any case), same-origin, none and unknown values allowed', () => {
    expect(originProblem(req({ 'Sec-Fetch-Site': 'CROSS-SITE' }), ui)?.message)
      .toBe('permission denied: cross-site requests from web pages are refused (Sec-Fetch-Site: cross-site)');
    expect(originProblem(req({ 'Sec-Fetch-Site': 'same-site' }), ui)?.message)
      .toBe('permission denied: same-site requests from web pages are refused (Sec-Fetch-Site: same-site)');
    for (const ok of ['same-origin', 'none', 'cross-origin', '']) {
      expect(originProblem(req({ 'Sec-Fetch-Site': ok }), ui), ok).toBeNull();
    }
  });
});

describe('CORS for an allowed origin (real server)', () => {
  let server: Server;
  let port: number;
  const handled: boolean[] = [];

  beforeAll(async () => {
    server = createServer((rq: IncomingMessage, rs: ServerResponse) => {
      const preflight = applyCors(rq, rs, 'http://localhost:3000', 'req-7');
      handled.push(preflight);
      if (!preflight) {
        rs.writeHead(200, { 'Content-Type': 'text/plain' });
        rs.end('routed');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function send(method: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, method, path: '/v1/boxes', headers: { Connection: 'close', ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      r.on('error', reject);
      r.end();
    });
  }

  it('a preflight (OPTIONS with Access-Control-Request-Method) is answered 204 with the allowed methods and headers', async () => {
    handled.length = 0;
    const res = await send('OPTIONS', { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' });
    expect(handled).toEqual([true]);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:3000',
      vary: 'Origin',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type, X-Request-Id, Idempotency-Key',
      'access-control-max-age': '600',
      'x-request-id': 'req-7',
    });
    expect(res.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('other requests (a plain OPTIONS, a POST naming a method) go on to the route with the CORS answer headers', async () => {
    for (const [method, headers] of [['OPTIONS', {}], ['POST', { 'Access-Control-Request-Method': 'POST' }], ['GET', {}]] as const) {
      handled.length = 0;
      const res = await send(method, { Origin: 'http://localhost:3000', ...headers });
      expect(handled, method).toEqual([false]);
      expect(res.status).toBe(200);
      expect(res.body).toBe('routed');
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(res.headers.vary).toBe('Origin');
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id, Location, Retry-After');
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.headers['access-control-max-age']).toBeUndefined();
    }
  });
});

describe('request guard', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('refusals go to onRefusal with the request id, status, message, method and upgrade flag', () => {
    const events: RefusalEvent[] = [];
    const guard = makeRequestGuard({ noAuth: true, onRefusal: (e) => { events.push(e); } });
    const host = guard.check(req({ Host: 'evil.example' }, { method: 'POST' }), 'boxes', 'r1', false);
    expect(host?.status).toBe(421);
    const origin = guard.check(req({ Host: `localhost:${PORT}`, Origin: 'http://evil.example' }, { method: undefined }), 'boxes', 'r2', true);
    expect(origin?.status).toBe(403);
    expect(events).toEqual([
      { requestId: 'r1', status: 421, message: host?.message, method: 'POST', upgrade: false },
      { requestId: 'r2', status: 403, message: origin?.message, method: 'GET', upgrade: true },
    ]);
    // Dot segments are a plain 400, not reported; an accepted request gets null.
    expect(guard.check(req({ Host: `localhost:${PORT}` }), 'boxes/..', 'r3', false)?.status).toBe(400);
    expect(guard.check(req({ Host: `localhost:${PORT}` }), 'boxes/a.b', 'r4', false)).toBeNull();
    expect(events).toHaveLength(2);
    guard.close();
  });

  it('the Host check runs before the Origin check, and both before dot segments', () => {
    const events: RefusalEvent[] = [];
    const guard = makeRequestGuard({ noAuth: true, allowedOrigins: ['http://localhost:3000'], onRefusal: (e) => { events.push(e); } });
    expect(guard.check(req({ Host: 'evil.example', Origin: 'http://evil.example' }), '..', 'r', false)?.status).toBe(421);
    expect(guard.check(req({ Host: `localhost:${PORT}`, Origin: 'http://evil.example' }), '..', 'r', false)?.status).toBe(403);
    expect(guard.check(req({ Host: `localhost:${PORT}`, Origin: 'http://localhost:3000' }), '..', 'r', false)?.status).toBe(400);
    expect(guard.origins.allowed.has('http://localhost:3000')).toBe(true);
    expect(guard.hosts.enforced).toBe(true);
    guard.close();
  });

  it('a throwing onRefusal does not change the answer', () => {
    const guard = makeRequestGuard({ noAuth: true, onRefusal: () => { throw new Error('logger down'); } });
    expect(guard.check(req({ Host: 'evil.example' }), 'boxes', 'r', false)?.status).toBe(421);
    guard.close();
  });

  it('a non-function onRefusal is a TypeError', () => {
    expect(() => makeRequestGuard({ noAuth: true, onRefusal: 'log' as unknown as () => void }))
      .toThrow(new TypeError('onRefusal must be a function (event) => void'));
  });

  it('by default refusals are written to stderr, rate-limited per status, with a summary on close', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    const guard = makeRequestGuard({ noAuth: true });
    const host = guard.check(req({ Host: 'evil.example' }, { method: 'DELETE' }), 'boxes', 'r1', false);
    guard.check(req({ Host: 'evil.example' }), 'boxes', 'r2', true);
    for (let i = 0; i < 10; i++) guard.check(req({ Host: 'evil.example' }), 'boxes', `x${i}`, false);
    guard.check(req({ Host: `localhost:${PORT}`, 'Sec-Fetch-Site': 'cross-site' }, { method: 'POST' }), 'boxes', 'o1', false);
    expect(lines.slice(0, 2)).toEqual([
      `[boxlite-native] refused DELETE (request r1): 421 ${host?.message}\n`,
      `[boxlite-native] refused WebSocket upgrade (request r2): 421 ${host?.message}\n`,
    ]);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('[boxlite-native] refused POST (request o1): 403 permission denied: cross-site requests from web pages are refused '
      + '(Sec-Fetch-Site: cross-site)\n');
    guard.close();
    expect(lines.slice(6)).toEqual(['[boxlite-native] 7 more refused-421 event(s) in the last 10 s were not logged (rate limit)\n']);
  });

  it('with onRefusal given nothing goes to stderr, and close() is harmless', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const guard = makeRequestGuard({ noAuth: true, onRefusal: () => {} });
    for (let i = 0; i < 10; i++) guard.check(req({ Host: 'evil.example' }), 'boxes', 'r', false);
    guard.close();
    expect(write).not.toHaveBeenCalled();
  });
});
