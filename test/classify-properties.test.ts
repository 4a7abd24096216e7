import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyError, type ErrorClassification } from '../lib/errors/classify';
import { BoxliteError } from '../lib/errors/errors';
import { errorResponse, serializeErrorBody } from '../lib/errors/error-response';
import { httpReasonPhrase, httpRowForBoxliteCode } from '../lib/errors/http-table';

const RUNS = { numRuns: 2000 };

function expectWellFormed(c: ErrorClassification): void {
  expect(Object.keys(c).sort()).toEqual(['code', 'message', 'retryable', 'status', 'type']);
  expect(Number.isInteger(c.status)).toBe(true);
  expect(c.status).toBeGreaterThanOrEqual(400);
  expect(c.status).toBeLessThanOrEqual(599);
  expect(c.type).toMatch(/^[A-Z][A-Za-z]*Error$/);
  expect(c.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  expect(typeof c.message).toBe('string');
  expect(c.retryable).toBe(c.status === 429 || c.status === 503);
}

// --- hostile values -----------------------------------------------------------

const boom = () => { throw new Error('hostile getter'); };

// Hostile values are generated as factories and built inside the property:
// fast-check itself inspects generated values, and these throw on inspection.
type Make = () => unknown;

/** Objects whose interesting properties are values or throwing getters. */
const throwingGetters: fc.Arbitrary<Make> = fc.record({
  base: fc.constantFrom<'object' | 'error' | 'boxlite' | 'nullproto'>('object', 'error', 'boxlite', 'nullproto'),
  throwOn: fc.subarray(['boxliteCode', 'message', 'status', 'statusCode', 'cause', 'code', 'name']),
  boxliteCode: fc.option(fc.oneof(fc.integer({ min: -2, max: 25 }), fc.double()), { nil: undefined }),
  status: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
  message: fc.option(fc.string(), { nil: undefined }),
}).map(({ base, throwOn, boxliteCode, status, message }) => () => {
  const target: Record<string, unknown> = base === 'error' ? new Error('e') as unknown as Record<string, unknown>
    : base === 'boxlite' ? BoxliteError.fromCode(1, 'internal error: x') as unknown as Record<string, unknown>
      : base === 'nullproto' ? Object.create(null) : {};
  const values: Record<string, unknown> = { boxliteCode, status, message };
  for (const key of ['boxliteCode', 'message', 'status', 'statusCode', 'cause', 'code', 'name']) {
    if (throwOn.includes(key)) Object.defineProperty(target, key, { get: boom, configurable: true });
    else if (values[key] !== undefined) Object.defineProperty(target, key, { value: values[key], configurable: true });
  }
  return target;
});

/** Proxies: every trap throws, revoked, or lying about their prototype. */
const hostileProxies: fc.Arbitrary<Make> = fc.constantFrom('all-traps-throw', 'revoked', 'fake-boxlite', 'fake-boxlite-weird-code').map((kind) => () => {
  if (kind === 'revoked') {
    const { proxy, revoke } = Proxy.revocable(new Error('x'), {});
    revoke();
    return proxy;
  }
  if (kind === 'all-traps-throw') {
    return new Proxy({}, {
      get: boom, has: boom, getPrototypeOf: boom, ownKeys: boom, getOwnPropertyDescriptor: boom,
    });
  }
  // Claims to be a BoxliteError, then answers nonsense or throws.
  return new Proxy({}, {
    getPrototypeOf: () => BoxliteError.prototype,
    get: (_t, key) => {
      if (key === 'boxliteCode') return kind === 'fake-boxlite' ? 1 : { valueOf: boom };
      if (key === 'message') return boom();
      return undefined;
    },
  });
});

/** Cause chains that loop back on themselves. */
const cyclicCauses: fc.Arbitrary<Make> = fc.integer({ min: 1, max: 12 }).map((length) => () => {
  const errors = Array.from({ length }, (_, i) => new Error(`link ${i}`));
  for (let i = 0; i < length; i++) Object.defineProperty(errors[i], 'cause', { value: errors[(i + 1) % length] });
  return errors[0];
});

const hostile = fc.oneof(throwingGetters, hostileProxies, cyclicCauses);

const primitivesAndStrangers: fc.Arbitrary<Make> = fc.oneof(
  fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true,
    withNullPrototype: true, withObjectString: true, withTypedArray: true, withSparseArray: true }),
  fc.constantFrom(Symbol('s'), Symbol.iterator, () => 1, class {}, new WeakMap(), NaN),
).map((value) => () => value);

