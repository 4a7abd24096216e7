import { type HttpStatusError } from './http-error';
export type JsonObject = Record<string, unknown>;
/**
 * The caller's mistake: a 400 that the classifier answers exactly like an
 * InvalidArgumentError (400 InvalidArgumentError/invalid_argument), built
 * without a stack trace or engine bookkeeping because bad requests are the
 * hot error path (see withoutStack).
 */
export declare function invalid(message: string): HttpStatusError;
/** `where` is 'request body' for top-level fields (named bare) or a dotted path ('network.outbound'). */
export declare function field(where: string, key: string): string;
export declare function isPlainObject(value: unknown): value is JsonObject;
/** `value` must be a JSON object; `where` names it in the message ("request body", "network"). */
export declare function expectObject(value: unknown, where: string): JsonObject;
/** Unknown fields are refused, never ignored: a typo must not silently change what runs. */
export declare function rejectUnknownFields(obj: JsonObject, known: ReadonlySet<string>, where: string): void;
export declare function optString(obj: JsonObject, key: string, where: string, opts?: {
    nonEmpty?: boolean;
    maxLength?: number;
}): string | undefined;
export declare function optBoolean(obj: JsonObject, key: string, where: string): boolean | undefined;
export declare function optNumber(obj: JsonObject, key: string, where: string, opts?: {
    min?: number;
    max?: number;
}): number | undefined;
/**
 * An integer field. `5.0` counts as 5: the official client serializes numbers
 * the Rust way and may send integral floats.
 */
export declare function optInteger(obj: JsonObject, key: string, where: string, opts?: {
    min?: number;
    max?: number;
}): number | undefined;
export declare function optStringArray(obj: JsonObject, key: string, where: string): string[] | undefined;
export declare function optStringMap(obj: JsonObject, key: string, where: string): Record<string, string> | undefined;
export declare function optArray(obj: JsonObject, key: string, where: string): unknown[] | undefined;
