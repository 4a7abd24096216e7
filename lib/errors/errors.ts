// Typed BoxLite errors: one class per libboxlite BoxliteErrorCode.
//
// `code` stays a string (Node convention: the most stable way to identify an
// error); the engine's numeric code lives in `boxliteCode`. `message` is the
// engine's text verbatim, prefix included (e.g. "box not found: ...").

/** libboxlite's `BoxliteErrorCode`, names and numbers as in the C ABI. */
export enum BoxliteErrorCode {
  Ok = 0,
  Internal = 1,
  NotFound = 2,
  AlreadyExists = 3,
  InvalidState = 4,
  InvalidArgument = 5,
  Config = 6,
  Storage = 7,
  Image = 8,
  Network = 9,
  Execution = 10,
  Stopped = 11,
  Engine = 12,
  Unsupported = 13,
  Database = 14,
  Portal = 15,
  Rpc = 16,
  RpcTransport = 17,
  Metadata = 18,
  UnsupportedEngine = 19,
  ResourceExhausted = 20,
  SessionReaped = 21,
}

export interface BoxliteErrorOptions {
  cause?: unknown;
}

/** Stable string for `err.code`: `BOXLITE_` + the C name in SCREAMING_SNAKE_CASE. */
const STRING_CODES: readonly string[] = Object.values(BoxliteErrorCode)
  // A numeric enum holds both directions; its numeric values come in code
  // order, 0..21, so each string lands at its code's index.
  .filter((v): v is BoxliteErrorCode => typeof v === 'number')
  .map((code) => 'BOXLITE_' + BoxliteErrorCode[code].replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());

// Computed once per code: errors are created on hot paths (one per failed call).
function stringCodeFor(boxliteCode: number): string {
  if (boxliteCode === BoxliteErrorCode.Ok) return 'BOXLITE_UNKNOWN';
  return (Number.isInteger(boxliteCode) && STRING_CODES[boxliteCode]) || 'BOXLITE_UNKNOWN';
}

export class BoxliteError extends Error {
  /** The numeric libboxlite code (`BoxliteErrorCode`). */
  readonly boxliteCode: number;
  /** A stable string such as `BOXLITE_NOT_FOUND`. */
  readonly code: string;

  constructor(message: string, boxliteCode: number = BoxliteErrorCode.Internal, options?: BoxliteErrorOptions) {
    // Guarded `in`: plain-JS callers may pass a non-object as options.
    super(message, typeof options === 'object' && options !== null && 'cause' in options
      ? { cause: options.cause } : undefined);
    this.boxliteCode = boxliteCode;
    this.code = stringCodeFor(boxliteCode);
  }

  /**
   * The right subclass for a numeric code. Unknown numbers give a plain
   * BoxliteError that keeps the number (and classifies as internal).
   */
  static fromCode(boxliteCode: number, message: string, options?: BoxliteErrorOptions): BoxliteError {
    const Ctor = Number.isInteger(boxliteCode) ? CLASS_BY_CODE.get(boxliteCode) : undefined;
    if (Ctor) return new Ctor(message, options);
    return new BoxliteError(message, boxliteCode, options);
  }
}

// `name` lives on each prototype (non-enumerable, like Error.prototype.name) so
// it survives minifiers that rename classes and never shows up in JSON.
Object.defineProperty(BoxliteError.prototype, 'name', {
  value: 'BoxliteError', writable: true, enumerable: false, configurable: true,
});

type SubclassCtor = new (message: string, options?: BoxliteErrorOptions) => BoxliteError;
const CLASS_BY_CODE = new Map<number, SubclassCtor>();

function register<T extends SubclassCtor>(name: string, boxliteCode: BoxliteErrorCode, Ctor: T): T {
  Object.defineProperty(Ctor.prototype, 'name', {
    value: name, writable: true, enumerable: false, configurable: true,
  });
  Object.defineProperty(Ctor, 'boxliteCode', { value: boxliteCode, enumerable: true });
  CLASS_BY_CODE.set(boxliteCode, Ctor);
  return Ctor;
}

