// Turns any thrown value into the HTTP answer BoxLite's own servers would give.
//
// Order, first match wins:
//   1. a numeric `boxliteCode` (our BoxliteError, or one from another copy of
//      this package) -> its canonical row; code 1 (Internal) goes through the
//      Internal fallbacks below;
//   2. an integer `status` or `statusCode` in 400..599 (http-errors,
//      body-parser's entity.parse.failed / entity.too.large, ...) -> that status.
//      A status someone set on purpose outranks a prefix read from the text:
//      a 413 whose message reads "invalid argument: body too large" stays 413;
//   3. a message starting with a BoxLite Display prefix ("box not found: ", ...)
//      -> the row of that code: this is all the official @boxlite-ai/boxlite SDK
//      leaves on its errors (plain `Error`, code "GenericFailure"); again, the
//      Internal prefix goes through the Internal fallbacks;
//   4. a Node.js system error (a string `code` with a `syscall` or numeric
//      `errno`, as node:fs/net/child_process make them) whose code says the
//      host ran out of a resource -- EMFILE, ENFILE, EAGAIN, ENOMEM -> 503 with
//      Retry-After: the request was fine, the server is momentarily full;
//   5. a cancellation: name TimeoutError -> 504 timeout, AbortError -> 409
//      invalid_state (DOMException from AbortSignal, or Node's AbortError);
//   6. otherwise its `cause` chain (bounded), so a wrapper around one of the
//      above keeps its meaning; the outer message is kept;
//   7. anything else -> 500 internal.
//
// The Internal fallbacks exist because the engine reports caller mistakes and
// resource shortages as Internal (a known upstream bug, libboxlite-abi.md §9;
// OS errors arrive as Rust io::Error text, "... (os error N)"). They are
// deliberately narrow and never touch any other code's row:
//   - a missing exec user/group -> 400; a command not found/not executable -> the Execution row;
//   - "(os error 7)" E2BIG and "(os error 36)" ENAMETOOLONG -> 400: only the
//     caller's arguments or paths can be too long;
//   - "(os error 24)" EMFILE, "(os error 23)" ENFILE, "(os error 11)" EAGAIN,
//     "(os error 12)" ENOMEM -> 503 engine_unavailable with Retry-After.
//
// Never throws: every property read on a foreign value is inside try/catch
// (getters, Proxies and revoked Proxies can throw on any access).

import { BoxliteError, BoxliteErrorCode } from './errors';
import {
  type HttpErrorRow,
  EXECUTION_ROW,
  ENGINE_ROW,
  INTERNAL_ROW,
  INVALID_ARGUMENT_ROW,
  httpReasonPhrase,
  httpRowForBoxliteCode,
  httpRowForStatus,
  isHttpErrorStatus,
} from './http-table';

/** The HTTP answer for an error. */
export interface ErrorClassification {
  readonly status: number;
  /** Wire `type`, e.g. `NotFoundError`. */
  readonly type: string;
  /** Wire `code`, e.g. `not_found`. */
  readonly code: string;
  /** The error's own text, verbatim (a reason phrase when it has none). */
  readonly message: string;
  /** True for 429 and 503 answers. */
  readonly retryable: boolean;
}

/** How many `cause` links are followed before giving up (also ends cycles). */
const MAX_CAUSE_DEPTH = 8;

interface ErrorLike {
  readonly boxliteCode?: unknown;
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly syscall?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly cause?: unknown;
}

function answer(row: HttpErrorRow, message: string): ErrorClassification {
  return { status: row.status, type: row.type, code: row.code, message, retryable: row.retryable };
}

/**
 * Classify any value as an HTTP error answer. Pure, synchronous, never throws.
 */
