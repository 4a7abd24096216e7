"use strict";
// Typed BoxLite errors: one class per libboxlite BoxliteErrorCode.
//
// `code` stays a string (Node convention: the most stable way to identify an
// error); the engine's numeric code lives in `boxliteCode`. `message` is the
// engine's text verbatim, prefix included (e.g. "box not found: ...").
Object.defineProperty(exports, "__esModule", { value: true });
exports.SessionReapedError = exports.ResourceExhaustedError = exports.UnsupportedEngineError = exports.MetadataError = exports.RpcTransportError = exports.RpcError = exports.PortalError = exports.DatabaseError = exports.UnsupportedError = exports.EngineError = exports.StoppedError = exports.ExecutionError = exports.NetworkError = exports.ImageError = exports.StorageError = exports.ConfigError = exports.InvalidArgumentError = exports.InvalidStateError = exports.AlreadyExistsError = exports.NotFoundError = exports.InternalError = exports.BoxliteError = exports.BoxliteErrorCode = void 0;
exports.errorClassFor = errorClassFor;
exports.isBoxliteError = isBoxliteError;
/** libboxlite's `BoxliteErrorCode`, names and numbers as in the C ABI. */
var BoxliteErrorCode;
(function (BoxliteErrorCode) {
    BoxliteErrorCode[BoxliteErrorCode["Ok"] = 0] = "Ok";
    BoxliteErrorCode[BoxliteErrorCode["Internal"] = 1] = "Internal";
    BoxliteErrorCode[BoxliteErrorCode["NotFound"] = 2] = "NotFound";
    BoxliteErrorCode[BoxliteErrorCode["AlreadyExists"] = 3] = "AlreadyExists";
    BoxliteErrorCode[BoxliteErrorCode["InvalidState"] = 4] = "InvalidState";
    BoxliteErrorCode[BoxliteErrorCode["InvalidArgument"] = 5] = "InvalidArgument";
    BoxliteErrorCode[BoxliteErrorCode["Config"] = 6] = "Config";
    BoxliteErrorCode[BoxliteErrorCode["Storage"] = 7] = "Storage";
    BoxliteErrorCode[BoxliteErrorCode["Image"] = 8] = "Image";
    BoxliteErrorCode[BoxliteErrorCode["Network"] = 9] = "Network";
    BoxliteErrorCode[BoxliteErrorCode["Execution"] = 10] = "Execution";
    BoxliteErrorCode[BoxliteErrorCode["Stopped"] = 11] = "Stopped";
    BoxliteErrorCode[BoxliteErrorCode["Engine"] = 12] = "Engine";
    BoxliteErrorCode[BoxliteErrorCode["Unsupported"] = 13] = "Unsupported";
    BoxliteErrorCode[BoxliteErrorCode["Database"] = 14] = "Database";
    BoxliteErrorCode[BoxliteErrorCode["Portal"] = 15] = "Portal";
    BoxliteErrorCode[BoxliteErrorCode["Rpc"] = 16] = "Rpc";
    BoxliteErrorCode[BoxliteErrorCode["RpcTransport"] = 17] = "RpcTransport";
    BoxliteErrorCode[BoxliteErrorCode["Metadata"] = 18] = "Metadata";
    BoxliteErrorCode[BoxliteErrorCode["UnsupportedEngine"] = 19] = "UnsupportedEngine";
    BoxliteErrorCode[BoxliteErrorCode["ResourceExhausted"] = 20] = "ResourceExhausted";
    BoxliteErrorCode[BoxliteErrorCode["SessionReaped"] = 21] = "SessionReaped";
})(BoxliteErrorCode || (exports.BoxliteErrorCode = BoxliteErrorCode = {}));
/** Stable string for `err.code`: `BOXLITE_` + the C name in SCREAMING_SNAKE_CASE. */
function stringCodeFor(boxliteCode) {
    const name = BoxliteErrorCode[boxliteCode];
    if (typeof name !== 'string' || boxliteCode === BoxliteErrorCode.Ok)
        return 'BOXLITE_UNKNOWN';
    return 'BOXLITE_' + name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}
