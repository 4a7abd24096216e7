// Bodies of the exec routes: POST .../exec, .../signal, .../resize, and the
// WebSocket control frames that mirror signal and resize. Each parser returns
// its result or the 400 to answer (see validate.ts: no throws on this path).
import type { ExecOptions } from '../../runtime/runtime-types';
import { envMap } from '../boxes/box-request';
import type { HttpStatusError } from '../protocol/http-error';
import { REQUEST_SCHEMAS, knownFields } from '../protocol/request-schemas';
import {
  Check, type JsonObject, expectObject, optBoolean, optInteger, optNumber, optString, optStringArray, rejectUnknownFields,
} from '../protocol/validate';

// `user`: this server's one addition to ExecRequest (which the document leaves
// open to extra fields): run this command as another user than the box's.
const EXEC_FIELDS = knownFields('ExecRequest', ['user']);
const SIGNAL_FIELDS = knownFields('SignalRequest');
const RESIZE_FIELDS = knownFields('ResizeRequest');
const STOP_FIELDS = knownFields('StopBoxRequest');
const EXEC = REQUEST_SCHEMAS.ExecRequest.properties;
const RESIZE = REQUEST_SCHEMAS.ResizeRequest.properties;
const STOP = REQUEST_SCHEMAS.StopBoxRequest.properties;

/** BoxLite's whitelist: HUP INT QUIT ABRT USR1 USR2 TERM WINCH. */
export const ALLOWED_SIGNALS: ReadonlySet<number> = new Set([1, 2, 3, 6, 10, 12, 15, 28]);
const SIGKILL = 9;
const MAX_TTY_DIMENSION = 0xffff;
/**
 * Longest accepted timeout (about 68 years). Engines turn the seconds into a
 * clock duration: far larger values overflow it (the test engine then kills
 * at once; libboxlite's Duration::from_secs_f64 would panic), so they are
 * refused rather than passed on.
 */
export const MAX_TIMEOUT_SECONDS = 2_147_483_647;

/**
 * Linux's execve limits, which hold inside a box as on any Linux host: one
 * argument or environment string is at most MAX_ARG_STRLEN (32 pages, 131072
 * bytes with its NUL), and all of them together at most a quarter of the
 * stack limit (2 MiB with the usual 8 MiB). Past them the kernel answers
 * E2BIG and the spawn fails deep in the engine, so they are checked here and
 * answered as the caller's mistake (400). The total is held to 1 MiB, half the
 * kernel's, to leave room for the environment the box itself adds. The kernel
 * counts each string's pointer (8 bytes) in that quarter too, so this total
 * does: 250000 empty arguments passed a count of the strings alone and failed
 * to spawn.
 */
export const MAX_ARG_BYTES = 131_071;
export const MAX_ARGV_ENV_TOTAL_BYTES = 1 << 20;
/** What the kernel counts besides each string: its pointer in argv or envp. */
const ARGV_POINTER_BYTES = 8;
/** Linux NAME_MAX and PATH_MAX (with its NUL): longer names fail with ENAMETOOLONG. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4095;

/** Why `p` is too long a path for Linux, or null. */
export function pathLengthProblem(p: string, what: string): string | null {
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) return `${what} must be at most ${MAX_PATH_BYTES} bytes`;
  for (const segment of p.split('/')) {
    const n = Buffer.byteLength(segment);
    if (n > MAX_NAME_BYTES) return `${what} has a name of ${n} bytes; a file name is at most ${MAX_NAME_BYTES} bytes`;
  }
  return null;
}

function argvProblem(command: string, args: readonly string[], env: Readonly<Record<string, string>> | undefined): string | null {
  let total = 0;
  const one = (value: string, what: string): string | null => {
    const n = Buffer.byteLength(value);
    total += n + 1 + ARGV_POINTER_BYTES;
    return n > MAX_ARG_BYTES ? `${what} is ${n} bytes; one argument or environment entry is at most ${MAX_ARG_BYTES} bytes (Linux MAX_ARG_STRLEN)` : null;
  };
  const problem = one(command, 'command')
    ?? args.reduce<string | null>((p, a, i) => p ?? one(a, `args[${i}]`), null)
    ?? Object.entries(env ?? {}).reduce<string | null>((p, [k, v]) => p ?? one(`${k}=${v}`, `env ${JSON.stringify(k.slice(0, 64))}`), null);
  if (problem !== null) return problem;
  if (total > MAX_ARGV_ENV_TOTAL_BYTES) {
    return `command, args and env total ${total} bytes (each string with its NUL and its ${ARGV_POINTER_BYTES}-byte pointer); `
      + `at most ${MAX_ARGV_ENV_TOTAL_BYTES} bytes are accepted (Linux ARG_MAX)`;
  }
  return null;
}

export interface ExecRequest {
  command: string;
  args: string[];
  options: ExecOptions;
}

