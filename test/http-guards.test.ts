// Unit tests of the request guards (no server): Host, Origin/Fetch Metadata,
// Content-Type, dot segments and the rate-limited log. Requests are plain
// objects with the fields the guards read (rawHeaders, method, socket).
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contentTypeProblem, mediaType } from '../lib/http/guards/content-type';
import { dotSegmentProblem } from '../lib/http/guards/dot-segments';
import { hostProblem, makeHostPolicy, parseHost } from '../lib/http/guards/host-guard';
import { rateLimitedLog } from '../lib/http/guards/log-limiter';
import { makeOriginPolicy, originProblem } from '../lib/http/guards/origin-guard';
import { makePrefixPolicy } from '../lib/http/routing/prefix';
import type { RouteName } from '../lib/http/routing/router';

const PORT = 8100;

function req(headers: Record<string, string>, init: { method?: string; httpVersion?: string; localPort?: number; encrypted?: boolean } = {}): IncomingMessage {
  const rawHeaders = Object.entries(headers).flat();
  return {
    rawHeaders,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    method: init.method ?? 'GET',
    httpVersion: init.httpVersion ?? '1.1',
    socket: { localPort: init.localPort ?? PORT, encrypted: init.encrypted },
  } as unknown as IncomingMessage;
}

describe('Host check', () => {
  const noAuth = makeHostPolicy(undefined, true);
  const token = makeHostPolicy(undefined, false);

  it('parses name, name:port and bracketed IPv6; refuses malformed values', () => {
    expect(parseHost('LocalHost:8100')).toEqual({ name: 'localhost', port: 8100 });
    expect(parseHost('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(parseHost('127.0.0.1')).toEqual({ name: '127.0.0.1', port: null });
    for (const bad of ['', ':80', 'a:b', 'a:99999', '::1', 'a b', 'a/b', '[::1', 'x:1:2', 'evil.example@127.0.0.1']) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });

  it('no-auth mode answers loopback addresses and localhost on the arrival port only (421 otherwise)', () => {
    for (const ok of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `LOCALHOST:${PORT}`, `[::1]:${PORT}`, `127.1.2.3:${PORT}`]) {
      expect(hostProblem(req({ Host: ok }), noAuth), ok).toBeNull();
    }
    for (const bad of ['attacker.example', `attacker.example:${PORT}`, `127.0.0.1:${PORT + 1}`, '127.0.0.1', 'localhost',
      `localhost.:${PORT}`, `sub.localhost:${PORT}`, `127.0.0.256:${PORT}`, `10.0.0.1:${PORT}`, `0.0.0.0:${PORT}`, 'a:b']) {
      const err = hostProblem(req({ Host: bad }), noAuth);
      expect(err?.status, bad).toBe(421);
      expect(err?.message).toMatch(/is not served here/);
    }
    // A Host without a port implies 80 (443 over TLS).
    expect(hostProblem(req({ Host: 'localhost' }, { localPort: 80 }), noAuth)).toBeNull();
    expect(hostProblem(req({ Host: 'localhost' }, { localPort: 443, encrypted: true }), noAuth)).toBeNull();
    expect(hostProblem(req({ Host: 'localhost' }, { localPort: 443 }), noAuth)?.status).toBe(421);
  });

  it('a missing Host is 400 on HTTP/1.1 in every mode; on HTTP/1.0 421 only where Host is enforced', () => {
    expect(hostProblem(req({}), noAuth)?.status).toBe(400);
    expect(hostProblem(req({}), token)?.status).toBe(400);
    expect(hostProblem(req({}, { httpVersion: '1.0' }), noAuth)?.status).toBe(421);
    expect(hostProblem(req({}, { httpVersion: '1.0' }), token)).toBeNull();
  });

  it('token mode answers any Host unless allowedHosts is given; then the same rule as no-auth plus the list', () => {
    expect(hostProblem(req({ Host: 'anything.example' }), token)).toBeNull();
    const listed = makeHostPolicy(['box.internal', 'api.example:9000', '.corp.example', '10.0.0.5', '[fd00::1]'], false);
    for (const ok of ['box.internal', 'box.internal:1234', 'api.example:9000', 'corp.example', 'a.b.corp.example:1',
      '10.0.0.5:8100', '[fd00::1]:1', `localhost:${PORT}`]) {
      expect(hostProblem(req({ Host: ok }), listed), ok).toBeNull();
    }
    for (const bad of ['api.example:9001', 'api.example', 'xcorp.example', 'box.internal.evil', `localhost:${PORT + 1}`, 'attacker.example']) {
      expect(hostProblem(req({ Host: bad }), listed)?.status, bad).toBe(421);
    }
    expect(hostProblem(req({ Host: 'anything.example' }), makeHostPolicy('*', true))).toBeNull();
  });

  it('refuses malformed allowedHosts at construction', () => {
    for (const bad of [['a b'], ['*', 'x'], ['x:y'], [''], [42]] as unknown as string[][]) {
      expect(() => makeHostPolicy(bad, true), JSON.stringify(bad)).toThrow(TypeError);
    }
    expect(() => makeHostPolicy('x' as unknown as string[], true)).toThrow(TypeError);
  });
});

describe('Origin and Fetch Metadata', () => {
  const none = makeOriginPolicy(undefined);
  const ui = makeOriginPolicy(['http://localhost:3000', 'https://UI.example.com/']);

  it('no Origin and no cross-site Fetch Metadata: allowed (SDKs, curl, server-side code, same-origin, typed URLs)', () => {
    expect(originProblem(req({}), none)).toBeNull();
    expect(originProblem(req({ 'Sec-Fetch-Site': 'same-origin' }), none)).toBeNull();
    expect(originProblem(req({ 'Sec-Fetch-Site': 'none' }), none)).toBeNull();
  });

  it('any Origin not allowed, and cross-site/same-site Fetch Metadata, are 403 permission denied', () => {
    const refused: Record<string, string>[] = [{ Origin: 'http://evil.example' }, { Origin: 'null' }, { Origin: `http://127.0.0.1:${PORT}` },
      { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }, { 'sec-fetch-site': 'Cross-Site' },
      { Origin: 'http://localhost:3001' }];
    for (const h of refused) {
      const err = originProblem(req(h), ui);
      expect(err?.status, JSON.stringify(h)).toBe(403);
      expect(err?.message).toMatch(/^permission denied: /);
    }
  });

  it('an allowed origin passes even though its Fetch Metadata says cross-site', () => {
    expect(originProblem(req({ Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-site' }), ui)).toBeNull();
    expect(originProblem(req({ Origin: 'https://ui.example.com', 'Sec-Fetch-Site': 'cross-site' }), ui)).toBeNull();
    expect(originProblem(req({ Origin: 'https://ui.example.com' }), none)?.status).toBe(403);
  });

  it('refuses allowedOrigins that are not origins', () => {
    for (const bad of ['*', 'null', 'localhost:3000', 'http://x/path', 'http://x/?q', 'http://u:p@x', 'file:///tmp/a.html']) {
      expect(() => makeOriginPolicy([bad]), bad).toThrow(TypeError);
    }
  });
});

describe('Content-Type', () => {
  const json: RouteName = 'boxes';
  const tar: RouteName = 'box.files';
  const post = (headers: Record<string, string>, name: RouteName = json, method = 'POST') => contentTypeProblem(req(headers, { method }), name);

  it('JSON routes take application/json with parameters, nothing else', () => {
    expect(post({ 'Content-Type': 'application/json', 'Content-Length': '2' })).toBeNull();
    expect(post({ 'Content-Type': 'Application/JSON; charset=utf-8', 'Content-Length': '2' })).toBeNull();
    for (const ct of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/jsonx', 'application/x-tar', '']) {
      const err = post({ 'Content-Type': ct, 'Content-Length': '2' });
      expect(err?.status, ct).toBe(415);
      expect(err?.message).toMatch(/application\/json/);
    }
  });

  it('a body without Content-Type is refused; a body-less POST without one is accepted (the official client\'s start/stop)', () => {
    expect(post({ 'Content-Length': '2' })?.status).toBe(415);
    expect(post({ 'Transfer-Encoding': 'chunked' })?.status).toBe(415);
    expect(post({})).toBeNull();
    expect(post({ 'Content-Length': '0' })).toBeNull();
    expect(post({}, 'box.start')).toBeNull();
    // A body-less POST that names a non-JSON type is still a form/text POST.
    expect(post({ 'Content-Type': 'text/plain', 'Content-Length': '0' }, 'box.start')?.status).toBe(415);
  });

  it('PUT files takes tar types, or none (curl -T); GET and HEAD are not checked', () => {
    for (const ct of ['application/x-tar', 'application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar; x=1']) {
      expect(post({ 'Content-Type': ct, 'Content-Length': '512' }, tar, 'PUT'), ct).toBeNull();
    }
    expect(post({ 'Content-Length': '512' }, tar, 'PUT')).toBeNull();
    for (const ct of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const err = post({ 'Content-Type': ct, 'Content-Length': '512' }, tar, 'PUT');
      expect(err?.status, ct).toBe(415);
      expect(err?.message).toMatch(/application\/x-tar/);
    }
    expect(post({ 'Content-Type': 'text/plain' }, tar, 'GET')).toBeNull();
    expect(post({ 'Content-Type': 'text/plain' }, json, 'HEAD')).toBeNull();
  });

  it('mediaType drops parameters and case', () => {
    expect(mediaType(' Application/Json ; charset=utf-8')).toBe('application/json');
  });
});

describe('dot segments', () => {
  it('refuses . and .. raw or percent-encoded in any position, and encoded ids that contain them', () => {
    for (const p of ['..', '.', '../boxes', './boxes', 'boxes/..', 'boxes/.', 'boxes/x/executions/..', 'boxes/x/executions/./signal',
      '%2e%2e/boxes', '%2E%2E/boxes', '.%2e/boxes', '%2e./boxes', '%2e/boxes', 'a/%2E/boxes', 'boxes/..%2Fx', 'boxes/x%2F..',
      'boxes/%2e%2e%2fetc', 'boxes/..%5Cx', 'us-east/../boxes']) {
      const err = dotSegmentProblem(p);
      expect(err?.status, p).toBe(400);
      expect(err?.message).toMatch(/^invalid argument: path segment .* is not allowed/);
    }
  });

  it('a configured pathPrefix cannot be made of dot segments', () => {
    for (const bad of ['..', '.', 'a/..', './b']) expect(() => makePrefixPolicy(bad), bad).toThrow(TypeError);
    expect(makePrefixPolicy('v1.2/a..b').fixed).toEqual([['v1.2', 'a..b']]);
  });

  it('accepts ids that merely contain dots', () => {
    for (const p of ['boxes', 'boxes/a.b', 'boxes/...', 'boxes/.hidden', 'boxes/x../exec', 'v1.2/boxes', 'boxes/%2e%2e%2e', 'boxes/a%20b']) {
      expect(dotSegmentProblem(p), p).toBeNull();
    }
  });

  it('property: a path is refused exactly when one of its segments decodes to . or .. (split on / and \\)', () => {
    const seg = fc.array(fc.constantFrom('.', '%2e', '%2E', 'a', '-', '%2F', '%41', '/', '%5C'), { maxLength: 6 }).map((x) => x.join(''));
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (segs) => {
      const p = segs.join('/');
      const expected = p.split('/').some((s) => decodeURIComponent(s).split(/[/\\]/).some((c) => c === '.' || c === '..'));
      expect(dotSegmentProblem(p) !== null).toBe(expected);
    }), { numRuns: 2000 });
  });
});

describe('rate-limited log', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('writes the first lines of a window per category, then one summary per category when the window ends', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = rateLimitedLog((l) => lines.push(l), { burst: 3, windowMs: 10_000 });
    for (let i = 0; i < 1000; i++) log('flood', `bad ${i}`);
    log('other', 'other 0');
    expect(lines).toEqual(['bad 0', 'bad 1', 'bad 2', 'other 0']);
    vi.advanceTimersByTime(10_000);
    expect(lines.slice(4)).toEqual(['997 more flood event(s) in the last 10 s were not logged (rate limit)']);
    // A new window starts fresh.
    log('flood', 'again');
    expect(lines.at(-1)).toBe('again');
    log.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() writes the pending summary and leaves no timer; a throwing writer is contained', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = rateLimitedLog((l) => { lines.push(l); if (l.startsWith('x')) throw new Error('broken'); }, { burst: 1 });
    log('c', 'x0');
    log('c', 'x1');
    log.close();
    expect(lines).toEqual(['x0', '1 more c event(s) in the last 10 s were not logged (rate limit)']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
