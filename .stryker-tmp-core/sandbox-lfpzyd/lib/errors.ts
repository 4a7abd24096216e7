// @ts-nocheck
// Typed BoxLite errors: one class per libboxlite BoxliteErrorCode.
//
// `code` stays a string (Node convention: the most stable way to identify an
// error); the engine's numeric code lives in `boxliteCode`. `message` is the
// engine's text verbatim, prefix included (e.g. "box not found: ...").

/** libboxlite's `BoxliteErrorCode`, names and numbers as in the C ABI. */function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
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
const STRING_CODES: readonly string[] = stryMutAct_9fa48("355") ? Object.keys(BoxliteErrorCode).reduce<string[]>((codes, name) => {
  codes[BoxliteErrorCode[name as keyof typeof BoxliteErrorCode]] = 'BOXLITE_' + name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return codes;
}, []) : (stryCov_9fa48("355"), Object.keys(BoxliteErrorCode).filter(stryMutAct_9fa48("356") ? () => undefined : (stryCov_9fa48("356"), k => Number.isNaN(Number(k)))).reduce<string[]>((codes, name) => {
  if (stryMutAct_9fa48("357")) {
    {}
  } else {
    stryCov_9fa48("357");
    codes[BoxliteErrorCode[name as keyof typeof BoxliteErrorCode]] = (stryMutAct_9fa48("358") ? "" : (stryCov_9fa48("358"), 'BOXLITE_')) + (stryMutAct_9fa48("359") ? name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() : (stryCov_9fa48("359"), name.replace(stryMutAct_9fa48("361") ? /([a-z])([^A-Z])/g : stryMutAct_9fa48("360") ? /([^a-z])([A-Z])/g : (stryCov_9fa48("360", "361"), /([a-z])([A-Z])/g), stryMutAct_9fa48("362") ? "" : (stryCov_9fa48("362"), '$1_$2')).toUpperCase()));
    return codes;
  }
}, stryMutAct_9fa48("363") ? ["Stryker was here"] : (stryCov_9fa48("363"), [])));

// Computed once per code: errors are created on hot paths (one per failed call).
function stringCodeFor(boxliteCode: number): string {
  if (stryMutAct_9fa48("364")) {
    {}
  } else {
    stryCov_9fa48("364");
    if (stryMutAct_9fa48("367") ? boxliteCode !== BoxliteErrorCode.Ok : stryMutAct_9fa48("366") ? false : stryMutAct_9fa48("365") ? true : (stryCov_9fa48("365", "366", "367"), boxliteCode === BoxliteErrorCode.Ok)) return stryMutAct_9fa48("368") ? "" : (stryCov_9fa48("368"), 'BOXLITE_UNKNOWN');
    return stryMutAct_9fa48("371") ? Number.isInteger(boxliteCode) && STRING_CODES[boxliteCode] && 'BOXLITE_UNKNOWN' : stryMutAct_9fa48("370") ? false : stryMutAct_9fa48("369") ? true : (stryCov_9fa48("369", "370", "371"), (stryMutAct_9fa48("373") ? Number.isInteger(boxliteCode) || STRING_CODES[boxliteCode] : stryMutAct_9fa48("372") ? false : (stryCov_9fa48("372", "373"), Number.isInteger(boxliteCode) && STRING_CODES[boxliteCode])) || (stryMutAct_9fa48("374") ? "" : (stryCov_9fa48("374"), 'BOXLITE_UNKNOWN')));
  }
}
export class BoxliteError extends Error {
  /** The numeric libboxlite code (`BoxliteErrorCode`). */
  readonly boxliteCode: number;
  /** A stable string such as `BOXLITE_NOT_FOUND`. */
  readonly code: string;
  constructor(message: string, boxliteCode: number = BoxliteErrorCode.Internal, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("375")) {
      {}
    } else {
      stryCov_9fa48("375");
      // Guarded `in`: plain-JS callers may pass a non-object as options.
      super(message, (stryMutAct_9fa48("378") ? typeof options === 'object' && options !== null || 'cause' in options : stryMutAct_9fa48("377") ? false : stryMutAct_9fa48("376") ? true : (stryCov_9fa48("376", "377", "378"), (stryMutAct_9fa48("380") ? typeof options === 'object' || options !== null : stryMutAct_9fa48("379") ? true : (stryCov_9fa48("379", "380"), (stryMutAct_9fa48("382") ? typeof options !== 'object' : stryMutAct_9fa48("381") ? true : (stryCov_9fa48("381", "382"), typeof options === (stryMutAct_9fa48("383") ? "" : (stryCov_9fa48("383"), 'object')))) && (stryMutAct_9fa48("385") ? options === null : stryMutAct_9fa48("384") ? true : (stryCov_9fa48("384", "385"), options !== null)))) && (stryMutAct_9fa48("386") ? "" : (stryCov_9fa48("386"), 'cause')) in options)) ? stryMutAct_9fa48("387") ? {} : (stryCov_9fa48("387"), {
        cause: options.cause
      }) : undefined);
      this.boxliteCode = boxliteCode;
      this.code = stringCodeFor(boxliteCode);
    }
  }

  /**
   * The right subclass for a numeric code. Unknown numbers give a plain
   * BoxliteError that keeps the number (and classifies as internal).
   */
  static fromCode(boxliteCode: number, message: string, options?: BoxliteErrorOptions): BoxliteError {
    if (stryMutAct_9fa48("388")) {
      {}
    } else {
      stryCov_9fa48("388");
      const Ctor = Number.isInteger(boxliteCode) ? CLASS_BY_CODE.get(boxliteCode) : undefined;
      if (stryMutAct_9fa48("390") ? false : stryMutAct_9fa48("389") ? true : (stryCov_9fa48("389", "390"), Ctor)) return new Ctor(message, options);
      return new BoxliteError(message, boxliteCode, options);
    }
  }
}

