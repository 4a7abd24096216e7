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

// Survivors of the second full pass (session 3).
describe('cancellation is never a 500', () => {
  it('TimeoutError is 504 timeout and AbortError 409 invalid_state, the message kept', () => {
    expect(classifyError(Object.assign(new Error('deadline passed'), { name: 'TimeoutError' })))
      .toMatchObject({ status: 504, code: 'timeout', message: 'deadline passed' });
    expect(classifyError(Object.assign(new Error('caller went away'), { name: 'AbortError' })))
      .toMatchObject({ status: 409, code: 'invalid_state', message: 'caller went away' });
    // What AbortSignal really throws.
    const timeout = new DOMException('The operation timed out.', 'TimeoutError');
    expect(classifyError(timeout).status).toBe(504);
    expect(classifyError(new DOMException('aborted', 'AbortError')).status).toBe(409);
  });

  it('another name is not a cancellation', () => {
    expect(classifyError(Object.assign(new Error('x'), { name: 'timeouterror' })).status).toBe(500);
    expect(classifyError(Object.assign(new Error('x'), { name: 'Abort' })).status).toBe(500);
  });
});

describe('the cause chain', () => {
  it('a wrapper without a cause, or with itself as cause, is a 500 with its own message', () => {
    expect(classifyError(new Error('plain'))).toMatchObject({ status: 500, message: 'plain' });
    const self: { message: string; cause?: unknown } = { message: 'loop' };
    self.cause = self;
    expect(classifyError(self)).toMatchObject({ status: 500, message: 'loop' });
  });

  it('a cause that throws when read leaves the outer error a 500 with its message', () => {
    const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
    expect(classifyError({ message: 'outer', cause: hostile })).toMatchObject({ status: 500, message: 'outer' });
  });

  it('a null cause is no cause', () => {
    expect(classifyError({ message: 'outer', cause: null })).toMatchObject({ status: 500, message: 'outer' });
  });

  it('is followed 8 links deep and no further', () => {
    const chain = (links: number) => {
      let e: unknown = new NotFoundError('box not found: deep');
      for (let i = 0; i < links; i++) e = { message: `wrap ${i}`, cause: e };
      return e;
    };
    expect(classifyError(chain(8)).status).toBe(404);
    expect(classifyError(chain(9)).status).toBe(500);
  });
});

describe('Node system errors: only resource exhaustion is 503', () => {
  const sys = (code: string, extra: Record<string, unknown>) => Object.assign(new Error(`${code}: too many`), { code, ...extra });
  it('EMFILE, ENFILE, EAGAIN, ENOMEM with a syscall or a numeric errno', () => {
    for (const code of ['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']) {
      expect(classifyError(sys(code, { syscall: 'open' })), code).toMatchObject({ status: 503, retryable: true });
      expect(classifyError(sys(code, { errno: -24 })), code).toMatchObject({ status: 503 });
    }
  });
  it('not without either, not with a string errno, not for other codes', () => {
    expect(classifyError(sys('EMFILE', {})).status).toBe(500);
    expect(classifyError(sys('EMFILE', { errno: '24' })).status).toBe(500);
    expect(classifyError(sys('EMFILE', { syscall: 5 })).status).toBe(500);
    expect(classifyError(sys('ENOENT', { syscall: 'open', errno: -2 })).status).toBe(500);
    expect(classifyError(Object.assign(new Error('x'), { code: 24, syscall: 'open' })).status).toBe(500);
  });
});

describe('"(os error N)" in an Internal message', () => {
  const internal = (text: string) => classifyError(new errors.InternalError(text));
  it('reads the number before the closing parenthesis', () => {
    expect(internal('spawn: Argument list too long (os error 7)').status).toBe(400);
    expect(internal('open: File name too long (os error 36)').status).toBe(400);
    for (const n of [11, 12, 23, 24]) expect(internal(`x (os error ${n})`).status, String(n)).toBe(503);
  });
  it('only the last marker counts', () => {
    expect(internal('a (os error 2) then b (os error 24)').status).toBe(503);
    expect(internal('a (os error 24) then b (os error 2)').status).toBe(500);
    expect(internal('a (os error 24) b (os error 3) c (os error 7)').status).toBe(400);
  });
  it('needs 1 to 4 digits and the parenthesis right after them', () => {
    expect(internal('x (os error )').status).toBe(500);
    expect(internal('x (os error 24').status).toBe(500);
    expect(internal('x (os error 24 )').status).toBe(500);
    expect(internal('x (os error 0024)').status).toBe(503);
    expect(internal('x (os error 00024)').status).toBe(500);
    expect(internal('x (os error 2x4)').status).toBe(500);
    expect(internal('x (os error :24)').status).toBe(500);
    expect(internal('x (os error /24)').status).toBe(500);
    expect(internal('x (os error 12)').status).toBe(503);
    expect(internal('x (os error 9)').status).toBe(500);
    expect(internal('(os error 24)').status).toBe(503);
  });
  it('the marker may open the message or follow one character; without it digits mean nothing', () => {
    expect(internal('x(os error 24)').status).toBe(503);
    expect(internal('xxxxxxxxx24)').status).toBe(500);
    // Only '0'..'9' are digits: ':' and '>' sort just above '9'.
    expect(internal('x (os error 1>)').status).toBe(500);
    expect(internal('x (os error 2:)').status).toBe(500);
  });
  it('no marker is a plain 500', () => {
    expect(internal('os error 24').status).toBe(500);
    expect(internal('').status).toBe(500);
  });
});

