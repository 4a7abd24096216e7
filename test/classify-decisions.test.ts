// Edges of classification, status helpers, request-id echoing and the error
// classes that StrykerJS found unpinned (issue 12; `npm run test:mutation`).
// Each case is a decision a caller sees: the status and code of an answer,
// its message, or what a typed error lets user code do.
import { describe, expect, it } from 'vitest';
import { BOXLITE_MESSAGE_PREFIXES, boxliteCodeForMessagePrefix, classifyError } from '../lib/errors/classify';
import { errorResponse } from '../lib/errors/error-response';
import * as errors from '../lib/errors/errors';
import { BoxliteError, BoxliteErrorCode, NotFoundError } from '../lib/errors/errors';
import { CANONICAL_HTTP_TABLE, httpRowForStatus, isHttpErrorStatus } from '../lib/errors/http-table';

describe('a wrapper keeps the meaning of its cause', () => {
  it('even when its own message is not a string', () => {
    const cause = new NotFoundError('box not found: b1');
    for (const message of [42, undefined, null, { text: 'x' }]) {
      const wrapper = { message, cause };
      expect(classifyError(wrapper), String(message)).toMatchObject({ status: 404, code: 'not_found', message: 'Not Found' });
    }
  });

  it('even when its message has no known prefix', () => {
    const c = classifyError(new Error('request failed', { cause: new Error('already exists: name taken') }));
    expect(c).toMatchObject({ status: 409, code: 'already_exists', message: 'request failed' });
  });
});

describe('a function can carry an error, too', () => {
  it('its status, code, message prefix and cause are read like an object\'s', () => {
    expect(classifyError(Object.assign(() => undefined, { status: 404, message: 'gone' }))).toMatchObject({ status: 404, message: 'gone' });
    expect(classifyError(Object.assign(() => undefined, { boxliteCode: 4 }))).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(classifyError(Object.assign(() => undefined, { message: 'stopped: s' })).code).toBe('stopped');
    expect(classifyError(Object.assign(() => undefined, { cause: new NotFoundError('x') })).status).toBe(404);
  });
});

describe('an empty message is answered with the reason phrase', () => {
  it.each([
    ['a typed error', new NotFoundError(''), 404, 'Not Found'],
    ['a bare status', Object.assign(new Error(''), { status: 409 }), 409, 'Conflict'],
    ['an empty string', '', 500, 'Internal Server Error'],
    ['a status the phrase table lacks', { status: 599, message: '' }, 599, 'Error'],
    ['a message that is not a string', { status: 503, message: 7 }, 503, 'Service Unavailable'],
  ] as const)('%s', (_label, err, status, message) => {
    expect(classifyError(err)).toMatchObject({ status, message });
  });

  it('a message that is not a string is never passed on, even one with a length', () => {
    const typed = new NotFoundError('x');
    (typed as unknown as { message: unknown }).message = ['box not found: x'];
    expect(classifyError(typed)).toMatchObject({ status: 404, message: 'Not Found' });
    expect(classifyError({ status: 409, message: ['a'] })).toMatchObject({ status: 409, message: 'Conflict' });
  });

  it('a non-empty message is kept verbatim', () => {
    expect(classifyError('x').message).toBe('x');
    expect(classifyError(new NotFoundError(' ')).message).toBe(' ');
  });
});