export function classifyError(err: unknown): ErrorClassification {
  try {
    // The typed path first and flat: it is the common one and must stay cheap.
    // (`instanceof` itself can throw, for a revoked Proxy, hence inside try.)
    if (err instanceof BoxliteError) {
      const code = err.boxliteCode;
      const message: unknown = err.message;
      const text = typeof message === 'string' ? message : '';
      const row = code === BoxliteErrorCode.Internal ? internalRow(text) : httpRowForBoxliteCode(code);
      return answer(row, text.length > 0 ? text : httpReasonPhrase(row.status));
    }
    const row = rowOf(err, 0) ?? INTERNAL_ROW;
    return answer(row, messageOf(err, row));
  } catch {
    return answer(INTERNAL_ROW, messageOf(err, INTERNAL_ROW));
  }
}

/** The row for a value, or undefined when nothing about it is recognised. */
function rowOf(err: unknown, depth: number): HttpErrorRow | undefined {
  // A fast path only: a primitive has none of the properties read below, and
  // null/undefined would throw into classifyError's catch, the same 500.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: see above
  if ((typeof err !== 'object' || err === null) && typeof err !== 'function') return undefined;
  const e = err as ErrorLike;

  const boxliteCode = e.boxliteCode;
  if (typeof boxliteCode === 'number') {
    if (boxliteCode !== BoxliteErrorCode.Internal) return httpRowForBoxliteCode(boxliteCode);
    const message = e.message;
    // Stryker disable next-line ConditionalExpression,StringLiteral: a non-string would only throw in internalRow, into classifyError's catch: the same 500
    return internalRow(typeof message === 'string' ? message : '');
  }

  // finalhandler's order: `status`, then `statusCode`.
  const status = e.status;
  if (isHttpErrorStatus(status)) return httpRowForStatus(status);
  const statusCode = e.statusCode;
  if (isHttpErrorStatus(statusCode)) return httpRowForStatus(statusCode);

  const message = e.message;
  if (typeof message === 'string') {
    const code = boxliteCodeForPrefix(message);
    if (code !== 0) return code === BoxliteErrorCode.Internal ? internalRow(message) : httpRowForBoxliteCode(code);
  }

  if (isResourceSystemError(e)) return httpRowForStatus(503);
  // Cancellation (AbortSignal): never a 500, nothing failed on the server.
  //   TimeoutError (AbortSignal.timeout) -> 504 timeout: a deadline the server
  //     set ran out while it waited on the engine; BoxLite's own row for that
  //     (408 would blame the client for sending its request too slowly).
  //   AbortError (controller.abort(), a client that went away, Node's own
  //     AbortError) -> 409 invalid_state: the operation was cancelled on
  //     purpose before it finished, so the state asked for was not reached; a
  //     4xx BoxLite clients know, not retryable (499 is nginx's, unknown to them).
  const name = (e as { readonly name?: unknown }).name;
  if (name === 'TimeoutError') return httpRowForStatus(504);
  if (name === 'AbortError') return httpRowForStatus(409);

  // No cause is rowOf(undefined), and a cycle ends at the depth bound. A cause
  // that throws when read throws into classifyError's catch: 500 with the
  // outer error's message.
  return depth < MAX_CAUSE_DEPTH ? rowOf(e.cause, depth + 1) : undefined;
}

/** The text for the envelope: the error's own message, else a reason phrase. */
function messageOf(err: unknown, row: HttpErrorRow): string {
  if (typeof err === 'string') return err.length > 0 ? err : httpReasonPhrase(row.status);
  // null and undefined have no message: answered without reading one, because
  // reading it throws, and a thrown TypeError (stack trace included) costs
  // microseconds where this whole classification costs nanoseconds.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a fast path only; without it the read below throws into the catch, the same reason phrase
  if (err === null || err === undefined) return httpReasonPhrase(row.status);
  try {
    // Other primitives have no message; hostile getters throw.
    const message = (err as ErrorLike).message;
    if (typeof message === 'string' && message.length > 0) return message;
  } catch {
    // fall through to the reason phrase
  }
  return httpReasonPhrase(row.status);
}

// --- Official-SDK message prefixes -----------------------------------------

