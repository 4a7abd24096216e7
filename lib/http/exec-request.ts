// Bodies of the exec routes: POST .../exec, .../signal, .../resize, and the
// WebSocket control frames that mirror signal and resize.
import type { ExecOptions } from '../runtime-types';
import { envMap } from './box-request';
import {
  expectObject, invalid, optBoolean, optInteger, optNumber, optString, optStringArray, rejectUnknownFields,
} from './validate';

const EXEC_FIELDS = new Set(['command', 'args', 'env', 'timeout_seconds', 'working_dir', 'tty', 'user']);
const SIGNAL_FIELDS = new Set(['signal']);
const RESIZE_FIELDS = new Set(['cols', 'rows']);

/** BoxLite's whitelist: HUP INT QUIT ABRT USR1 USR2 TERM WINCH. */
export const ALLOWED_SIGNALS: ReadonlySet<number> = new Set([1, 2, 3, 6, 10, 12, 15, 28]);
const SIGKILL = 9;
const MAX_TTY_DIMENSION = 0xffff;

export interface ExecRequest {
  command: string;
  args: string[];
  options: ExecOptions;
}

export function parseExecRequest(body: unknown): ExecRequest {
  if (body === undefined) throw invalid('request body is required: {"command": "..."}');
  const b = expectObject(body, 'request body');
  rejectUnknownFields(b, EXEC_FIELDS, 'request body');
  const where = 'request body';
  const command = optString(b, 'command', where, { nonEmpty: true });
  if (command === undefined) throw invalid('command is required');
  const args = optStringArray(b, 'args', where) ?? [];
  const options: ExecOptions = {};
  const env = envMap(b, 'env', where);
  if (env !== undefined) options.env = env;
  // Same rule and words as libboxlite's own check, so either layer reads alike.
  const timeout = b.timeout_seconds;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
      throw invalid('timeout_seconds must be a non-negative finite number');
    }
    if (timeout > 0) options.timeoutSecs = timeout;
  }
  const workdir = optString(b, 'working_dir', where);
  if (workdir !== undefined) options.workdir = workdir;
  const tty = optBoolean(b, 'tty', where);
  if (tty !== undefined) options.tty = tty;
  const user = optString(b, 'user', where, { nonEmpty: true });
  if (user !== undefined) options.user = user;
  return { command, args, options };
}

/** Validates a signal number against the whitelist (HTTP body and WS frame share it). */
export function checkSignal(sig: unknown): number {
  if (typeof sig !== 'number' || !Number.isInteger(sig)) throw invalid(`signal must be an integer, got ${JSON.stringify(sig) ?? String(sig)}`);
  if (sig === SIGKILL) {
    throw invalid('signal 9 (SIGKILL) is not accepted here; use DELETE .../executions/{exec_id} to kill and evict the execution');
  }
  if (!ALLOWED_SIGNALS.has(sig)) {
    throw invalid(`signal ${sig} is not allowed; allowed: ${[...ALLOWED_SIGNALS].join(', ')} (SIGKILL: DELETE the execution)`);
  }
  return sig;
}

export function parseSignalRequest(body: unknown): number {
  if (body === undefined) throw invalid('request body is required: {"signal": 15}');
  const b = expectObject(body, 'request body');
  rejectUnknownFields(b, SIGNAL_FIELDS, 'request body');
  if (b.signal === undefined || b.signal === null) throw invalid('signal is required');
  return checkSignal(b.signal);
}

export interface ResizeRequest {
  cols: number;
  rows: number;
}

export function checkResize(obj: Record<string, unknown>, where: string): ResizeRequest {
  const cols = optInteger(obj, 'cols', where, { min: 1, max: MAX_TTY_DIMENSION });
  const rows = optInteger(obj, 'rows', where, { min: 1, max: MAX_TTY_DIMENSION });
  if (cols === undefined || rows === undefined) throw invalid('cols and rows are required');
  return { cols, rows };
}

export function parseResizeRequest(body: unknown): ResizeRequest {
  if (body === undefined) throw invalid('request body is required: {"cols": 120, "rows": 40}');
  const b = expectObject(body, 'request body');
  rejectUnknownFields(b, RESIZE_FIELDS, 'request body');
  return checkResize(b, 'request body');
}

/** POST .../stop accepts the spec's optional {timeout_seconds}. */
export function parseStopRequest(body: unknown): void {
  if (body === undefined) return;
  const b = expectObject(body, 'request body');
  rejectUnknownFields(b, new Set(['timeout_seconds']), 'request body');
  optNumber(b, 'timeout_seconds', 'request body', { min: 0 });
}