describe('the missing user/group fallback reads the path after "not found in"', () => {
  const USER = (after: string) => `internal error: spawn_failed: internal error: User 'bob' not found in /r/etc/passwd${after}`;
  it.each(['\t(tab)', '\r\n', '\n', ' (space)', '\v', '\f'])('whitespace ends the path: %j', (after) => {
    expect(classifyError(new errors.InternalError(USER(after))).code).toBe('invalid_argument');
  });
  it.each(['.', ',', ';', ':', ')', ']', "'", '"', '`', '.)', "')."])('trailing %j is punctuation, not path', (after) => {
    expect(classifyError(new errors.InternalError(USER(after))).code).toBe('invalid_argument');
  });
  it.each(['!', '/', 'x', '-', '>', '}', '(', '~', '\u0001', '\u0008'])('%j is part of the path, so it names some other file', (after) => {
    expect(classifyError(new errors.InternalError(USER(after))).code).toBe('internal');
  });
  it('the path must end with the account file, not merely contain it', () => {
    expect(classifyError(new errors.InternalError("internal error: User 'b' not found in /etc/passwd.bak")).code).toBe('internal');
    expect(classifyError(new errors.InternalError("internal error: User 'b' not found in /etc/passwd")).code).toBe('invalid_argument');
    expect(classifyError(new errors.InternalError("internal error: Group 'g' not found in /etc/group")).code).toBe('invalid_argument');
    expect(classifyError(new errors.InternalError("internal error: Group 'g' not found in /etc/groups")).code).toBe('internal');
    // A later "not found in" may name the account file after an earlier one that does not.
    expect(classifyError(new errors.InternalError("internal error: x not found in /a; User 'b' not found in /etc/passwd")).code).toBe('invalid_argument');
    // Nothing after "not found in" at all.
    expect(classifyError(new errors.InternalError('internal error: User b not found in ')).code).toBe('internal');
  });
});

describe('boxliteCodeForMessagePrefix', () => {
  it('names the code of every BoxLite Display prefix', () => {
    for (const [prefix, code] of BOXLITE_MESSAGE_PREFIXES) {
      expect(boxliteCodeForMessagePrefix(`${prefix}details`), prefix).toBe(code);
      expect(boxliteCodeForMessagePrefix(prefix), prefix).toBe(code);
    }
    expect(boxliteCodeForMessagePrefix('unsupported engine kind')).toBe(BoxliteErrorCode.UnsupportedEngine);
    expect(boxliteCodeForMessagePrefix('unsupported: x')).toBe(BoxliteErrorCode.Unsupported);
    expect(boxliteCodeForMessagePrefix('gRPC transport error: x')).toBe(BoxliteErrorCode.RpcTransport);
    expect(boxliteCodeForMessagePrefix('gRPC/tonic error: x')).toBe(BoxliteErrorCode.Rpc);
  });

  it('is 0 for anything else: no prefix, a prefix not at the start, wrong case, non-ASCII, empty', () => {
    for (const message of [
      '', 'oops', ' box not found: x', 'Box not found: x', 'execution error: x', 'box not found:x', 'box not found',
      '\u00e9chec', '\u{1F4A5} boom', 'internal error:', 'zzz',
    ]) {
      expect(boxliteCodeForMessagePrefix(message), message).toBe(0);
    }
  });
});

