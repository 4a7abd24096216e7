import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { errorResponse, errorResponseFor, serializeErrorBody } from '../lib/errors/error-response';
import { BoxliteError, BoxliteErrorCode, InternalError, NotFoundError } from '../lib/errors/errors';
import { CANONICAL_HTTP_TABLE, HTTP_ONLY_ROWS } from '../lib/errors/http-table';

describe('errorResponse', () => {
  it("answers BoxLite's envelope with Content-Type application/json", () => {
    const r = errorResponse(new NotFoundError('box not found: b1'));
    expect(r).toEqual({
      status: 404,
      headers: { 'Content-Type': 'application/json' },
      body: { error: { message: 'box not found: b1', type: 'NotFoundError', code: 'not_found' } },
    });
    expect(serializeErrorBody(r.body)).toBe('{"error":{"message":"box not found: b1","type":"NotFoundError","code":"not_found"}}');
  });

  it('echoes a request id as X-Request-Id and error.request_id', () => {
    const r = errorResponse(new NotFoundError('box not found: b1'), { requestId: 'req_01HZX' });
    expect(r.headers['X-Request-Id']).toBe('req_01HZX');
    expect(r.body.error.request_id).toBe('req_01HZX');
    expect(serializeErrorBody(r.body)).toBe(
      '{"error":{"message":"box not found: b1","type":"NotFoundError","code":"not_found","request_id":"req_01HZX"}}');
  });

  it.each([
    ['empty', ''],
    ['CR LF (header injection)', 'abc\r\nSet-Cookie: x=1'],
    ['non-ASCII', 'req-\u00e9'],
    ['too long', 'r'.repeat(257)],
    ['not a string', 42 as unknown as string],
  ])('ignores an unusable request id: %s', (_label, requestId) => {
    const r = errorResponse(new NotFoundError('x'), { requestId });
    expect(r.headers).not.toHaveProperty('X-Request-Id');
    expect(r.body.error).not.toHaveProperty('request_id');
  });

  it('accepts a 256-character printable request id', () => {
    const id = 'a-Z_0.9:~'.repeat(28).slice(0, 256);
    expect(errorResponse(new NotFoundError('x'), { requestId: id }).headers['X-Request-Id']).toBe(id);
  });

  describe('Retry-After', () => {
    const RETRYABLE: ReadonlyArray<readonly [string, unknown, number]> = [
      ['ResourceExhausted (429)', BoxliteError.fromCode(BoxliteErrorCode.ResourceExhausted, 'resource exhausted: q'), 429],
      ['Network (503)', BoxliteError.fromCode(BoxliteErrorCode.Network, 'network error: n'), 503],
      ['Engine (503)', BoxliteError.fromCode(BoxliteErrorCode.Engine, 'engine reported an error: e'), 503],
      ['Portal (503)', BoxliteError.fromCode(BoxliteErrorCode.Portal, 'portal error: p'), 503],
      ['Rpc (503)', BoxliteError.fromCode(BoxliteErrorCode.Rpc, 'gRPC/tonic error: r'), 503],
      ['RpcTransport (503)', BoxliteError.fromCode(BoxliteErrorCode.RpcTransport, 'gRPC transport error: t'), 503],
      ['bare 503', { status: 503 }, 503],
      ['bare 429', { statusCode: 429 }, 429],
      ['SDK message', new Error('resource exhausted: too many'), 429],
    ];
    it.each(RETRYABLE)('is set on %s', (_label, err, status) => {
      const r = errorResponse(err);
      expect(r.status).toBe(status);
      expect(r.headers['Retry-After']).toBe('1');
    });

    it('takes retryAfterSeconds, ignoring unusable values', () => {
      const err = { status: 503 };
      expect(errorResponse(err, { retryAfterSeconds: 30 }).headers['Retry-After']).toBe('30');
      expect(errorResponse(err, { retryAfterSeconds: 0 }).headers['Retry-After']).toBe('0');
      for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
        expect(errorResponse(err, { retryAfterSeconds: bad }).headers['Retry-After']).toBe('1');
      }
    });

    it('is absent on every answer that is not 429 or 503', () => {
      for (const entry of CANONICAL_HTTP_TABLE) {
        const r = errorResponse(BoxliteError.fromCode(entry.boxliteCode, 'm'));
        expect('Retry-After' in r.headers).toBe(entry.status === 429 || entry.status === 503);
      }
      for (let status = 400; status <= 599; status++) {
        expect('Retry-After' in errorResponse({ status }).headers).toBe(status === 429 || status === 503);
      }
    });
  });

  describe('exposeInternal', () => {
    const secret = 'internal error: sqlite at /var/lib/boxlite/db.sqlite is locked';

    it('passes 5xx messages through by default (as BoxLite servers do)', () => {
      expect(errorResponse(new InternalError(secret)).body.error.message).toBe(secret);
      expect(errorResponse(new InternalError(secret), { exposeInternal: true }).body.error.message).toBe(secret);
    });

    it('false replaces every 5xx message with its reason phrase, keeping type and code', () => {
      expect(errorResponse(new InternalError(secret), { exposeInternal: false }).body.error)
        .toEqual({ message: 'Internal Server Error', type: 'InternalError', code: 'internal' });
      expect(errorResponse(BoxliteError.fromCode(BoxliteErrorCode.Engine, 'engine reported an error: pid 7'), { exposeInternal: false }).body.error.message)
        .toBe('Service Unavailable');
      expect(errorResponse({ status: 504, message: 'upstream host 10.0.0.7' }, { exposeInternal: false }).body.error.message)
        .toBe('Gateway Timeout');
    });

    it('false leaves 4xx messages alone (they are about the caller\'s request)', () => {
      const text = "internal error: spawn_failed: internal error: User 'bob' not found in /run/bundle/rootfs/etc/passwd";
      const r = errorResponse(new InternalError(text), { exposeInternal: false });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe(text);
    });
  });

  it('errorResponseFor answers from an existing classification', () => {
    const c = classifyError(new NotFoundError('box not found: b'));
    expect(errorResponseFor(c, { requestId: 'r1' })).toEqual(errorResponse(new NotFoundError('box not found: b'), { requestId: 'r1' }));
  });

  it('serialises awkward messages to valid JSON', () => {
    const msg = 'quote " backslash \\ newline \n lone surrogate \ud800 nul \u0000';
    const json = serializeErrorBody(errorResponse(new InternalError(msg)).body);
    expect(JSON.parse(json).error.message).toBe(msg);
    expect(Buffer.from(json, 'utf8').toString('utf8')).toBe(json); // well-formed: no lone surrogate left raw
  });
});

