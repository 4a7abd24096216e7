// When and how long the remote client waits before trying a request again.
//
// Retried: a request that never got an answer (connection refused or reset,
// DNS failure: the transport's error), 429 and 503 (the server refused before
// doing anything), and 409 "Idempotency-Key still in progress" (the server
// says so with Retry-After). Every non-idempotent request carries an
// Idempotency-Key, so a retry of one whose answer was lost replays that answer
// instead of doing the work twice.
//
// Bounded twice: at most `maxAttempts` tries, and no wait that would end past
// `maxElapsedMs` after the first try (a Retry-After longer than what is left
// ends the retries at once: the caller gets the server's answer now rather
// than after a wait that cannot succeed in time).
import { InvalidArgumentError } from '../errors/errors';

export interface RetryOptions {
  /** Tries in all, the first included (default 5; 1 = never retry). */
  maxAttempts?: number;
  /** First backoff (ms, default 200); doubles per retry, with jitter. */
  baseDelayMs?: number;
  /** Longest backoff between two tries (ms, default 5000), Retry-After excepted. */
  maxDelayMs?: number;
  /** No retry starts later than this after the first try (ms, default 30000). */
  maxElapsedMs?: number;
}

export type RetryPolicy = Readonly<Required<RetryOptions>>;

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxElapsedMs: 30_000,
});

export const NO_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY, maxAttempts: 1 });

function count(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`invalid argument: retry.${name} must be an integer >= ${min}`);
  }
  return value;
}

/** `false` disables retries; `undefined` takes the defaults. */
export function resolveRetryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return NO_RETRY;
  if (options === undefined) return DEFAULT_RETRY;
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument: retry must be an object or false');
  }
  return Object.freeze({
    maxAttempts: count(options.maxAttempts, 'maxAttempts', DEFAULT_RETRY.maxAttempts, 1),
    baseDelayMs: count(options.baseDelayMs, 'baseDelayMs', DEFAULT_RETRY.baseDelayMs, 0),
    maxDelayMs: count(options.maxDelayMs, 'maxDelayMs', DEFAULT_RETRY.maxDelayMs, 0),
    maxElapsedMs: count(options.maxElapsedMs, 'maxElapsedMs', DEFAULT_RETRY.maxElapsedMs, 0),
  });
}

/** Statuses that say "not done, try again later". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3), else undefined. A date in the past is 0.
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before try number `attempt + 1` (attempt >= 1 tries made):
 * exponential with "equal jitter" (half fixed, half random, so concurrent
 * clients spread out yet none retries at once), never below Retry-After.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter: number | undefined, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), retryAfter ?? 0);
}

/**
 * Resolves after `ms`, or rejects with the reason of the first of `signals`
 * to abort (AbortSignal.any() is not in every Node 20).
 */
export function sleep(ms: number, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  const watched = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise((resolve, reject) => {
    const aborted = watched.find((s) => s.aborted);
    if (aborted) {
      reject(aborted.reason);
      return;
    }
    const unlisten = () => { for (const s of watched) s.removeEventListener('abort', onAbort); };
    function onAbort(this: AbortSignal) {
      clearTimeout(timer);
      unlisten();
      reject(this.reason);
    }
    const timer = setTimeout(() => {
      unlisten();
      resolve();
    }, ms);
    for (const s of watched) s.addEventListener('abort', onAbort, { once: true });
  });
}