describe('status helpers', () => {
  it.each([600, 399, 404.5, 1e9, -404, Number.NaN, Number.POSITIVE_INFINITY])('%s is not an HTTP error status: 500 internal', (status) => {
    expect(isHttpErrorStatus(status)).toBe(false);
    expect(httpRowForStatus(status)).toMatchObject({ status: 500, code: 'internal' });
    expect(classifyError({ status, message: 'm' })).toMatchObject({ status: 500, code: 'internal' });
  });

  it.each([400, 404, 450, 499, 500, 599])('%s is one, kept as given', (status) => {
    expect(isHttpErrorStatus(status)).toBe(true);
    expect(httpRowForStatus(status).status).toBe(status);
    expect(classifyError({ status }).status).toBe(status);
  });

  it('an unusable status falls through to a usable statusCode, then to the message', () => {
    expect(classifyError({ status: 600, statusCode: 404 })).toMatchObject({ status: 404, code: 'not_found' });
    expect(classifyError({ status: '404', statusCode: 409 })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(classifyError({ status: 404, statusCode: 409 }).status).toBe(404);
    expect(classifyError({ status: 600, statusCode: 700, message: 'stopped: gone' })).toMatchObject({ status: 409, code: 'stopped' });
  });

  it('unlisted 4xx are the caller\'s mistake, unlisted 5xx the server\'s', () => {
    expect(httpRowForStatus(418)).toMatchObject({ status: 418, type: 'InvalidArgumentError', code: 'invalid_argument', retryable: false });
    expect(httpRowForStatus(507)).toMatchObject({ status: 507, type: 'InternalError', code: 'internal', retryable: false });
    expect(httpRowForStatus(499).code).toBe('invalid_argument');
    expect(httpRowForStatus(500).code).toBe('internal');
  });
});

describe('request ids in the error envelope', () => {
  const idOf = (requestId: unknown) => errorResponse(new NotFoundError('x'), { requestId: requestId as string }).headers['X-Request-Id'];
  it('accepts exactly 256 characters, refuses 257', () => {
    expect(idOf('r'.repeat(256))).toBe('r'.repeat(256));
    expect(idOf('r'.repeat(257))).toBeUndefined();
  });
  it('accepts every printable ASCII character, space and ~ included; refuses DEL and controls', () => {
    expect(idOf('a b')).toBe('a b');
    expect(idOf(' ~')).toBe(' ~');
    expect(idOf('a\u007fb')).toBeUndefined();
    expect(idOf('a\u001fb')).toBeUndefined();
    expect(idOf('')).toBeUndefined();
  });
});

describe('error classes', () => {
  it('each subclass carries its numeric code as a static, for checks without an instance', () => {
    for (const row of CANONICAL_HTTP_TABLE) {
      const Ctor = (errors as unknown as Record<string, { boxliteCode?: number }>)[row.className];
      expect(Ctor.boxliteCode, row.className).toBe(row.boxliteCode);
    }
    expect((errors.NotFoundError as unknown as { boxliteCode: number }).boxliteCode).toBe(BoxliteErrorCode.NotFound);
  });

  it('err.name can be overwritten, as on any Error', () => {
    const err = new NotFoundError('box not found: x');
    err.name = 'Renamed';
    expect(err.name).toBe('Renamed');
    expect(String(err)).toBe('Renamed: box not found: x');
    const base = new BoxliteError('m', 99);
    base.name = 'Mine';
    expect(base.name).toBe('Mine');
    // Overwriting one instance leaves the class alone.
    expect(new NotFoundError('y').name).toBe('NotFoundError');
  });
});

// Equivalent mutants: changes StrykerJS reports as surviving that no caller
// can tell from the original, so no test can (or should) kill them.
//
// lib/errors/error-response.ts
// - usableRequestId, `i < id.length` -> `i <= id.length`: the extra
//   charCodeAt(length) is NaN, which is neither < 0x20 nor > 0x7e, so the
//   id is judged the same.
// - retryAfter, `typeof seconds === 'number'` -> `true`:
//   Number.isInteger() is already false for every non-number.
//
// lib/errors/classify.ts
// - rowOf's and messageOf's "object or function" guards -> true/false: a
//   primitive has no boxliteCode, status, message or cause (and reading them
//   from null throws, which classifyError answers with the same 500).
// - The `typeof message === 'string'` guards before internalRow(): a
//   non-string there makes the fallback throw, which classifyError also
//   answers 500 internal.
// - rowOf's `cause !== undefined && cause !== err` (either half -> true):
//   rowOf(undefined) is undefined, and a self-cause stops at the depth bound;
//   its catch block -> {}: the function returns undefined right after.
// - namesMissingUserOrGroup's `end > start` -> true / `>=`: the character
//   before `start` is the space of "not found in ", never punctuation, so the
//   trim stops there anyway. endsWithAt's length guard -> true / `end + start`:
//   a window reaching back into "not found in " cannot end with "/etc/passwd"
//   or "/etc/group".
// - isSpawnFailureOfCommand's `at + SPAWN_FAILED.length` -> `at - ...`: the
//   detail cannot start inside the 12 characters before the marker without
//   overlapping it.
// - The prefix buckets: `new Array(128)` -> `new Array()` (a missing bucket is
//   undefined either way); `??= []` -> `??= ["Stryker was here"]` (the extra
//   entry is a string whose "prefix" 'S' starts no message of that bucket's
//   first character).
// - Emptying a row of PREFIXES (`[...]` -> `[]`) and `??=` -> `&&=` make the
//   module throw while loading; Stryker's vitest runner counts that as
//   survived, scripts/mutation/run.js re-runs them and counts them killed.