// `name` lives on each prototype (non-enumerable, like Error.prototype.name) so
// it survives minifiers that rename classes and never shows up in JSON.
Object.defineProperty(BoxliteError.prototype, stryMutAct_9fa48("391") ? "" : (stryCov_9fa48("391"), 'name'), stryMutAct_9fa48("392") ? {} : (stryCov_9fa48("392"), {
  value: stryMutAct_9fa48("393") ? "" : (stryCov_9fa48("393"), 'BoxliteError'),
  writable: stryMutAct_9fa48("394") ? false : (stryCov_9fa48("394"), true),
  enumerable: stryMutAct_9fa48("395") ? true : (stryCov_9fa48("395"), false),
  configurable: stryMutAct_9fa48("396") ? false : (stryCov_9fa48("396"), true)
}));
type SubclassCtor = new (message: string, options?: BoxliteErrorOptions) => BoxliteError;
const CLASS_BY_CODE = new Map<number, SubclassCtor>();
function register<T extends SubclassCtor>(name: string, boxliteCode: BoxliteErrorCode, Ctor: T): T {
  if (stryMutAct_9fa48("397")) {
    {}
  } else {
    stryCov_9fa48("397");
    Object.defineProperty(Ctor.prototype, stryMutAct_9fa48("398") ? "" : (stryCov_9fa48("398"), 'name'), stryMutAct_9fa48("399") ? {} : (stryCov_9fa48("399"), {
      value: name,
      writable: stryMutAct_9fa48("400") ? false : (stryCov_9fa48("400"), true),
      enumerable: stryMutAct_9fa48("401") ? true : (stryCov_9fa48("401"), false),
      configurable: stryMutAct_9fa48("402") ? false : (stryCov_9fa48("402"), true)
    }));
    Object.defineProperty(Ctor, stryMutAct_9fa48("403") ? "" : (stryCov_9fa48("403"), 'boxliteCode'), stryMutAct_9fa48("404") ? {} : (stryCov_9fa48("404"), {
      value: boxliteCode,
      enumerable: stryMutAct_9fa48("405") ? false : (stryCov_9fa48("405"), true)
    }));
    CLASS_BY_CODE.set(boxliteCode, Ctor);
    return Ctor;
  }
}

