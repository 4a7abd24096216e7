// The remote client's pure decisions: an error answer -> the BoxliteError
// subclass (remote-error.ts), the retry policy and Retry-After parsing
// (retry-policy.ts), Box JSON -> BoxInfo, and option checks (no request sent).
import { describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { CANONICAL_HTTP_TABLE } from '../lib/errors/http-table';
import { BoxliteError, InvalidArgumentError, UnsupportedError } from '../lib/errors/errors';
import { errorFromAnswer } from '../lib/remote/remote-error';
import { backoffMs, DEFAULT_RETRY, resolveRetryPolicy, retryAfterMs } from '../lib/remote/retry-policy';
import { boxInfoOf, createBoxBody, execBody } from '../lib/remote/wire-json';
import { Runtime } from '../lib/runtime/runtime';

const envelope = (error: Record<string, unknown>) => JSON.stringify({ error });
const headers = (h: Record<string, string> = {}) => new Headers(h);

describe('errorFromAnswer', () => {
  it('rebuilds every code from boxlite_code, whatever the message says', () => {
    for (const row of CANONICAL_HTTP_TABLE) {
      const err = errorFromAnswer(row.status, headers({ 'X-Request-Id': 'r1' }),
        envelope({ message: 'no prefix at all', type: row.type, code: row.code, boxlite_code: row.boxliteCode }), 'GET /x');
      expect(err.boxliteCode).toBe(row.boxliteCode);
      expect(err.constructor.name).toBe(row.className);
      expect(err.message).toBe('no prefix at all');
      expect([err.status, err.requestId, err.wireCode, err.wireType]).toEqual([row.status, 'r1', row.code, row.type]);
    }
  });

  it("without boxlite_code, uses the message's prefix when it agrees with the answer (BoxLite's own servers)", () => {
    const rpc = errorFromAnswer(503, headers(), envelope({ message: 'gRPC/tonic error: down', type: 'UpstreamUnavailableError', code: 'upstream_unavailable' }), 'x');
    expect(rpc.constructor.name).toBe('RpcError');
    // A reclassified Internal: the prefix says internal, the answer 422; InternalError classifies to the same 422.
    const msg = "internal error: spawn_failed: executable 'x' not found in $PATH";
    const spawn = errorFromAnswer(422, headers(), envelope({ message: msg, type: 'ExecutionError', code: 'execution_failed' }), 'x');
    expect(spawn.constructor.name).toBe('InternalError');
    expect(classifyError(spawn)).toMatchObject({ status: 422, code: 'execution_failed', message: msg });
    // A prefix that disagrees with the answer is not believed: the wire code wins.
    const odd = errorFromAnswer(404, headers(), envelope({ message: 'invalid state: weird', type: 'NotFoundError', code: 'not_found' }), 'x');
    expect(odd.constructor.name).toBe('NotFoundError');
  });

  it('falls back to the wire code, then the status; keeps request_id from the body when no header', () => {
    const e = errorFromAnswer(409, headers(), envelope({ message: 'busy', type: 'InvalidStateError', code: 'invalid_state', request_id: 'body-id' }), 'x');
    expect([e.constructor.name, e.requestId]).toEqual(['InvalidStateError', 'body-id']);
    expect(errorFromAnswer(401, headers(), envelope({ message: 'no', type: 'AuthError', code: 'unauthenticated' }), 'x').constructor.name).toBe('ConfigError');
    expect(errorFromAnswer(418, headers(), envelope({ message: 'teapot', type: 'X', code: 'teapot' }), 'x').constructor.name).toBe('InvalidArgumentError');
    const flat = errorFromAnswer(400, headers(), JSON.stringify({ message: 'flat', code: 'invalid_argument' }), 'x');
    expect([flat.constructor.name, flat.message]).toEqual(['InvalidArgumentError', 'flat']);
  });

  it('says what came back when there is no envelope (a proxy)', () => {
    const e = errorFromAnswer(502, headers(), '<html>bad gateway</html>', 'GET /v1/boxes');
    expect(e).toBeInstanceOf(BoxliteError);
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/^network error: GET \/v1\/boxes answered HTTP 502 Bad Gateway without BoxLite's error envelope: <html>/);
    const empty = errorFromAnswer(500, headers(), '', 'x');
    expect(empty.constructor.name).toBe('InternalError');
    expect(empty.requestId).toBeNull();
  });
});

describe('retry policy', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped, never below Retry-After', () => {
    const p = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffMs(p, 1, undefined, () => 0)).toBe(50);
    expect(backoffMs(p, 1, undefined, () => 1)).toBe(100);
    expect(backoffMs(p, 3, undefined, () => 1)).toBe(400);
    expect(backoffMs(p, 10, undefined, () => 1)).toBe(1000);
    expect(backoffMs(p, 1, 2500, () => 1)).toBe(2500);
  });

  it('checks its options', () => {
    expect(resolveRetryPolicy(undefined)).toBe(DEFAULT_RETRY);
    expect(resolveRetryPolicy(false).maxAttempts).toBe(1);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(InvalidArgumentError);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => resolveRetryPolicy('x' as never)).toThrow(InvalidArgumentError);
  });
});

