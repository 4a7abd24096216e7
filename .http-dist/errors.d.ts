/** libboxlite's `BoxliteErrorCode`, names and numbers as in the C ABI. */
export declare enum BoxliteErrorCode {
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
    SessionReaped = 21
}
export interface BoxliteErrorOptions {
    cause?: unknown;
}
export declare class BoxliteError extends Error {
    /** The numeric libboxlite code (`BoxliteErrorCode`). */
    readonly boxliteCode: number;
    /** A stable string such as `BOXLITE_NOT_FOUND`. */
    readonly code: string;
    constructor(message: string, boxliteCode?: number, options?: BoxliteErrorOptions);
    /**
     * The right subclass for a numeric code. Unknown numbers give a plain
     * BoxliteError that keeps the number (and classifies as internal).
     */
    static fromCode(boxliteCode: number, message: string, options?: BoxliteErrorOptions): BoxliteError;
}
type SubclassCtor = new (message: string, options?: BoxliteErrorOptions) => BoxliteError;
export declare class InternalError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class NotFoundError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class AlreadyExistsError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class InvalidStateError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class InvalidArgumentError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class ConfigError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class StorageError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class ImageError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class NetworkError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class ExecutionError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class StoppedError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class EngineError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class UnsupportedError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class DatabaseError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class PortalError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class RpcError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class RpcTransportError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class MetadataError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class UnsupportedEngineError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class ResourceExhaustedError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
export declare class SessionReapedError extends BoxliteError {
    constructor(message: string, options?: BoxliteErrorOptions);
}
/** The class for a numeric code, or undefined for numbers outside 1..21. */
export declare function errorClassFor(boxliteCode: number): SubclassCtor | undefined;
/**
 * True for a BoxliteError (optionally of one code). Also accepts errors from
 * another copy of this package (bundled twice): any Error with a numeric
 * `boxliteCode` and a string `code` starting with `BOXLITE_`.
 */
export declare function isBoxliteError(err: unknown, boxliteCode?: BoxliteErrorCode | number): err is BoxliteError;
export {};