/** Objects shaped like errors, built from realistic pieces. */
const FRAGMENTS = [
  'internal error: ', 'box not found: ', 'Execution error: ', 'spawn_failed: ', 'spawn_failed', 'not found in ',
  '/etc/passwd', '/etc/group', '$PATH', 'does not have correct permissions', "User 'bob' ", '/run/bundle/rootfs',
  ' ', '.', "'", '\n', 'x', 'unsupported engine kind', 'session reaped: ',
];
const fragmentText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((parts) => parts.join(''));
const errorShaped = fc.record({
  boxliteCode: fc.option(fc.integer({ min: -1, max: 23 }), { nil: undefined }),
  status: fc.option(fc.integer({ min: 100, max: 700 }), { nil: undefined }),
  statusCode: fc.option(fc.integer({ min: 100, max: 700 }), { nil: undefined }),
  message: fc.oneof(fragmentText, fc.string()),
}, { requiredKeys: ['message'] }).map((props): Make => () => Object.assign(new Error(props.message), props));

const anyValue = fc.oneof(primitivesAndStrangers, hostile, errorShaped);

describe('classifyError properties', () => {
  it('never throws, and always answers a well-formed 4xx/5xx', () => {
    fc.assert(fc.property(anyValue, (make) => {
      expectWellFormed(classifyError(make()));
    }), RUNS);
  });

  it('is idempotent: classifying twice gives the same answer', () => {
    fc.assert(fc.property(anyValue, (make) => {
      const value = make();
      expect(classifyError(value)).toEqual(classifyError(value));
    }), RUNS);
  });

  it('a typed error of code 2..21 always lands on its canonical row, whatever its message', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 21 }), fc.oneof(fragmentText, fc.string()), (code, message) => {
      const row = httpRowForBoxliteCode(code);
      expect(classifyError(BoxliteError.fromCode(code, message))).toEqual({
        status: row.status, type: row.type, code: row.code, retryable: row.retryable,
        message: message.length > 0 ? message : httpReasonPhrase(row.status),
      });
    }), RUNS);
  });

  it('code 1 answers internal unless a fallback\'s markers are all present', () => {
    fc.assert(fc.property(fragmentText, (message) => {
      const c = classifyError(BoxliteError.fromCode(1, message));
      expect(['internal', 'invalid_argument', 'execution_failed']).toContain(c.code);
      if (c.code === 'invalid_argument') {
        expect(message).toContain('not found in ');
        expect(message.includes('/etc/passwd') || message.includes('/etc/group')).toBe(true);
      }
      if (c.code === 'execution_failed') {
        expect(message).toContain('spawn_failed');
        expect(message.includes('not found in $PATH') || message.includes('does not have correct permissions')).toBe(true);
      }
    }), RUNS);
  });
});

describe('errorResponse properties', () => {
  it('never throws; the body serialises to JSON that parses back to the same envelope', () => {
    fc.assert(fc.property(anyValue, fc.option(fc.string(), { nil: undefined }), fc.boolean(), (make, requestId, expose) => {
      const value = make();
      const r = errorResponse(value, { requestId, exposeInternal: expose });
      expect(r.status).toBe(classifyError(value).status);
      expect(r.headers['Content-Type']).toBe('application/json');
      const json = serializeErrorBody(r.body);
      expect(JSON.parse(json)).toEqual(r.body);
      expect(Object.keys(r.body)).toEqual(['error']);
      expect('Retry-After' in r.headers).toBe(r.status === 429 || r.status === 503);
      // Every header value is sendable (no control characters, ASCII only).
      for (const v of Object.values(r.headers)) expect(v).toMatch(/^[\x20-\x7e]+$/);
    }), RUNS);
  });
});

describe('hostile values, one by one', () => {
  const INTERNAL = { status: 500, type: 'InternalError', code: 'internal', retryable: false };

  it('a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable(BoxliteError.fromCode(2, 'box not found: x'), {});
    revoke();
    expect(classifyError(proxy)).toEqual({ ...INTERNAL, message: 'Internal Server Error' });
  });

  it('a Proxy whose every trap throws', () => {
    const p = new Proxy({}, { get: boom, has: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom });
    expect(classifyError(p)).toEqual({ ...INTERNAL, message: 'Internal Server Error' });
  });

  it('a BoxliteError whose message getter throws', () => {
    const err = BoxliteError.fromCode(2, 'box not found: x');
    Object.defineProperty(err, 'message', { get: boom });
    expect(classifyError(err)).toEqual({ ...INTERNAL, message: 'Internal Server Error' });
  });

  it('an error whose status getter throws keeps its message', () => {
    const err = new Error('outer');
    Object.defineProperty(err, 'status', { get: boom });
    expect(classifyError(err)).toEqual({ ...INTERNAL, message: 'outer' });
  });

  it('a hostile cause does not hide the outer message', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(classifyError(new Error('outer', { cause: proxy }))).toEqual({ ...INTERNAL, message: 'outer' });
  });

  it('a cause chain that loops (self and two-cycle)', () => {
    const self = new Error('self');
    Object.defineProperty(self, 'cause', { value: self });
    expect(classifyError(self)).toEqual({ ...INTERNAL, message: 'self' });
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(classifyError(a)).toEqual({ ...INTERNAL, message: 'a' });
  });

  it('a boxliteCode whose valueOf throws', () => {
    expect(classifyError({ boxliteCode: { valueOf: boom }, message: 'm' })).toEqual({ ...INTERNAL, message: 'm' });
  });
});