// The official client reads what errorResponse writes: its own error variant
// (shown by the Display prefix) comes back, and classifying that SDK error
// gives the row we sent. The two HTTP-only rows that BoxLite's client folds
// into Config / Internal are checked separately.
describe('round trip through the official @boxlite-ai/boxlite client', () => {
  interface SdkModule {
    JsBoxlite: { rest(opts: unknown): { create(o: { image: string }): Promise<unknown> } };
    BoxliteRestOptions: new (o: { url: string }) => unknown;
  }
  let sdk: SdkModule;
  let server: http.Server;
  let url: string;
  let nextError: unknown;
  const seenRequests: string[] = [];

  beforeAll(async () => {
    sdk = await import('@boxlite-ai/boxlite') as unknown as SdkModule;
    server = http.createServer((req, res) => {
      seenRequests.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        const r = errorResponse(nextError, { requestId: 'req-roundtrip' });
        const body = serializeErrorBody(r.body);
        res.writeHead(r.status, { ...r.headers, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  const sdkErrorFor = async (err: unknown): Promise<Error> => {
    nextError = err;
    const runtime = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url }));
    try {
      await runtime.create({ image: 'alpine' });
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected the SDK call to fail');
  };

  // The Display prefix the SDK rebuilds for each wire code.
  const SDK_PREFIX: Record<string, string> = {
    internal: 'internal error: ', not_found: 'box not found: ', already_exists: 'already exists: ',
    invalid_state: 'invalid state: ', invalid_argument: 'invalid argument: ', config_error: 'configuration error: ',
    storage_error: 'storage error: ', image_pull_failed: 'images error: ', network_unavailable: 'network error: ',
    execution_failed: 'Execution error: ', stopped: 'stopped: ', engine_unavailable: 'engine reported an error: ',
    unsupported: 'unsupported: ', database_error: 'database error: ', upstream_unavailable: 'portal error: ',
    metadata_error: 'metadata error: ', resource_exhausted: 'resource exhausted: ', session_reaped: 'session reaped: ',
  };

  it.each(CANONICAL_HTTP_TABLE.map((e) => [e.boxliteCode, e.name, e] as const))('code %i (%s)', async (boxliteCode, _name, entry) => {
    const sdkErr = await sdkErrorFor(BoxliteError.fromCode(boxliteCode, 'detail from the engine'));
    expect(sdkErr.message).toBe(`${SDK_PREFIX[entry.code]}detail from the engine`);
    expect(classifyError(sdkErr)).toMatchObject({ status: entry.status, type: entry.type, code: entry.code });
  });

  it('the Internal fallbacks survive the trip', async () => {
    const text = "internal error: spawn_failed: internal error: executable 'nosuch' not found in $PATH";
    const sdkErr = await sdkErrorFor(new InternalError(text));
    expect(sdkErr.message).toBe(`Execution error: ${text}`);
    expect(classifyError(sdkErr)).toMatchObject({ status: 422, code: 'execution_failed' });
  });

  it('HTTP-only rows reach the client as the variants BoxLite maps them to', async () => {
    const [unauth, denied, timeout] = HTTP_ONLY_ROWS;
    expect((await sdkErrorFor({ status: unauth.status, message: 'bad key' })).message).toBe('configuration error: auth: bad key');
    expect((await sdkErrorFor({ status: denied.status, message: 'no' })).message).toBe('configuration error: auth: no');
    expect((await sdkErrorFor({ status: timeout.status, message: 'slow' })).message).toBe('internal error: server timed out: slow');
  });

  it('bare statuses answer codes the client knows (no "HTTP 413" internal fallback)', async () => {
    for (const status of [400, 405, 409, 413, 415, 422, 429, 501, 502, 503]) {
      const sdkErr = await sdkErrorFor({ status, message: 'm' });
      expect(sdkErr.message.startsWith('internal error: HTTP')).toBe(false);
      expect(sdkErr.message.endsWith(': m')).toBe(true);
    }
    expect(seenRequests.every((r) => r === 'POST /v1/boxes')).toBe(true);
  });
});