// BoxLite's `BoxliteError` Display prefixes (src/shared/src/errors.rs), by
// code. Case matters ("Execution error: " is capitalised upstream).
// UnsupportedEngine is a unit variant whose whole text is the "prefix".
const PREFIXES: ReadonlyArray<readonly [string, BoxliteErrorCode]> = [
  ['internal error: ', BoxliteErrorCode.Internal],
  ['box not found: ', BoxliteErrorCode.NotFound],
  ['already exists: ', BoxliteErrorCode.AlreadyExists],
  ['invalid state: ', BoxliteErrorCode.InvalidState],
  ['invalid argument: ', BoxliteErrorCode.InvalidArgument],
  ['configuration error: ', BoxliteErrorCode.Config],
  ['storage error: ', BoxliteErrorCode.Storage],
  ['images error: ', BoxliteErrorCode.Image],
  ['network error: ', BoxliteErrorCode.Network],
  ['Execution error: ', BoxliteErrorCode.Execution],
  ['stopped: ', BoxliteErrorCode.Stopped],
  ['engine reported an error: ', BoxliteErrorCode.Engine],
  ['unsupported: ', BoxliteErrorCode.Unsupported],
  ['database error: ', BoxliteErrorCode.Database],
  ['portal error: ', BoxliteErrorCode.Portal],
  ['gRPC/tonic error: ', BoxliteErrorCode.Rpc],
  ['gRPC transport error: ', BoxliteErrorCode.RpcTransport],
  ['metadata error: ', BoxliteErrorCode.Metadata],
  ['unsupported engine kind', BoxliteErrorCode.UnsupportedEngine],
  ['resource exhausted: ', BoxliteErrorCode.ResourceExhausted],
  ['session reaped: ', BoxliteErrorCode.SessionReaped],
];

/** The Display prefixes, for documentation and tests. */
export const BOXLITE_MESSAGE_PREFIXES: ReadonlyArray<readonly [string, BoxliteErrorCode]> = Object.freeze(
  PREFIXES.map((p) => Object.freeze(p)),
);

// Candidates bucketed by first character, so most messages are rejected or
// matched with one charCodeAt and one or two startsWith calls (no regex).
const PREFIXES_BY_FIRST_CHAR: ReadonlyArray<ReadonlyArray<readonly [string, BoxliteErrorCode]> | undefined> = (() => {
  const buckets: Array<Array<readonly [string, BoxliteErrorCode]> | undefined> = new Array(128).fill(undefined);
  for (const p of PREFIXES) {
    const c = p[0].charCodeAt(0);
    (buckets[c] ??= []).push(p);
  }
  return buckets;
})();

/**
 * The BoxLite code named by a message's Display prefix at the very start, or
 * 0 when it has none.
 */
export function boxliteCodeForMessagePrefix(message: string): number {
  return boxliteCodeForPrefix(message);
}

function boxliteCodeForPrefix(message: string): number {
  const bucket = PREFIXES_BY_FIRST_CHAR[message.charCodeAt(0)];
  if (bucket === undefined) return 0;
  for (let i = 0; i < bucket.length; i++) {
    if (message.startsWith(bucket[i][0])) return bucket[i][1];
  }
  return 0;
}

// --- Internal (code 1) fallbacks --------------------------------------------

const NOT_FOUND_IN = 'not found in ';
const SPAWN_FAILED = 'spawn_failed';
const NOT_IN_PATH = 'not found in $PATH';
const BAD_PERMISSIONS = 'does not have correct permissions';

/**
 * The row for an Internal error's message: a caller mistake the engine
 * mislabels as Internal gets its real row, anything else stays 500 internal.
 */
function internalRow(message: string): HttpErrorRow {
  if (namesMissingUserOrGroup(message)) return INVALID_ARGUMENT_ROW;
  if (isSpawnFailureOfCommand(message)) return EXECUTION_ROW;
  const os = osErrorOf(message);
  if (os === E2BIG || os === ENAMETOOLONG) return INVALID_ARGUMENT_ROW;
  if (RESOURCE_OS_ERRORS.has(os)) return ENGINE_ROW;
  return INTERNAL_ROW;
}

