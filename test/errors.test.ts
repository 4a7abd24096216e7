import { describe, expect, it } from 'vitest';
import * as errors from '../lib/errors/errors';
import {
  BoxliteError,
  BoxliteErrorCode,
  InternalError,
  NotFoundError,
  SessionReapedError,
  UnsupportedEngineError,
  errorClassFor,
  isBoxliteError,
} from '../lib/errors/errors';

// libboxlite's enum, names and numbers (libboxlite-abi.md §1), and the class
// and string code each must get.
const EXPECTED: ReadonlyArray<readonly [number, string, string, string]> = [
  [1, 'Internal', 'InternalError', 'BOXLITE_INTERNAL'],
  [2, 'NotFound', 'NotFoundError', 'BOXLITE_NOT_FOUND'],
  [3, 'AlreadyExists', 'AlreadyExistsError', 'BOXLITE_ALREADY_EXISTS'],
  [4, 'InvalidState', 'InvalidStateError', 'BOXLITE_INVALID_STATE'],
  [5, 'InvalidArgument', 'InvalidArgumentError', 'BOXLITE_INVALID_ARGUMENT'],
  [6, 'Config', 'ConfigError', 'BOXLITE_CONFIG'],
  [7, 'Storage', 'StorageError', 'BOXLITE_STORAGE'],
  [8, 'Image', 'ImageError', 'BOXLITE_IMAGE'],
  [9, 'Network', 'NetworkError', 'BOXLITE_NETWORK'],
  [10, 'Execution', 'ExecutionError', 'BOXLITE_EXECUTION'],
  [11, 'Stopped', 'StoppedError', 'BOXLITE_STOPPED'],
  [12, 'Engine', 'EngineError', 'BOXLITE_ENGINE'],
  [13, 'Unsupported', 'UnsupportedError', 'BOXLITE_UNSUPPORTED'],
  [14, 'Database', 'DatabaseError', 'BOXLITE_DATABASE'],
  [15, 'Portal', 'PortalError', 'BOXLITE_PORTAL'],
  [16, 'Rpc', 'RpcError', 'BOXLITE_RPC'],
  [17, 'RpcTransport', 'RpcTransportError', 'BOXLITE_RPC_TRANSPORT'],
  [18, 'Metadata', 'MetadataError', 'BOXLITE_METADATA'],
  [19, 'UnsupportedEngine', 'UnsupportedEngineError', 'BOXLITE_UNSUPPORTED_ENGINE'],
  [20, 'ResourceExhausted', 'ResourceExhaustedError', 'BOXLITE_RESOURCE_EXHAUSTED'],
  [21, 'SessionReaped', 'SessionReapedError', 'BOXLITE_SESSION_REAPED'],
];

describe('BoxliteErrorCode', () => {
  it('has libboxlite names and numbers 0..21, nothing else', () => {
    expect(BoxliteErrorCode.Ok).toBe(0);
    for (const [num, name] of EXPECTED) {
      expect((BoxliteErrorCode as unknown as Record<string, number>)[name]).toBe(num);
      expect(BoxliteErrorCode[num]).toBe(name);
    }
    const numericValues = Object.values(BoxliteErrorCode).filter((v) => typeof v === 'number');
    expect(numericValues.sort((a, b) => (a as number) - (b as number))).toEqual([...Array(22).keys()]);
  });
});

describe('one subclass per code', () => {
  it.each(EXPECTED)('code %i (%s) -> %s', (num, _cName, className, stringCode) => {
    const Ctor = (errors as unknown as Record<string, new (m: string, o?: { cause?: unknown }) => BoxliteError>)[className];
    expect(typeof Ctor).toBe('function');
    expect(errorClassFor(num)).toBe(Ctor);

    const msg = `some engine text for ${num}`;
    const err = new Ctor(msg);
    expect(err).toBeInstanceOf(Ctor);
    expect(err).toBeInstanceOf(BoxliteError);
    expect(err).toBeInstanceOf(Error);
    expect(err.boxliteCode).toBe(num);
    expect(typeof err.code).toBe('string');
    expect(err.code).toBe(stringCode);
    expect(err.name).toBe(className);
    expect(err.constructor.name).toBe(className);
    expect(err.message).toBe(msg);
    expect(String(err)).toBe(`${className}: ${msg}`);
    expect(err.stack?.startsWith(`${className}: ${msg}`)).toBe(true);
    // `name` is not an own, enumerable property: it never leaks into JSON.
    expect(Object.keys(err)).not.toContain('name');
  });

  it('subclasses are distinct from each other', () => {
    expect(new NotFoundError('x')).not.toBeInstanceOf(InternalError);
    expect(new InternalError('x')).not.toBeInstanceOf(NotFoundError);
  });
});