describe('wire JSON', () => {
  it('checks box options like the embedded runtime and maps them to CreateBoxRequest', () => {
    expect(createBoxBody({ image: 'alpine', name: 'n', cpus: 2, memoryMib: 512, env: { A: '1' }, network: { mode: 'disabled' }, autoStop: 0 }))
      .toEqual({ image: 'alpine', name: 'n', cpus: 2, memory_mib: 512, env: { A: '1' }, network: { outbound: { mode: 'disabled' } }, auto_stop: 0 });
    expect(() => createBoxBody({ cpus: 1 } as never)).toThrow('invalid argument: exactly one of image or rootfsPath is required');
    expect(() => createBoxBody({ image: 'a', volumes: [{ hostPath: '/h', guestPath: '/g' }] })).toThrow(UnsupportedError);
    expect(execBody('echo', ['hi'], { timeoutSecs: 2, workdir: '/w' })).toEqual({ command: 'echo', args: ['hi'], timeout_seconds: 2, working_dir: '/w', tty: false });
    expect(() => execBody('echo', [], { user: 'bob' })).toThrow(UnsupportedError);
  });

  it('reads a Box answer', () => {
    const info = boxInfoOf({ box_id: 'b1', name: null, status: 'running', created_at: '2026-01-01T00:00:10Z', pid: null, image: 'alpine', cpus: 1, memory_mib: 128, auto_stop: 0, auto_delete: 0, auto_resume: true, network: { mode: 'enabled', allow_net: ['x'] } });
    expect(info).toMatchObject({ id: 'b1', running: true, pid: 0, createdAt: Date.parse('2026-01-01T00:00:10Z') / 1000, network: { mode: 'enabled', allowNet: ['x'] } });
    expect(() => boxInfoOf({ status: 'running' })).toThrow(/no box_id/);
  });
});

describe('Runtime.rest() options', () => {
  it('refuses bad options with InvalidArgumentError and sends nothing', async () => {
    for (const bad of [{ url: '' }, { url: 'ftp://x' }, { url: 'not a url' }, { url: 'http://h/?q=1' }, { url: 'http://h', apiKey: '' },
      { url: 'http://h', retry: { maxAttempts: 0 } }, { url: 'http://h', client: 'other' }, { url: 'http://h', headers: { a: 1 } }]) {
      await expect(Runtime.rest(bad as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('builds URLs with the base path and the verbatim prefix; encodes ids as one segment', async () => {
    const rt = await Runtime.rest({ url: 'https://api.example/api/', pathPrefix: 'us-east/team-42' });
    expect(rt._client.url('boxes/a%2Fb')).toBe('https://api.example/api/v1/us-east/team-42/boxes/a%2Fb');
    expect(rt._client.url('config', { scoped: false })).toBe('https://api.example/api/v1/config');
    expect(rt._client.url('boxes/x/executions/e/attach', { websocket: true })).toBe('wss://api.example/api/v1/us-east/team-42/boxes/x/executions/e/attach');
    await rt.close();
    await expect(rt.listBoxes()).rejects.toThrow('stopped: runtime is closed');
  });
});

describe('Runtime.rest() url', () => {
  it('refuses credentials in the URL (they would reach logs and error messages; apiKey is the way), without echoing them', async () => {
    for (const url of ['http://user:s3cret-pw@127.0.0.1:9', 'https://only-user@example.com/api']) {
      const err = await Runtime.rest({ url }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toBe('invalid argument: url must not carry credentials (user:password@): pass apiKey instead');
    }
    const ok = await Runtime.rest({ url: 'http://127.0.0.1:9', retry: false });
    await ok.close();
  });
});
