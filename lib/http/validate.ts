// Small, strict readers for JSON request bodies. Each failure is a 400
// invalid_argument naming the field and what was expected, so a caller can
// fix the request without reading our source.
import { type HttpStatusError, httpError } from './http-error';

export type JsonObject = Record<string, unknown>;

/**
 * The caller's mistake: a 400 that the classifier answers exactly like an
 * InvalidArgumentError (400 InvalidArgumentError/invalid_argument), built
 * without a stack trace or engine bookkeeping because bad requests are the
 * hot error path (see withoutStack).
 */
export function invalid(message: string): HttpStatusError {
  return httpError(400, `invalid argument: ${message}`);
}

/** `where` is 'request body' for top-level fields (named bare) or a dotted path ('network.outbound'). */
export function field(where: string, key: string): string {
  return where === 'request body' ? key : `${where}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` must be a JSON object; `where` names it in the message ("request body", "network"). */
export function expectObject(value: unknown, where: string): JsonObject {
  if (!isPlainObject(value)) throw invalid(`${where} must be a JSON object, got ${describe(value)}`);
  return value;
}

/** Unknown fields are refused, never ignored: a typo must not silently change what runs. */
export function rejectUnknownFields(obj: JsonObject, known: ReadonlySet<string>, where: string): void {
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (!known.has(key)) {
      throw invalid(`unknown field ${JSON.stringify(key)} in ${where}; known fields: ${[...known].join(', ')}`);
    }
  }
}

/** A field counts as absent when missing or JSON null (clients differ on which they send). */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

export function optString(obj: JsonObject, key: string, where: string, opts: { nonEmpty?: boolean; maxLength?: number } = {}): string | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'string') throw invalid(`${field(where, key)} must be a string, got ${describe(v)}`);
  if (opts.nonEmpty && v.length === 0) throw invalid(`${field(where, key)} must not be empty`);
  if (opts.maxLength !== undefined && v.length > opts.maxLength) {
    throw invalid(`${field(where, key)} must be at most ${opts.maxLength} characters`);
  }
  if (v.includes('\0')) throw invalid(`${field(where, key)} must not contain NUL characters`);
  return v;
}

export function optBoolean(obj: JsonObject, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'boolean') throw invalid(`${field(where, key)} must be a boolean, got ${describe(v)}`);
  return v;
}

export function optNumber(obj: JsonObject, key: string, where: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${field(where, key)} must be a finite number, got ${describe(v)}`);
  if (opts.min !== undefined && v < opts.min) throw invalid(`${field(where, key)} must be >= ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw invalid(`${field(where, key)} must be <= ${opts.max}`);
  return v;
}

/**
 * An integer field. `5.0` counts as 5: the official client serializes numbers
 * the Rust way and may send integral floats.
 */
export function optInteger(obj: JsonObject, key: string, where: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${field(where, key)} must be an integer, got ${typeof v === 'number' ? String(v) : describe(v)}`);
  if (opts.min !== undefined && v < opts.min) throw invalid(`${field(where, key)} must be >= ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw invalid(`${field(where, key)} must be <= ${opts.max}`);
  return v;
}

export function optStringArray(obj: JsonObject, key: string, where: string): string[] | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) throw invalid(`${field(where, key)} must be an array of strings, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw invalid(`${field(where, key)}[${i}] must be a string, got ${describe(v[i])}`);
    if ((v[i] as string).includes('\0')) throw invalid(`${field(where, key)}[${i}] must not contain NUL characters`);
  }
  return v as string[];
}

export function optStringMap(obj: JsonObject, key: string, where: string): Record<string, string> | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!isPlainObject(v)) throw invalid(`${field(where, key)} must be an object of strings, got ${describe(v)}`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const item = v[k];
    if (typeof item !== 'string') throw invalid(`${field(where, key)}.${k} must be a string, got ${describe(item)}`);
    if (k.length === 0) throw invalid(`${field(where, key)} must not have an empty key`);
    if (k.includes('\0') || item.includes('\0')) throw invalid(`${field(where, key)}.${k} must not contain NUL characters`);
    out[k] = item;
  }
  return out;
}

export function optArray(obj: JsonObject, key: string, where: string): unknown[] | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) throw invalid(`${field(where, key)} must be an array, got ${describe(v)}`);
  return v;
}