// Linux errno values, as Rust's io::Error prints them: "... (os error N)".
const EAGAIN = 11;
const E2BIG = 7;
const ENAMETOOLONG = 36;
const RESOURCE_OS_ERRORS: ReadonlySet<number> = new Set([EAGAIN, 12 /* ENOMEM */, 23 /* ENFILE */, 24 /* EMFILE */]);
const RESOURCE_ERRNO_CODES: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']);
const OS_ERROR = '(os error ';

/** N of the last "(os error N)" in a message, or 0. */
function osErrorOf(message: string): number {
  // indexOf, not lastIndexOf: V8's forward search is several times faster on
  // long messages, and the marker appears once, if at all.
  let at = message.indexOf(OS_ERROR);
  if (at === -1) return 0;
  for (let next = at; next !== -1; next = message.indexOf(OS_ERROR, next + 1)) at = next;
  let n = 0;
  let i = at + OS_ERROR.length;
  const start = i;
  // Past the end, charCodeAt is NaN: no digit, and no ')'. No digit at all
  // leaves n = 0, which is no errno.
  for (; i - start < 4; i++) {
    const c = message.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) break;
    n = n * 10 + (c - 48);
  }
  return message.charCodeAt(i) === 41 /* ')' */ ? n : 0;
}

/** A Node.js system error saying the host is out of descriptors, processes or memory. */
function isResourceSystemError(e: ErrorLike): boolean {
  const code = e.code;
  if (typeof code !== 'string' || !RESOURCE_ERRNO_CODES.has(code)) return false;
  return typeof e.syscall === 'string' || typeof e.errno === 'number';
}

/**
 * "User 'bob' not found in /run/bundle/rootfs/etc/passwd" (or "Group 'g' not
 * found in .../etc/group"): the exec `user` names an account the image lacks.
 * The account file must be the very thing "not found in" points at: the path
 * right after it (up to whitespace, trailing punctuation and quotes trimmed)
 * ends with /etc/passwd or /etc/group. "executable '/etc/passwd' not found in
 * $PATH" or "... not found in /etc/shadow (see /etc/passwd)" do not qualify.
 */
function namesMissingUserOrGroup(message: string): boolean {
  let at = message.indexOf(NOT_FOUND_IN);
  while (at !== -1) {
    const start = at + NOT_FOUND_IN.length;
    let end = start;
    while (end < message.length && !isWhitespace(message.charCodeAt(end))) end++;
    // Neither loop needs a bound at `start`: the space that ends "not found in "
    // is not punctuation, and neither account path holds a space, so a match
    // always lies inside the path.
    while (isTrailingPunctuation(message.charCodeAt(end - 1))) end--;
    if (message.endsWith('/etc/passwd', end) || message.endsWith('/etc/group', end)) return true;
    at = message.indexOf(NOT_FOUND_IN, start);
  }
  return false;
}

/**
 * The guest could not start the command: "spawn_failed: ... executable 'x' not
 * found in $PATH" or "... does not have correct permissions". The detail must
 * come after the spawn_failed marker, as the engine writes it (the marker is
 * the wrapping prefix).
 */
function isSpawnFailureOfCommand(message: string): boolean {
  const at = message.indexOf(SPAWN_FAILED);
  if (at === -1) return false;
  // Searching from the marker itself: neither detail can start inside it.
  return message.indexOf(NOT_IN_PATH, at) !== -1 || message.indexOf(BAD_PERMISSIONS, at) !== -1;
}

function isWhitespace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

// . , ; : ) ] ' " `  -- what may close a sentence or a quoted path.
function isTrailingPunctuation(c: number): boolean {
  return c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93 || c === 39 || c === 34 || c === 96;
}
