// Kept error answers (lib/http/protocol/rendered-errors.ts) must be exactly
// what rendering the error afresh gives: same status, headers (and their
// order), body bytes and code, for every request id. The reference is
// renderError's uncached path, written out (rendered-error-reference.ts).
import { describe, expect, it } from 'vitest';
import { BoxliteError, NotFoundError } from '../lib/errors/errors';
import { httpError, methodNotAllowed, unauthenticated } from '../lib/http/protocol/http-error';
import { type ErrorContext, renderError } from '../lib/http/protocol/respond';
import { MAX_RENDERED_ERRORS, RenderedErrors, renderedErrorKey } from '../lib/http/protocol/rendered-errors';
import { invalid } from '../lib/http/protocol/validate';
import { expectSameAnswer } from './rendered-error-reference';

const IDS = ['0f8e3a52-2b7c-4f55-9d0e-8f1e2a3b4c5d', 'caller.id_1-2', 'x'];

const ERRORS: Array<[string, () => unknown]> = [
  ['400 bad query', () => invalid('pageSize must be between 1 and 100, got 0')],
  ['404 route', () => httpError(404, 'not found: no route for GET /v1/nowhere')],
  ['405 with Allow', () => methodNotAllowed('PATCH', ['GET', 'HEAD', 'DELETE'])],
  ['401 with WWW-Authenticate', () => unauthenticated('invalid credentials')],
  ['429 with Retry-After', () => httpError(429, 'resource exhausted: too many executions')],
  ['413', () => httpError(413, 'invalid argument: request body exceeds the limit of 10 bytes')],
  ['engine NotFoundError', () => new NotFoundError('not found: box "nope" does not exist')],
  ['quotes and unicode', () => invalid('name "\u00e9\u4e2d\ud83d\ude00" is odd')],
  ['lone surrogate', () => invalid('bad \ud800 text')],
  ['empty message', () => httpError(409, '')],
];

describe('kept error answers', () => {
  for (const [name, make] of ERRORS) {
    it(`${name}: the same answer as a fresh rendering, for each request id and again`, () => {
      for (let round = 0; round < 2; round++) {
        for (const requestId of IDS) expectSameAnswer(make(), { requestId });
      }
    });
  }

  it('every BoxLite code, each with its own message', () => {
    for (let code = 1; code <= 21; code++) {
      for (const requestId of IDS) expectSameAnswer(BoxliteError.fromCode(code, `failure ${code}`), { requestId });
    }
  });

  it('two errors that differ only in extra headers or status get their own answers', () => {
    const ctx = { requestId: IDS[0] };
    expectSameAnswer(httpError(405, 'unsupported: no', { Allow: 'GET' }), ctx);
    expectSameAnswer(httpError(405, 'unsupported: no', { Allow: 'GET, DELETE' }), ctx);
    expectSameAnswer(httpError(405, 'unsupported: no'), ctx);
    expectSameAnswer(httpError(409, 'unsupported: no'), ctx);
  });

  it('5xx answers are rendered afresh: onServerError hears each one, exposeInternal is honoured', () => {
    const heard: string[] = [];
    const ctx = (requestId: string, exposeInternal?: boolean): ErrorContext => ({
      requestId, exposeInternal, onServerError: (_err, id) => heard.push(id),
    });
    const err = () => new BoxliteError('internal error: engine state at /var/lib/x', 1);
    expectSameAnswer(err(), ctx('a1'));
    expectSameAnswer(err(), ctx('a2'));
    expectSameAnswer(err(), ctx('a3', false));
    expect(renderError(err(), ctx('a4', false)).body).not.toContain('/var/lib/x');
    // expectSameAnswer renders twice (reference and renderError): only the latter logs.
    expect(heard).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(renderedErrorKey(err(), true)).not.toBeNull(); // kept-able by key, refused by status
  });

  it('what cannot be keyed is rendered afresh, and still answered', () => {
    const ctx = { requestId: 'r1' };
    const withCode = Object.assign(httpError(400, 'invalid argument: x'), { boxliteCode: 3 });
    const hostile = new Proxy(httpError(400, 'x'), { getPrototypeOf: () => { throw new Error('no'); } });
    const getter = Object.defineProperty(httpError(400, 'y'), 'message', { get: () => { throw new Error('no'); } });
    const plain = Object.assign(new Error('not found: thing'), { status: 404 });
    expect(renderedErrorKey(hostile, true)).toBeNull(); // (renderError's own instanceof throws for it, as before)
    for (const err of [withCode, getter, plain, 'a string', null, undefined, 42]) {
      expect(renderedErrorKey(err, true)).toBeNull();
      expectSameAnswer(err, ctx);
    }
  });

  it('a request id that is not plain, or a message quoting the placeholder, is rendered afresh', () => {
    expectSameAnswer(invalid('x'), { requestId: 'has space' });
    expectSameAnswer(invalid('x'), { requestId: 'a'.repeat(200) });
    const kept = new RenderedErrors();
    expect(kept.lookup(invalid('x'), 'has space', true)).toBeNull();
    const quoting = invalid('boxlite-rendered-error-request-id-placeholder');
    expect(kept.lookup(quoting, 'r1', true)).toBeNull();
    expectSameAnswer(quoting, { requestId: 'r1' });
  });

  it('keeps at most MAX_RENDERED_ERRORS answers, the oldest going first, and long messages not at all', () => {
    const kept = new RenderedErrors();
    for (let i = 0; i < MAX_RENDERED_ERRORS + 50; i++) {
      expect(kept.lookup(invalid(`bad value ${i}`), 'r1', true)).not.toBeNull();
    }
    expect(kept.size).toBe(MAX_RENDERED_ERRORS);
    const first = kept.lookup(invalid('bad value 0'), 'r1', true);
    expect(first?.before).toContain('bad value 0');
    expect(kept.lookup(invalid('y'.repeat(600)), 'r1', true)).toBeNull();
    expect(kept.size).toBe(MAX_RENDERED_ERRORS);
  });

  it('callers may add headers to an answer without touching the kept one', () => {
    const a = renderError(invalid('shared'), { requestId: 'r1' });
    a.headers.Connection = 'close';
    const b = renderError(invalid('shared'), { requestId: 'r2' });
    expect(b.headers.Connection).toBeUndefined();
    expect(b.headers['X-Request-Id']).toBe('r2');
    expect(b.body).toContain('"request_id":"r2"');
  });
});