// One subclass per code. Each is a real class (not a factory product) so it
// shows in stack traces and `instanceof` reads naturally in user code.
export class InternalError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Internal, options); }
}
export class NotFoundError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.NotFound, options); }
}
export class AlreadyExistsError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.AlreadyExists, options); }
}
export class InvalidStateError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.InvalidState, options); }
}
export class InvalidArgumentError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.InvalidArgument, options); }
}
export class ConfigError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Config, options); }
}
export class StorageError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Storage, options); }
}
export class ImageError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Image, options); }
}
export class NetworkError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Network, options); }
}
export class ExecutionError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Execution, options); }
}
export class StoppedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Stopped, options); }
}
export class EngineError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Engine, options); }
}
export class UnsupportedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Unsupported, options); }
}
export class DatabaseError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Database, options); }
}
export class PortalError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Portal, options); }
}
export class RpcError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Rpc, options); }
}
export class RpcTransportError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.RpcTransport, options); }
}
export class MetadataError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.Metadata, options); }
}
export class UnsupportedEngineError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.UnsupportedEngine, options); }
}
export class ResourceExhaustedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.ResourceExhausted, options); }
}
export class SessionReapedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) { super(message, BoxliteErrorCode.SessionReaped, options); }
}

register('InternalError', BoxliteErrorCode.Internal, InternalError);
register('NotFoundError', BoxliteErrorCode.NotFound, NotFoundError);
register('AlreadyExistsError', BoxliteErrorCode.AlreadyExists, AlreadyExistsError);
register('InvalidStateError', BoxliteErrorCode.InvalidState, InvalidStateError);
register('InvalidArgumentError', BoxliteErrorCode.InvalidArgument, InvalidArgumentError);
register('ConfigError', BoxliteErrorCode.Config, ConfigError);
register('StorageError', BoxliteErrorCode.Storage, StorageError);
register('ImageError', BoxliteErrorCode.Image, ImageError);
register('NetworkError', BoxliteErrorCode.Network, NetworkError);
register('ExecutionError', BoxliteErrorCode.Execution, ExecutionError);
register('StoppedError', BoxliteErrorCode.Stopped, StoppedError);
register('EngineError', BoxliteErrorCode.Engine, EngineError);
register('UnsupportedError', BoxliteErrorCode.Unsupported, UnsupportedError);
register('DatabaseError', BoxliteErrorCode.Database, DatabaseError);
register('PortalError', BoxliteErrorCode.Portal, PortalError);
register('RpcError', BoxliteErrorCode.Rpc, RpcError);
register('RpcTransportError', BoxliteErrorCode.RpcTransport, RpcTransportError);
register('MetadataError', BoxliteErrorCode.Metadata, MetadataError);
register('UnsupportedEngineError', BoxliteErrorCode.UnsupportedEngine, UnsupportedEngineError);
register('ResourceExhaustedError', BoxliteErrorCode.ResourceExhausted, ResourceExhaustedError);
register('SessionReapedError', BoxliteErrorCode.SessionReaped, SessionReapedError);

/** The class for a numeric code, or undefined for numbers outside 1..21. */
export function errorClassFor(boxliteCode: number): SubclassCtor | undefined {
  return CLASS_BY_CODE.get(boxliteCode);
}

/**
 * True for a BoxliteError (optionally of one code). Also accepts errors from
 * another copy of this package (bundled twice): any Error with a numeric
 * `boxliteCode` and a string `code` starting with `BOXLITE_`.
 */
export function isBoxliteError(err: unknown, boxliteCode?: BoxliteErrorCode | number): err is BoxliteError {
  let ok: boolean;
  try {
    ok = err instanceof BoxliteError || (
      err instanceof Error
      && typeof (err as { boxliteCode?: unknown }).boxliteCode === 'number'
      && typeof (err as unknown as { code?: unknown }).code === 'string'
      && ((err as unknown as { code: string }).code).startsWith('BOXLITE_'));
    if (ok && boxliteCode !== undefined) ok = (err as BoxliteError).boxliteCode === boxliteCode;
  } catch {
    return false; // a hostile Proxy or throwing getter is not one of ours
  }
  return ok;
}