/** The body as a JSON object with only known fields, or undefined (problem recorded). */
function bodyObject(c: Check, body: unknown, known: ReadonlySet<string>, example: string): JsonObject | undefined {
  if (body === undefined) return c.fail(`request body is required: ${example}`);
  const b = expectObject(c, body, 'request body');
  if (b !== undefined) rejectUnknownFields(c, b, known, 'request body');
  return c.error === null ? b : undefined;
}

export function parseExecRequest(body: unknown): ExecRequest | HttpStatusError {
  const c = new Check();
  const b = bodyObject(c, body, EXEC_FIELDS, '{"command": "..."}');
  if (b === undefined) return c.error as HttpStatusError;
  const where = 'request body';
  const command = optString(c, b, 'command', where, { nonEmpty: true });
  if (command === undefined && c.error === null) c.fail('command is required');
  const args = optStringArray(c, b, 'args', where) ?? [];
  const options: ExecOptions = {};
  const env = envMap(c, b, 'env', where);
  if (env !== undefined) options.env = env;
  // The document's minimum (0.1 s), with one exception: exactly 0 means no
  // timeout, as leaving the field out does. The official client sends
  // `timeout_seconds: 0.0` when its caller passes 0, and BoxLite's own server
  // runs that with no timeout: refusing it would break those callers.
  const timeout = b.timeout_seconds === 0 ? undefined
    : optNumber(c, b, 'timeout_seconds', where, { min: EXEC.timeout_seconds.minimum });
  if (timeout !== undefined) {
    if (timeout > MAX_TIMEOUT_SECONDS) c.fail(`timeout_seconds must be <= ${MAX_TIMEOUT_SECONDS} (omit it for no timeout)`);
    else options.timeoutSecs = timeout;
  }
  const workdir = optString(c, b, 'working_dir', where);
  if (workdir !== undefined) options.workdir = workdir;
  const tty = optBoolean(c, b, 'tty', where);
  if (tty !== undefined) options.tty = tty;
  const user = optString(c, b, 'user', where, { nonEmpty: true });
  if (user !== undefined) options.user = user;
  if (c.error !== null) return c.error;
  const tooLong = argvProblem(command as string, args, options.env) ?? (workdir === undefined ? null : pathLengthProblem(workdir, 'working_dir'));
  if (tooLong !== null) c.fail(tooLong);
  if (c.error !== null) return c.error;
  return { command: command as string, args, options };
}

/** A signal number checked against the whitelist (the HTTP body and the WS frame share it). */
export function checkSignal(c: Check, sig: unknown): number | undefined {
  if (typeof sig !== 'number' || !Number.isInteger(sig)) return c.fail(`signal must be an integer, got ${JSON.stringify(sig) ?? String(sig)}`);
  if (sig === SIGKILL) {
    return c.fail('signal 9 (SIGKILL) is not accepted here; use DELETE .../executions/{exec_id} to kill and evict the execution');
  }
  if (!ALLOWED_SIGNALS.has(sig)) {
    return c.fail(`signal ${sig} is not allowed; allowed: ${[...ALLOWED_SIGNALS].join(', ')} (SIGKILL: DELETE the execution)`);
  }
  return sig;
}

export function parseSignalRequest(body: unknown): number | HttpStatusError {
  const c = new Check();
  const b = bodyObject(c, body, SIGNAL_FIELDS, '{"signal": 15}');
  if (b === undefined) return c.error as HttpStatusError;
  const sig = b.signal === undefined || b.signal === null ? c.fail('signal is required') : checkSignal(c, b.signal);
  return c.error ?? (sig as number);
}

export interface ResizeRequest {
  cols: number;
  rows: number;
}

export function checkResize(c: Check, obj: JsonObject, where: string): ResizeRequest | undefined {
  const cols = optInteger(c, obj, 'cols', where, { min: RESIZE.cols.minimum, max: MAX_TTY_DIMENSION });
  const rows = optInteger(c, obj, 'rows', where, { min: RESIZE.rows.minimum, max: MAX_TTY_DIMENSION });
  if (c.error !== null) return undefined;
  if (cols === undefined || rows === undefined) return c.fail('cols and rows are required');
  return { cols, rows };
}

export function parseResizeRequest(body: unknown): ResizeRequest | HttpStatusError {
  const c = new Check();
  const b = bodyObject(c, body, RESIZE_FIELDS, '{"cols": 120, "rows": 40}');
  if (b === undefined) return c.error as HttpStatusError;
  const size = checkResize(c, b, 'request body');
  return c.error ?? (size as ResizeRequest);
}

/** POST .../stop accepts the spec's optional {timeout_seconds}. */
export function parseStopRequest(body: unknown): null | HttpStatusError {
  if (body === undefined) return null;
  const c = new Check();
  const b = expectObject(c, body, 'request body');
  if (b !== undefined) {
    rejectUnknownFields(c, b, STOP_FIELDS, 'request body');
    optNumber(c, b, 'timeout_seconds', 'request body', { min: STOP.timeout_seconds.minimum });
  }
  return c.error;
}
