// Small, strict readers for JSON request bodies. Each failure is a 400
// invalid_argument naming the field and what was expected, so a caller can
// fix the request without reading our source.
//
// The readers never throw: they record the first problem on a `Check` and
// return undefined. A bad body is the hottest error path there is, and in
// Node a throw from an I/O callback is expensive (with no JS-visible
// TryCatch above it, V8 builds a full message object for every throw; we
// measured ~15 us). Parse functions return their result or `check.error`.
import { type HttpStatusError, httpError } from './http-error';

export type JsonObject = Record<string, unknown>;

/**
 * The caller's mistake: a 400 that the classifier answers exactly like an
 * InvalidArgumentError (400 InvalidArgumentError/invalid_argument), built
 * without a stack trace (see httpError).
 */
export function invalid(message: string): HttpStatusError {
  return httpError(400, `invalid argument: ${message}`);
}

/** Collects the first problem found while reading one body. */
export class Check {
  error: HttpStatusError | null = null;

  /** Records `message` (unless a problem is already recorded) and returns undefined. */
  fail(message: string): undefined {
    if (this.error === null) this.error = invalid(message);
    return undefined;
  }
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
export function expectObject(c: Check, value: unknown, where: string): JsonObject | undefined {
  if (!isPlainObject(value)) return c.fail(`${where} must be a JSON object, got ${describe(value)}`);
  return value;
}

/** Unknown fields are refused, never ignored: a typo must not silently change what runs. */
export function rejectUnknownFields(c: Check, obj: JsonObject, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      c.fail(`unknown field ${JSON.stringify(key)} in ${where}; known fields: ${[...known].join(', ')}`);
      return;
    }
  }
}

/** A field counts as absent when missing or JSON null (clients differ on which they send). */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * JSON's \uD800-style escapes can spell a lone UTF-16 surrogate, which is no
 * Unicode text: passed on, it reaches the engine as U+FFFD (what runs is not
 * what was sent), and BoxLite's own server (serde_json) refuses it.
 */
const LONE_SURROGATE = 'must be Unicode text (it holds a lone UTF-16 surrogate escape)';
/** With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone surrogate (String#isWellFormed needs Node 20). */
const SURROGATE = /\p{Cs}/u;

export function optString(c: Check, obj: JsonObject, key: string, where: string, opts: { nonEmpty?: boolean; maxLength?: number } = {}): string | undefined {
  const maxLength = opts.maxLength ?? Infinity;
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'string') return c.fail(`${field(where, key)} must be a string, got ${describe(v)}`);
  if (opts.nonEmpty && v.length === 0) return c.fail(`${field(where, key)} must not be empty`);
  if (v.length > maxLength) {
    return c.fail(`${field(where, key)} must be at most ${maxLength} characters`);
  }
  if (v.includes('\0')) return c.fail(`${field(where, key)} must not contain NUL characters`);
  if (SURROGATE.test(v)) return c.fail(`${field(where, key)} ${LONE_SURROGATE}`);
  return v;
}

export function optBoolean(c: Check, obj: JsonObject, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== 'boolean') return c.fail(`${field(where, key)} must be a boolean, got ${describe(v)}`);
  return v;
}

/** A finite number of at least `opts.min` (no route bounds one from above). */
export function optNumber(c: Check, obj: JsonObject, key: string, where: string, opts: { min: number }): number | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  // Number.isFinite is false for anything but a number.
  if (!Number.isFinite(v)) return c.fail(`${field(where, key)} must be a finite number, got ${describe(v)}`);
  if ((v as number) < opts.min) return c.fail(`${field(where, key)} must be >= ${opts.min}`);
  return v as number;
}

/**
 * An integer field. `5.0` counts as 5: the official client serializes numbers
 * the Rust way and may send integral floats.
 */
export function optInteger(c: Check, obj: JsonObject, key: string, where: string, opts: { min: number; max: number }): number | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  // Number.isInteger is false for anything but a number.
  if (!Number.isInteger(v)) {
    return c.fail(`${field(where, key)} must be an integer, got ${typeof v === 'number' ? String(v) : describe(v)}`);
  }
  if ((v as number) < opts.min) return c.fail(`${field(where, key)} must be >= ${opts.min}`);
  if ((v as number) > opts.max) return c.fail(`${field(where, key)} must be <= ${opts.max}`);
  return v as number;
}

export function optStringArray(c: Check, obj: JsonObject, key: string, where: string): string[] | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) return c.fail(`${field(where, key)} must be an array of strings, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') return c.fail(`${field(where, key)}[${i}] must be a string, got ${describe(v[i])}`);
    // Stryker disable next-line ConditionalExpression: the native layer refuses a NUL in every command string too, with the same message
    if ((v[i] as string).includes('\0')) return c.fail(`${field(where, key)}[${i}] must not contain NUL characters`);
    if (SURROGATE.test(v[i] as string)) return c.fail(`${field(where, key)}[${i}] ${LONE_SURROGATE}`);
  }
  return v as string[];
}

export function optStringMap(c: Check, obj: JsonObject, key: string, where: string): Record<string, string> | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!isPlainObject(v)) return c.fail(`${field(where, key)} must be an object of strings, got ${describe(v)}`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const item = v[k];
    if (typeof item !== 'string') return c.fail(`${field(where, key)}.${k} must be a string, got ${describe(item)}`);
    if (k.length === 0) return c.fail(`${field(where, key)} must not have an empty key`);
    if (k.includes('\0') || item.includes('\0')) return c.fail(`${field(where, key)}.${k} must not contain NUL characters`);
    if (SURROGATE.test(k) || SURROGATE.test(item)) return c.fail(`${field(where, key)}.${JSON.stringify(k)} ${LONE_SURROGATE}`);
    // Defined, not assigned: a plain `out['__proto__'] = item` would be dropped silently.
    Object.defineProperty(out, k, {
      value: item,
      enumerable: true,
      // Stryker disable next-line BooleanLiteral: nothing writes to the map after validation
      writable: true,
      // Stryker disable next-line BooleanLiteral: nothing deletes from the map after validation
      configurable: true,
    });
  }
  return out;
}

export function optArray(c: Check, obj: JsonObject, key: string, where: string): unknown[] | undefined {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) return c.fail(`${field(where, key)} must be an array, got ${describe(v)}`);
  return v;
}