class BoxliteError extends Error {
    /** The numeric libboxlite code (`BoxliteErrorCode`). */
    boxliteCode;
    /** A stable string such as `BOXLITE_NOT_FOUND`. */
    code;
    constructor(message, boxliteCode = BoxliteErrorCode.Internal, options) {
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
    static fromCode(boxliteCode, message, options) {
        const Ctor = Number.isInteger(boxliteCode) ? CLASS_BY_CODE.get(boxliteCode) : undefined;
        if (Ctor)
            return new Ctor(message, options);
        return new BoxliteError(message, boxliteCode, options);
    }
}
exports.BoxliteError = BoxliteError;
// `name` lives on each prototype (non-enumerable, like Error.prototype.name) so
// it survives minifiers that rename classes and never shows up in JSON.
Object.defineProperty(BoxliteError.prototype, 'name', {
    value: 'BoxliteError', writable: true, enumerable: false, configurable: true,
});
const CLASS_BY_CODE = new Map();
function register(name, boxliteCode, Ctor) {
    Object.defineProperty(Ctor.prototype, 'name', {
        value: name, writable: true, enumerable: false, configurable: true,
    });
    Object.defineProperty(Ctor, 'boxliteCode', { value: boxliteCode, enumerable: true });
    CLASS_BY_CODE.set(boxliteCode, Ctor);
    return Ctor;
}
// One subclass per code. Each is a real class (not a factory product) so it
// shows in stack traces and `instanceof` reads naturally in user code.
class InternalError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Internal, options); }
}
exports.InternalError = InternalError;
class NotFoundError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.NotFound, options); }
}
exports.NotFoundError = NotFoundError;
class AlreadyExistsError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.AlreadyExists, options); }
}
exports.AlreadyExistsError = AlreadyExistsError;
class InvalidStateError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.InvalidState, options); }
}
exports.InvalidStateError = InvalidStateError;
class InvalidArgumentError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.InvalidArgument, options); }
}
exports.InvalidArgumentError = InvalidArgumentError;
class ConfigError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Config, options); }
}
exports.ConfigError = ConfigError;
class StorageError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Storage, options); }
}
exports.StorageError = StorageError;
class ImageError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Image, options); }
}
exports.ImageError = ImageError;
class NetworkError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Network, options); }
}
exports.NetworkError = NetworkError;
class ExecutionError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Execution, options); }
}
exports.ExecutionError = ExecutionError;
class StoppedError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Stopped, options); }
}
exports.StoppedError = StoppedError;
class EngineError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Engine, options); }
}
exports.EngineError = EngineError;
class UnsupportedError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Unsupported, options); }
}
exports.UnsupportedError = UnsupportedError;
class DatabaseError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Database, options); }
}
exports.DatabaseError = DatabaseError;
class PortalError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Portal, options); }
}
exports.PortalError = PortalError;
class RpcError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Rpc, options); }
}
exports.RpcError = RpcError;
class RpcTransportError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.RpcTransport, options); }
}
exports.RpcTransportError = RpcTransportError;
class MetadataError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.Metadata, options); }
}
exports.MetadataError = MetadataError;
class UnsupportedEngineError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.UnsupportedEngine, options); }
}
exports.UnsupportedEngineError = UnsupportedEngineError;
class ResourceExhaustedError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.ResourceExhausted, options); }
}
exports.ResourceExhaustedError = ResourceExhaustedError;
class SessionReapedError extends BoxliteError {
    constructor(message, options) { super(message, BoxliteErrorCode.SessionReaped, options); }
}
exports.SessionReapedError = SessionReapedError;
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
function errorClassFor(boxliteCode) {
    return CLASS_BY_CODE.get(boxliteCode);
}
/**
 * True for a BoxliteError (optionally of one code). Also accepts errors from
 * another copy of this package (bundled twice): any Error with a numeric
 * `boxliteCode` and a string `code` starting with `BOXLITE_`.
 */
function isBoxliteError(err, boxliteCode) {
    let ok;
    try {
        ok = err instanceof BoxliteError || (err instanceof Error
            && typeof err.boxliteCode === 'number'
            && typeof err.code === 'string'
            && (err.code).startsWith('BOXLITE_'));
        if (ok && boxliteCode !== undefined)
            ok = err.boxliteCode === boxliteCode;
    }
    catch {
        return false; // a hostile Proxy or throwing getter is not one of ours
    }
    return ok;
}
//# sourceMappingURL=errors.js.map