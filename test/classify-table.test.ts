import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { BoxliteError, BoxliteErrorCode, errorClassFor } from '../lib/errors/errors';
import {
  CANONICAL_HTTP_TABLE,
  HTTP_ONLY_ROWS,
  httpRowForBoxliteCode,
  httpRowForStatus,
} from '../lib/errors/http-table';

// The issue's table, verbatim: boxliteCode, libboxlite name, JS class, status,
// wire type, wire code.
const ISSUE_TABLE: ReadonlyArray<readonly [number, string, string, number, string, string]> = [
  [1, 'Internal', 'InternalError', 500, 'InternalError', 'internal'],
  [2, 'NotFound', 'NotFoundError', 404, 'NotFoundError', 'not_found'],
  [3, 'AlreadyExists', 'AlreadyExistsError', 409, 'AlreadyExistsError', 'already_exists'],
  [4, 'InvalidState', 'InvalidStateError', 409, 'InvalidStateError', 'invalid_state'],
  [5, 'InvalidArgument', 'InvalidArgumentError', 400, 'InvalidArgumentError', 'invalid_argument'],
  [6, 'Config', 'ConfigError', 500, 'ConfigError', 'config_error'],
  [7, 'Storage', 'StorageError', 500, 'StorageError', 'storage_error'],
  [8, 'Image', 'ImageError', 422, 'ImageError', 'image_pull_failed'],
  [9, 'Network', 'NetworkError', 503, 'NetworkError', 'network_unavailable'],
  [10, 'Execution', 'ExecutionError', 422, 'ExecutionError', 'execution_failed'],
  [11, 'Stopped', 'StoppedError', 409, 'StoppedError', 'stopped'],
  [12, 'Engine', 'EngineError', 503, 'EngineError', 'engine_unavailable'],
  [13, 'Unsupported', 'UnsupportedError', 400, 'UnsupportedError', 'unsupported'],
  [14, 'Database', 'DatabaseError', 500, 'DatabaseError', 'database_error'],
  [15, 'Portal', 'PortalError', 503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [16, 'Rpc', 'RpcError', 503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [17, 'RpcTransport', 'RpcTransportError', 503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [18, 'Metadata', 'MetadataError', 500, 'MetadataError', 'metadata_error'],
  [19, 'UnsupportedEngine', 'UnsupportedEngineError', 400, 'UnsupportedError', 'unsupported'],
  [20, 'ResourceExhausted', 'ResourceExhaustedError', 429, 'ResourceExhaustedError', 'resource_exhausted'],
  [21, 'SessionReaped', 'SessionReapedError', 410, 'SessionReapedError', 'session_reaped'],
];

const INTERNAL = { status: 500, type: 'InternalError', code: 'internal', retryable: false };
const retryable = (status: number) => status === 429 || status === 503;

describe('the canonical table, row by row', () => {
  it('CANONICAL_HTTP_TABLE is exactly the issue table', () => {
    expect(CANONICAL_HTTP_TABLE.map((e) => [e.boxliteCode, e.name, e.className, e.status, e.type, e.code]))
      .toEqual(ISSUE_TABLE.map((r) => [...r]));
    for (const e of CANONICAL_HTTP_TABLE) expect(e.retryable).toBe(retryable(e.status));
    expect(Object.isFrozen(CANONICAL_HTTP_TABLE)).toBe(true);
  });

  describe.each(ISSUE_TABLE)('code %i (%s)', (boxliteCode, _name, className, status, type, code) => {
    const expected = { status, type, code, retryable: retryable(status) };
    // Messages with no fallback marker: each must land on its row exactly.
    const message = `engine text for code ${boxliteCode}`;

    it(`a typed ${className} answers ${status} ${type}/${code}`, () => {
      const err = BoxliteError.fromCode(boxliteCode, message);
      expect(err.constructor.name).toBe(className);
      expect(classifyError(err)).toEqual({ ...expected, message });
    });

    it('the subclass constructor and fromCode agree', () => {
      const Ctor = errorClassFor(boxliteCode)!;
      expect(classifyError(new Ctor(message))).toEqual(classifyError(BoxliteError.fromCode(boxliteCode, message)));
    });

    it('any object with that numeric boxliteCode answers the same', () => {
      expect(classifyError({ boxliteCode, message })).toEqual({ ...expected, message });
      expect(classifyError(Object.assign(new Error(message), { boxliteCode }))).toEqual({ ...expected, message });
      // An error from another copy of the package (no shared prototype).
      class Foreign extends Error { boxliteCode = boxliteCode; code = 'BOXLITE_X'; }
      expect(classifyError(new Foreign(message))).toEqual({ ...expected, message });
    });

    it('boxliteCode outranks status, statusCode and message prefix', () => {
      const err = Object.assign(new Error('box not found: x'), { boxliteCode, status: 418, statusCode: 502 });
      expect(classifyError(err)).toMatchObject(expected);
    });

    it('httpRowForBoxliteCode returns the shared frozen row', () => {
      const row = httpRowForBoxliteCode(boxliteCode);
      expect(row).toEqual(expected);
      expect(Object.isFrozen(row)).toBe(true);
      expect(httpRowForBoxliteCode(boxliteCode)).toBe(row);
    });
  });

  it('Portal, Rpc, RpcTransport share one row object; so do Unsupported and UnsupportedEngine', () => {
    expect(httpRowForBoxliteCode(15)).toBe(httpRowForBoxliteCode(16));
    expect(httpRowForBoxliteCode(16)).toBe(httpRowForBoxliteCode(17));
    expect(httpRowForBoxliteCode(13)).toBe(httpRowForBoxliteCode(19));
  });

  it.each([0, 22, 100, -1, 1.5, Number.NaN, Infinity, -0.5, 2 ** 31 + 2])('unknown code %d answers 500 internal', (n) => {
    expect(classifyError(BoxliteError.fromCode(n, 'odd'))).toEqual({ ...INTERNAL, message: 'odd' });
    expect(classifyError({ boxliteCode: n, message: 'odd' })).toEqual({ ...INTERNAL, message: 'odd' });
    expect(httpRowForBoxliteCode(n)).toEqual(INTERNAL);
  });

  it('a non-numeric boxliteCode is not a code', () => {
    expect(classifyError({ boxliteCode: '2', message: 'x' })).toEqual({ ...INTERNAL, message: 'x' });
    expect(classifyError({ boxliteCode: 2n, message: 'x' })).toEqual({ ...INTERNAL, message: 'x' });
  });

  it('keeps the message verbatim; an empty message becomes the reason phrase', () => {
    const text = '  box not found: with spaces\nand a newline \u2603 ';
    expect(classifyError(BoxliteError.fromCode(BoxliteErrorCode.NotFound, text)).message).toBe(text);
    expect(classifyError(BoxliteError.fromCode(BoxliteErrorCode.NotFound, '')).message).toBe('Not Found');
    expect(classifyError(BoxliteError.fromCode(BoxliteErrorCode.SessionReaped, '')).message).toBe('Gone');
  });
});

describe('HTTP-only rows', () => {
  it('are 401 AuthError/unauthenticated, 403 AuthError/permission_denied, 504 TimeoutError/timeout', () => {
    expect(HTTP_ONLY_ROWS).toEqual([
      { status: 401, type: 'AuthError', code: 'unauthenticated', retryable: false },
      { status: 403, type: 'AuthError', code: 'permission_denied', retryable: false },
      { status: 504, type: 'TimeoutError', code: 'timeout', retryable: false },
    ]);
  });

  it('are what bare 401, 403 and 504 statuses classify as', () => {
    expect(httpRowForStatus(401)).toEqual(HTTP_ONLY_ROWS[0]);
    expect(httpRowForStatus(403)).toEqual(HTTP_ONLY_ROWS[1]);
    expect(httpRowForStatus(504)).toEqual(HTTP_ONLY_ROWS[2]);
  });
});

// Documented choices for statuses that carry no BoxLite code: only wire codes
// BoxLite clients already understand.
const STATUS_ROWS: ReadonlyArray<readonly [number, string, string]> = [
  [400, 'InvalidArgumentError', 'invalid_argument'],
  [401, 'AuthError', 'unauthenticated'],
  [402, 'InvalidArgumentError', 'invalid_argument'],
  [403, 'AuthError', 'permission_denied'],
  [404, 'NotFoundError', 'not_found'],
  [405, 'UnsupportedError', 'unsupported'],
  [406, 'InvalidArgumentError', 'invalid_argument'],
  [408, 'TimeoutError', 'timeout'],
  [409, 'InvalidStateError', 'invalid_state'],
  [410, 'SessionReapedError', 'session_reaped'],
  [411, 'InvalidArgumentError', 'invalid_argument'],
  [413, 'InvalidArgumentError', 'invalid_argument'],
  [414, 'InvalidArgumentError', 'invalid_argument'],
  [415, 'InvalidArgumentError', 'invalid_argument'],
  [418, 'InvalidArgumentError', 'invalid_argument'],
  [422, 'InvalidArgumentError', 'invalid_argument'],
  [429, 'ResourceExhaustedError', 'resource_exhausted'],
  [431, 'InvalidArgumentError', 'invalid_argument'],
  [499, 'InvalidArgumentError', 'invalid_argument'],
  [500, 'InternalError', 'internal'],
  [501, 'UnsupportedError', 'unsupported'],
  [502, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  [504, 'TimeoutError', 'timeout'],
  [505, 'InternalError', 'internal'],
  [507, 'InternalError', 'internal'],
  [599, 'InternalError', 'internal'],
];

describe('errors carrying an HTTP status', () => {
  it.each(STATUS_ROWS)('status %i keeps its status: %s/%s', (status, type, code) => {
    const expected = { status, type, code, retryable: retryable(status) };
    // http-errors shape: status and statusCode both set, expose for 4xx.
    const httpError = Object.assign(new Error('bad thing'), { status, statusCode: status, expose: status < 500 });
    expect(classifyError(httpError)).toEqual({ ...expected, message: 'bad thing' });
    expect(classifyError(Object.assign(new Error('bad thing'), { statusCode: status })))
      .toEqual({ ...expected, message: 'bad thing' });
    expect(classifyError({ status })).toEqual({ ...expected, message: http.STATUS_CODES[status] ?? 'Error' });
  });

  it('every status 400..599 keeps its status, retryable only for 429 and 503', () => {
    for (let status = 400; status <= 599; status++) {
      const c = classifyError({ status, message: 'm' });
      expect(c.status).toBe(status);
      expect(c.retryable).toBe(retryable(status));
      expect(c.type).toMatch(/^[A-Z][A-Za-z]+Error$/);
      expect(c.code).toMatch(/^[a-z_]+$/);
      expect(httpRowForStatus(status)).toBe(httpRowForStatus(status)); // built once, shared
    }
  });

  it('reads status before statusCode (finalhandler order), skipping an unusable status', () => {
    expect(classifyError({ status: 404, statusCode: 409 }).status).toBe(404);
    expect(classifyError({ status: 200, statusCode: 409 }).status).toBe(409);
    expect(classifyError({ status: '404', statusCode: 413 }).status).toBe(413);
  });

  it.each([200, 302, 399, 600, 999, 404.5, -404, Number.NaN, '404', null])('ignores status %s', (status) => {
    expect(classifyError({ status, statusCode: status, message: 'm' })).toEqual({ ...INTERNAL, message: 'm' });
  });

  it('an explicit status outranks a message prefix', () => {
    const err = Object.assign(new Error('unsupported: method PATCH is not allowed here'), { status: 405 });
    expect(classifyError(err)).toMatchObject({ status: 405, code: 'unsupported' });
    const big = Object.assign(new Error('invalid argument: request body exceeds the limit'), { status: 413 });
    expect(classifyError(big)).toMatchObject({ status: 413, code: 'invalid_argument' });
  });
});

describe("real body-parser errors (express.json) keep their status", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.post('/json', express.json({ limit: '64b' }), (_req, res) => { res.json({ ok: true }); });
    // Exactly four parameters: Express picks error handlers by arity.
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const c = classifyError(err);
      res.status(c.status).json({ ...c, bodyParserType: (err as { type?: string }).type });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  const post = async (body: string, contentType = 'application/json') => {
    const res = await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { httpStatus: res.status, json: await res.json() as Record<string, unknown> };
  };

  it('entity.parse.failed -> 400 invalid_argument', async () => {
    const { httpStatus, json } = await post('{"broken": ');
    expect(json.bodyParserType).toBe('entity.parse.failed');
    expect(httpStatus).toBe(400);
    expect(json).toMatchObject({ status: 400, type: 'InvalidArgumentError', code: 'invalid_argument', retryable: false });
    expect(typeof json.message).toBe('string');
  });

  it('entity.too.large -> 413 invalid_argument', async () => {
    const { httpStatus, json } = await post(JSON.stringify({ pad: 'x'.repeat(200) }));
    expect(json.bodyParserType).toBe('entity.too.large');
    expect(httpStatus).toBe(413);
    expect(json).toMatchObject({ status: 413, type: 'InvalidArgumentError', code: 'invalid_argument' });
  });

  it('charset.unsupported -> 415 invalid_argument', async () => {
    const { httpStatus, json } = await post('{}', 'application/json; charset=klingon');
    expect(json.bodyParserType).toBe('charset.unsupported');
    expect(httpStatus).toBe(415);
    expect(json).toMatchObject({ status: 415, code: 'invalid_argument' });
  });
});

describe('anything else answers 500 internal', () => {
  it.each([
    ['a plain Error', new Error('boom'), 'boom'],
    ['a TypeError', new TypeError('x is not a function'), 'x is not a function'],
    ['a Node system error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 }), 'connect ECONNREFUSED'],
    ['a string', 'just text', 'just text'],
    ['an empty string', '', 'Internal Server Error'],
    ['null', null, 'Internal Server Error'],
    ['undefined', undefined, 'Internal Server Error'],
    ['a number', 42, 'Internal Server Error'],
    ['a Symbol', Symbol('s'), 'Internal Server Error'],
    ['a plain object', { foo: 1 }, 'Internal Server Error'],
    ['an object with a non-string message', { message: 12 }, 'Internal Server Error'],
    ['a function', () => 1, 'Internal Server Error'],
    ['an Error with a prefix not at the very start', new Error(' box not found: x'), ' box not found: x'],
    ['an Error with a prefix in another case', new Error('Box not found: x'), 'Box not found: x'],
  ])('%s', (_label, value, message) => {
    expect(classifyError(value)).toEqual({ ...INTERNAL, message });
  });
});

describe('cause chains', () => {
  it('a wrapper around a typed error takes its row and keeps the outer message', () => {
    const inner = BoxliteError.fromCode(BoxliteErrorCode.NotFound, 'box not found: b1');
    const outer = new Error('could not start the box', { cause: inner });
    expect(classifyError(outer)).toEqual({ status: 404, type: 'NotFoundError', code: 'not_found', message: 'could not start the box', retryable: false });
  });

  it('follows several links, and stops after a bounded depth', () => {
    let err: unknown = Object.assign(new Error('deep'), { status: 429 });
    for (let i = 0; i < 8; i++) err = new Error(`wrap ${i}`, { cause: err });
    expect(classifyError(err)).toMatchObject({ status: 429, message: 'wrap 7' });
    err = new Error('one more', { cause: err }); // nine links: past the limit
    expect(classifyError(err)).toMatchObject({ status: 500, message: 'one more' });
  });

  it('the outer error wins when it is classifiable itself', () => {
    const outer = Object.assign(new Error('gone'), { status: 410, cause: BoxliteError.fromCode(2, 'x') });
    expect(classifyError(outer).status).toBe(410);
  });
});
