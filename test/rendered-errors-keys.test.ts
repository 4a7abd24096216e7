// How kept error answers are keyed (lib/http/protocol/rendered-errors.ts):
// by message first, then by the rest (class, status or code, exposeInternal,
// extra headers). Errors that share a message but differ in anything else
// must never share an answer, odd BoxLite codes included; the bound evicts
// the oldest answer first across messages; a request id the handler vouches
// for (requestIdIsPlain) gives the same bytes as one checked here.
import { describe, expect, it } from 'vitest';
import { BoxliteError, NotFoundError } from '../lib/errors/errors';
import { httpError } from '../lib/http/protocol/http-error';
import { MAX_RENDERED_ERRORS, RenderedErrors, renderedErrorKey } from '../lib/http/protocol/rendered-errors';
import { expectSameAnswer } from './rendered-error-reference';

describe('kept error answers, keyed by message then the rest', () => {
  it('one message, every other difference: each its own answer, twice in any order', () => {
    const message = 'invalid argument: the same words';
    const variants: Array<() => unknown> = [
      () => httpError(400, message),
      () => httpError(404, message),
      () => httpError(405, message, { Allow: 'GET' }),
      () => httpError(405, message, { Allow: 'GET, HEAD' }),
      () => httpError(405, message),
      () => new BoxliteError(message, 5),
      () => new BoxliteError(message, 2),
      () => new NotFoundError(message),
      () => new BoxliteError(message, 1.5),
      () => new BoxliteError(message, Number.NaN),
      () => new BoxliteError(message, -3),
      () => new BoxliteError(message, 1e7),
    ];
    for (let round = 0; round < 2; round++) {
      for (const make of [...variants, ...variants.slice().reverse()]) {
        for (const exposeInternal of [undefined, true, false]) {
          expectSameAnswer(make(), { requestId: 'r-1', exposeInternal });
          expectSameAnswer(make(), { requestId: 'r-2', requestIdIsPlain: true, exposeInternal });
        }
      }
    }
  });

  it('keys differ wherever answers may differ', () => {
    const keys = new Set([
      renderedErrorKey(httpError(400, 'm'), true),
      renderedErrorKey(httpError(400, 'm'), false),
      renderedErrorKey(httpError(401, 'm'), true),
      renderedErrorKey(httpError(400, 'm', { A: '1' }), true),
      renderedErrorKey(httpError(400, 'm', { A: '2' }), true),
      renderedErrorKey(new BoxliteError('m', 5), true),
      renderedErrorKey(new BoxliteError('m', 5), false),
      renderedErrorKey(new BoxliteError('m', 6), true),
      renderedErrorKey(new BoxliteError('m', 5.5), true),
      renderedErrorKey(httpError(400, 'n'), true),
    ]);
    expect(keys.has(null)).toBe(false);
    expect(keys.size).toBe(10);
  });

  it('evicts the oldest answer first, also when an old message comes back with a new status', () => {
    const kept = new RenderedErrors();
    expect(kept.lookup(httpError(400, 'first'), 'r', true)).not.toBeNull();
    for (let i = 1; i < MAX_RENDERED_ERRORS; i++) kept.lookup(httpError(400, `filler ${i}`), 'r', true);
    expect(kept.size).toBe(MAX_RENDERED_ERRORS);
    const firstAnswer = kept.lookup(httpError(400, 'first'), 'r', true);
    // A new variant of the oldest message: the oldest answer ("first", 400) goes, not the variant.
    const variant = kept.lookup(httpError(404, 'first'), 'r', true);
    expect(kept.size).toBe(MAX_RENDERED_ERRORS);
    expect(kept.lookup(httpError(404, 'first'), 'r', true)).toBe(variant);
    expect(kept.lookup(httpError(400, 'filler 1'), 'r', true)).not.toBeNull();
    expect(kept.size).toBe(MAX_RENDERED_ERRORS);
    // "first" (400) was rendered again: a new object, the same answer.
    const again = kept.lookup(httpError(400, 'first'), 'r', true);
    expect(again).not.toBe(firstAnswer);
    expect(again).toEqual(firstAnswer);
  });

  it('a vouched-for request id skips the check, an unvouched odd one is rendered afresh', () => {
    const kept = new RenderedErrors();
    expect(kept.lookup(httpError(400, 'x'), 'has space', true)).toBeNull();
    expect(kept.lookup(httpError(400, 'x'), 'plain-id', true, true)).not.toBeNull();
    expectSameAnswer(httpError(400, 'x'), { requestId: 'has space' });
  });
});