// One subclass per code. Each is a real class (not a factory product) so it
// shows in stack traces and `instanceof` reads naturally in user code.
export class InternalError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("406")) {
      {}
    } else {
      stryCov_9fa48("406");
      super(message, BoxliteErrorCode.Internal, options);
    }
  }
}
export class NotFoundError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("407")) {
      {}
    } else {
      stryCov_9fa48("407");
      super(message, BoxliteErrorCode.NotFound, options);
    }
  }
}
export class AlreadyExistsError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("408")) {
      {}
    } else {
      stryCov_9fa48("408");
      super(message, BoxliteErrorCode.AlreadyExists, options);
    }
  }
}
export class InvalidStateError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("409")) {
      {}
    } else {
      stryCov_9fa48("409");
      super(message, BoxliteErrorCode.InvalidState, options);
    }
  }
}
export class InvalidArgumentError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("410")) {
      {}
    } else {
      stryCov_9fa48("410");
      super(message, BoxliteErrorCode.InvalidArgument, options);
    }
  }
}
export class ConfigError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("411")) {
      {}
    } else {
      stryCov_9fa48("411");
      super(message, BoxliteErrorCode.Config, options);
    }
  }
}
export class StorageError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("412")) {
      {}
    } else {
      stryCov_9fa48("412");
      super(message, BoxliteErrorCode.Storage, options);
    }
  }
}
export class ImageError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("413")) {
      {}
    } else {
      stryCov_9fa48("413");
      super(message, BoxliteErrorCode.Image, options);
    }
  }
}
export class NetworkError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("414")) {
      {}
    } else {
      stryCov_9fa48("414");
      super(message, BoxliteErrorCode.Network, options);
    }
  }
}
export class ExecutionError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("415")) {
      {}
    } else {
      stryCov_9fa48("415");
      super(message, BoxliteErrorCode.Execution, options);
    }
  }
}
export class StoppedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("416")) {
      {}
    } else {
      stryCov_9fa48("416");
      super(message, BoxliteErrorCode.Stopped, options);
    }
  }
}
export class EngineError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("417")) {
      {}
    } else {
      stryCov_9fa48("417");
      super(message, BoxliteErrorCode.Engine, options);
    }
  }
}
export class UnsupportedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("418")) {
      {}
    } else {
      stryCov_9fa48("418");
      super(message, BoxliteErrorCode.Unsupported, options);
    }
  }
}
export class DatabaseError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("419")) {
      {}
    } else {
      stryCov_9fa48("419");
      super(message, BoxliteErrorCode.Database, options);
    }
  }
}
export class PortalError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("420")) {
      {}
    } else {
      stryCov_9fa48("420");
      super(message, BoxliteErrorCode.Portal, options);
    }
  }
}
export class RpcError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("421")) {
      {}
    } else {
      stryCov_9fa48("421");
      super(message, BoxliteErrorCode.Rpc, options);
    }
  }
}
export class RpcTransportError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("422")) {
      {}
    } else {
      stryCov_9fa48("422");
      super(message, BoxliteErrorCode.RpcTransport, options);
    }
  }
}
export class MetadataError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("423")) {
      {}
    } else {
      stryCov_9fa48("423");
      super(message, BoxliteErrorCode.Metadata, options);
    }
  }
}
export class UnsupportedEngineError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("424")) {
      {}
    } else {
      stryCov_9fa48("424");
      super(message, BoxliteErrorCode.UnsupportedEngine, options);
    }
  }
}
export class ResourceExhaustedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("425")) {
      {}
    } else {
      stryCov_9fa48("425");
      super(message, BoxliteErrorCode.ResourceExhausted, options);
    }
  }
}
export class SessionReapedError extends BoxliteError {
  constructor(message: string, options?: BoxliteErrorOptions) {
    if (stryMutAct_9fa48("426")) {
      {}
    } else {
      stryCov_9fa48("426");
      super(message, BoxliteErrorCode.SessionReaped, options);
    }
  }
}
register(stryMutAct_9fa48("427") ? "" : (stryCov_9fa48("427"), 'InternalError'), BoxliteErrorCode.Internal, InternalError);
register(stryMutAct_9fa48("428") ? "" : (stryCov_9fa48("428"), 'NotFoundError'), BoxliteErrorCode.NotFound, NotFoundError);
register(stryMutAct_9fa48("429") ? "" : (stryCov_9fa48("429"), 'AlreadyExistsError'), BoxliteErrorCode.AlreadyExists, AlreadyExistsError);
register(stryMutAct_9fa48("430") ? "" : (stryCov_9fa48("430"), 'InvalidStateError'), BoxliteErrorCode.InvalidState, InvalidStateError);
register(stryMutAct_9fa48("431") ? "" : (stryCov_9fa48("431"), 'InvalidArgumentError'), BoxliteErrorCode.InvalidArgument, InvalidArgumentError);
register(stryMutAct_9fa48("432") ? "" : (stryCov_9fa48("432"), 'ConfigError'), BoxliteErrorCode.Config, ConfigError);
register(stryMutAct_9fa48("433") ? "" : (stryCov_9fa48("433"), 'StorageError'), BoxliteErrorCode.Storage, StorageError);
register(stryMutAct_9fa48("434") ? "" : (stryCov_9fa48("434"), 'ImageError'), BoxliteErrorCode.Image, ImageError);
register(stryMutAct_9fa48("435") ? "" : (stryCov_9fa48("435"), 'NetworkError'), BoxliteErrorCode.Network, NetworkError);
register(stryMutAct_9fa48("436") ? "" : (stryCov_9fa48("436"), 'ExecutionError'), BoxliteErrorCode.Execution, ExecutionError);
register(stryMutAct_9fa48("437") ? "" : (stryCov_9fa48("437"), 'StoppedError'), BoxliteErrorCode.Stopped, StoppedError);
register(stryMutAct_9fa48("438") ? "" : (stryCov_9fa48("438"), 'EngineError'), BoxliteErrorCode.Engine, EngineError);
register(stryMutAct_9fa48("439") ? "" : (stryCov_9fa48("439"), 'UnsupportedError'), BoxliteErrorCode.Unsupported, UnsupportedError);
register(stryMutAct_9fa48("440") ? "" : (stryCov_9fa48("440"), 'DatabaseError'), BoxliteErrorCode.Database, DatabaseError);
register(stryMutAct_9fa48("441") ? "" : (stryCov_9fa48("441"), 'PortalError'), BoxliteErrorCode.Portal, PortalError);
register(stryMutAct_9fa48("442") ? "" : (stryCov_9fa48("442"), 'RpcError'), BoxliteErrorCode.Rpc, RpcError);
register(stryMutAct_9fa48("443") ? "" : (stryCov_9fa48("443"), 'RpcTransportError'), BoxliteErrorCode.RpcTransport, RpcTransportError);
register(stryMutAct_9fa48("444") ? "" : (stryCov_9fa48("444"), 'MetadataError'), BoxliteErrorCode.Metadata, MetadataError);
register(stryMutAct_9fa48("445") ? "" : (stryCov_9fa48("445"), 'UnsupportedEngineError'), BoxliteErrorCode.UnsupportedEngine, UnsupportedEngineError);
register(stryMutAct_9fa48("446") ? "" : (stryCov_9fa48("446"), 'ResourceExhaustedError'), BoxliteErrorCode.ResourceExhausted, ResourceExhaustedError);
register(stryMutAct_9fa48("447") ? "" : (stryCov_9fa48("447"), 'SessionReapedError'), BoxliteErrorCode.SessionReaped, SessionReapedError);