describe('the Internal fallbacks read text in place', () => {
  // spawn_failed is the wrapping prefix: the detail counts only after it.
  const internal = (text: string) => classifyError(new errors.InternalError(text));
  it('the account path may be followed by punctuation, but not be only punctuation', () => {
    expect(internal("User 'bob' not found in /etc/passwd.").status).toBe(400);
    expect(internal("User 'bob' not found in /etc/passwd').").status).toBe(400);
    expect(internal('not found in ...').status).toBe(500);
    expect(internal('not found in ').status).toBe(500);
    expect(internal('not found in /etc/passw').status).toBe(500);
  });
  it('spawn_failed must come before the detail, and right where it is', () => {
    expect(internal("spawn_failed: executable 'x' not found in $PATH").status).toBe(422);
    expect(internal("spawn_failed: '/bin/x' does not have correct permissions").status).toBe(422);
    expect(internal("executable 'x' not found in $PATH; spawn_failed").status).toBe(500);
    expect(internal('spawn_failednot found in $PATH').status).toBe(422);
    expect(internal('not found in $PATHspawn_failed').status).toBe(500);
  });
});

describe('numbers that are no status or code', () => {
  it('a BigInt status is no status (and never throws): the message decides', () => {
    expect(isHttpErrorStatus(404n)).toBe(false);
    expect(classifyError({ status: 404n, message: 'box not found: b' })).toMatchObject({ status: 404, code: 'not_found' });
    expect(classifyError({ statusCode: 409n, message: 'invalid argument: x' })).toMatchObject({ status: 400 });
  });

  it('boxliteCode outside 1..21 or not an integer answers 500 internal', () => {
    for (const code of [0, -1, -0, 1.5, 21.5, 22, NaN, Infinity, -Infinity, 2 ** 32 + 2]) {
      expect(classifyError({ boxliteCode: code, message: 'box not found: x' }), String(code)).toMatchObject({ status: 500, code: 'internal' });
    }
    expect(classifyError({ boxliteCode: 21, message: 'x' })).toMatchObject({ status: 410, code: 'session_reaped' });
  });

  it('400 and 500 have their canonical rows as bare statuses', () => {
    expect(httpRowForStatus(400)).toEqual({ status: 400, type: 'InvalidArgumentError', code: 'invalid_argument', retryable: false });
    expect(httpRowForStatus(500)).toEqual({ status: 500, type: 'InternalError', code: 'internal', retryable: false });
    expect(httpRowForStatus(499)).toMatchObject({ status: 499, code: 'invalid_argument' });
    expect(httpRowForStatus(501)).toMatchObject({ status: 501, code: 'unsupported' });
  });
});

describe('error classes behave like built-in errors', () => {
  it('name is a prototype property described like Error.prototype.name: never listed, never in JSON', () => {
    const builtin = Object.getOwnPropertyDescriptor(Error.prototype, 'name');
    for (const Ctor of [BoxliteError, NotFoundError, errors.SessionReapedError]) {
      const d = Object.getOwnPropertyDescriptor(Ctor.prototype, 'name');
      expect({ ...d, value: undefined }, Ctor.name).toEqual({ ...builtin, value: undefined });
    }
    const err = new NotFoundError('box not found: x');
    const listed: string[] = [];
    for (const k in err) listed.push(k);
    expect(listed).not.toContain('name');
    expect(JSON.parse(JSON.stringify(err))).not.toHaveProperty('name');
  });

  it('the static boxliteCode is listed and read-only', () => {
    expect(Object.keys(NotFoundError)).toContain('boxliteCode');
    expect(() => { (NotFoundError as unknown as { boxliteCode: number }).boxliteCode = 9; }).toThrow(TypeError);
    expect(NotFoundError.boxliteCode).toBe(BoxliteErrorCode.NotFound);
  });

  it('every code has its BOXLITE_ string code at its own number', () => {
    expect(new errors.InternalError('x').code).toBe('BOXLITE_INTERNAL');
    expect(new errors.SessionReapedError('x').code).toBe('BOXLITE_SESSION_REAPED');
    expect(new errors.RpcTransportError('x').code).toBe('BOXLITE_RPC_TRANSPORT');
  });

  it('isBoxliteError wants a real string code, not something with a startsWith', () => {
    const fake = Object.assign(new Error('x'), { boxliteCode: 3, code: { startsWith: () => true } });
    expect(errors.isBoxliteError(fake)).toBe(false);
    expect(errors.isBoxliteError(Object.assign(new Error('x'), { boxliteCode: 3, code: 'BOXLITE_NOT_FOUND' }))).toBe(true);
  });
});