describe('BoxliteError.fromCode', () => {
  it.each(EXPECTED)('code %i gives the right subclass', (num, _n, className) => {
    const err = BoxliteError.fromCode(num, 'box not found: abc');
    expect(err.constructor.name).toBe(className);
    expect(err).toBeInstanceOf(errorClassFor(num)!);
    expect(err.boxliteCode).toBe(num);
    expect(err.message).toBe('box not found: abc');
  });

  it.each([0, 22, 99, -1, 1.5, Number.NaN])('unknown number %d gives a plain BoxliteError keeping the number', (num) => {
    const err = BoxliteError.fromCode(num, 'weird');
    expect(err.constructor).toBe(BoxliteError);
    expect(err.name).toBe('BoxliteError');
    expect(Object.is(err.boxliteCode, num)).toBe(true);
    expect(err.code).toBe('BOXLITE_UNKNOWN');
    expect(err.message).toBe('weird');
  });

  it('keeps the message verbatim, prefix and all', () => {
    const text = "internal error: spawn_failed: internal error: User 'bob' not found in /run/bundle/rootfs/etc/passwd";
    expect(BoxliteError.fromCode(1, text).message).toBe(text);
  });
});

describe('cause', () => {
  it('is stored when given, as an own property', () => {
    const root = new Error('root');
    const err = BoxliteError.fromCode(2, 'box not found: x', { cause: root });
    expect(err.cause).toBe(root);
    expect(Object.prototype.hasOwnProperty.call(err, 'cause')).toBe(true);
  });

  it('an explicit undefined cause is still a cause', () => {
    const err = new SessionReapedError('session reaped: s', { cause: undefined });
    expect(Object.prototype.hasOwnProperty.call(err, 'cause')).toBe(true);
    expect(err.cause).toBeUndefined();
  });

  it('is absent when not given, and junk options do not throw', () => {
    expect(Object.prototype.hasOwnProperty.call(new NotFoundError('x'), 'cause')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(new NotFoundError('x', {}), 'cause')).toBe(false);
    const junk = 'not options' as unknown as { cause?: unknown };
    expect(() => BoxliteError.fromCode(2, 'x', junk)).not.toThrow();
    expect(() => new NotFoundError('x', null as unknown as undefined)).not.toThrow();
  });
});

describe('isBoxliteError', () => {
  it('accepts our errors, with or without a code filter', () => {
    const err = new NotFoundError('box not found: x');
    expect(isBoxliteError(err)).toBe(true);
    expect(isBoxliteError(err, BoxliteErrorCode.NotFound)).toBe(true);
    expect(isBoxliteError(err, 2)).toBe(true);
    expect(isBoxliteError(err, BoxliteErrorCode.Internal)).toBe(false);
    expect(isBoxliteError(new UnsupportedEngineError('unsupported engine kind'), 19)).toBe(true);
  });

  it('accepts an error from another copy of the package (duck-typed)', () => {
    class ForeignBoxliteError extends Error {
      boxliteCode = 21;
      code = 'BOXLITE_SESSION_REAPED';
    }
    expect(isBoxliteError(new ForeignBoxliteError('session reaped: x'))).toBe(true);
    expect(isBoxliteError(new ForeignBoxliteError('session reaped: x'), 21)).toBe(true);
    expect(isBoxliteError(new ForeignBoxliteError('session reaped: x'), 2)).toBe(false);
  });

  it('rejects look-alikes and junk without throwing', () => {
    const sdkError = Object.assign(new Error('box not found: x'), { code: 'GenericFailure' });
    expect(isBoxliteError(sdkError)).toBe(false);
    expect(isBoxliteError({ boxliteCode: 2, code: 'BOXLITE_NOT_FOUND', message: 'x' })).toBe(false); // not an Error
    expect(isBoxliteError(Object.assign(new Error('x'), { boxliteCode: 2, code: 'ENOENT' }))).toBe(false);
    expect(isBoxliteError(Object.assign(new Error('x'), { boxliteCode: '2', code: 'BOXLITE_NOT_FOUND' }))).toBe(false);
    for (const v of [null, undefined, 0, 'BOXLITE_NOT_FOUND', Symbol('x'), () => 1]) {
      expect(isBoxliteError(v)).toBe(false);
    }
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(isBoxliteError(proxy)).toBe(false);
    const throwing = new Error('x');
    Object.defineProperty(throwing, 'boxliteCode', { get() { throw new Error('boom'); } });
    expect(isBoxliteError(throwing)).toBe(false);
  });

  it('narrows the type', () => {
    const e: unknown = new SessionReapedError('session reaped: x');
    if (isBoxliteError(e)) {
      const n: number = e.boxliteCode;
      expect(n).toBe(21);
    } else {
      expect.unreachable('should be a BoxliteError');
    }
  });
});