/** The class for a numeric code, or undefined for numbers outside 1..21. */
export function errorClassFor(boxliteCode: number): SubclassCtor | undefined {
  if (stryMutAct_9fa48("448")) {
    {}
  } else {
    stryCov_9fa48("448");
    return CLASS_BY_CODE.get(boxliteCode);
  }
}

/**
 * True for a BoxliteError (optionally of one code). Also accepts errors from
 * another copy of this package (bundled twice): any Error with a numeric
 * `boxliteCode` and a string `code` starting with `BOXLITE_`.
 */
export function isBoxliteError(err: unknown, boxliteCode?: BoxliteErrorCode | number): err is BoxliteError {
  if (stryMutAct_9fa48("449")) {
    {}
  } else {
    stryCov_9fa48("449");
    let ok: boolean;
    try {
      if (stryMutAct_9fa48("450")) {
        {}
      } else {
        stryCov_9fa48("450");
        ok = stryMutAct_9fa48("453") ? err instanceof BoxliteError && err instanceof Error && typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode === 'number' && typeof (err as unknown as {
          code?: unknown;
        }).code === 'string' && (err as unknown as {
          code: string;
        }).code.startsWith('BOXLITE_') : stryMutAct_9fa48("452") ? false : stryMutAct_9fa48("451") ? true : (stryCov_9fa48("451", "452", "453"), err instanceof BoxliteError || (stryMutAct_9fa48("455") ? err instanceof Error && typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode === 'number' && typeof (err as unknown as {
          code?: unknown;
        }).code === 'string' || (err as unknown as {
          code: string;
        }).code.startsWith('BOXLITE_') : stryMutAct_9fa48("454") ? false : (stryCov_9fa48("454", "455"), (stryMutAct_9fa48("457") ? err instanceof Error && typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode === 'number' || typeof (err as unknown as {
          code?: unknown;
        }).code === 'string' : stryMutAct_9fa48("456") ? true : (stryCov_9fa48("456", "457"), (stryMutAct_9fa48("459") ? err instanceof Error || typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode === 'number' : stryMutAct_9fa48("458") ? true : (stryCov_9fa48("458", "459"), err instanceof Error && (stryMutAct_9fa48("461") ? typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode !== 'number' : stryMutAct_9fa48("460") ? true : (stryCov_9fa48("460", "461"), typeof (err as {
          boxliteCode?: unknown;
        }).boxliteCode === (stryMutAct_9fa48("462") ? "" : (stryCov_9fa48("462"), 'number')))))) && (stryMutAct_9fa48("464") ? typeof (err as unknown as {
          code?: unknown;
        }).code !== 'string' : stryMutAct_9fa48("463") ? true : (stryCov_9fa48("463", "464"), typeof (err as unknown as {
          code?: unknown;
        }).code === (stryMutAct_9fa48("465") ? "" : (stryCov_9fa48("465"), 'string')))))) && (stryMutAct_9fa48("466") ? (err as unknown as {
          code: string;
        }).code.endsWith('BOXLITE_') : (stryCov_9fa48("466"), (err as unknown as {
          code: string;
        }).code.startsWith(stryMutAct_9fa48("467") ? "" : (stryCov_9fa48("467"), 'BOXLITE_')))))));
        if (stryMutAct_9fa48("470") ? ok || boxliteCode !== undefined : stryMutAct_9fa48("469") ? false : stryMutAct_9fa48("468") ? true : (stryCov_9fa48("468", "469", "470"), ok && (stryMutAct_9fa48("472") ? boxliteCode === undefined : stryMutAct_9fa48("471") ? true : (stryCov_9fa48("471", "472"), boxliteCode !== undefined)))) ok = stryMutAct_9fa48("475") ? (err as BoxliteError).boxliteCode !== boxliteCode : stryMutAct_9fa48("474") ? false : stryMutAct_9fa48("473") ? true : (stryCov_9fa48("473", "474", "475"), (err as BoxliteError).boxliteCode === boxliteCode);
      }
    } catch {
      if (stryMutAct_9fa48("476")) {
        {}
      } else {
        stryCov_9fa48("476");
        return stryMutAct_9fa48("477") ? true : (stryCov_9fa48("477"), false); // a hostile Proxy or throwing getter is not one of ours
      }
    }
    return ok;
  }
}