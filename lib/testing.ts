// The declarations a consumer compiles against must name what they use:
// TypeScript 6+ loads no @types by itself, and a consumer's default lib may
// lack esnext.disposable (Runtime is AsyncDisposable). preserve="true" keeps
// these lines in the emitted .d.ts.
/// <reference types="node" preserve="true" />
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * `boxlite-native/testing`: run your BoxLite code against the **test engine**.
 *
 * ```
 *  ┌──────────────────────────────────────────────────────────────────────┐
 *  │  THE TEST ENGINE ISOLATES NOTHING. TESTS AND LOCAL DEVELOPMENT ONLY. │
 *  └──────────────────────────────────────────────────────────────────────┘
 * ```
 *
 * `libboxlite-test-engine.so` is a stand-in for libboxlite with the same C ABI:
 * a "box" is a directory on the host and every command runs as an ordinary
 * host process, as your user, with your environment, file system and network.
 * It reproduces libboxlite's contracts (event ordering, error codes and texts,
 * handle invalidation, one runtime per home dir) so code tested against it
 * works against the real library, and it can inject any BoxLite error at any
 * operation. Never run untrusted code with it and never ship it as a runtime.
 * Details: test/engine/README.md in the package.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BoxliteErrorCode, InvalidArgumentError } from './errors/errors';
import { Runtime } from './runtime/runtime';
import type { Runtime as RuntimeApi } from './runtime/runtime-types';
import { testEngineLibraryPath } from './runtime/test-engine';

// Where the engine is: shared with Runtime.open({ engine: 'test' }).
export { type TestEngineLayout, testEngineLibraryPath } from './runtime/test-engine';

/** Operations the test engine can fail on purpose (README: "Fault injection"). */
export const FAULT_OPERATIONS = [
  'runtime_new', 'shutdown', 'runtime_metrics', 'create_box', 'get', 'remove', 'get_info', 'list_info',
  'start', 'stop', 'box_info', 'box_metrics', 'copy_into', 'copy_out', 'exec', 'on_stdout', 'on_stderr',
  'on_exit', 'wait', 'kill', 'signal', 'resize', 'stdin_write', 'stdin_close',
] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export interface FaultRule {
  /** The libboxlite operation that fails. */
  op: FaultOperation;
  /** The numeric BoxLite code it fails with (1..21). */
  code: BoxliteErrorCode | number;
  /**
   * 'sync' (default): the C call returns the error. 'async': the call succeeds
   * and its callback gets the error. Calls without a callback (runtime_new,
   * exec, on_*, stdin_*) always fail synchronously.
   */
  when?: 'sync' | 'async';
  /** How many matching calls fail (default 1). */
  times?: number | 'forever';
  /** Only calls on this box (name or id). */
  box?: string;
  /** Only execs of this command (as given, or its base name). */
  command?: string;
  /** The error message, verbatim. Default: BoxLite's prefix for the code + "injected fault at <op>". */
  message?: string;
}

function faultFile(homeDir: string): string {
  return path.join(homeDir, '.test-engine', 'faults');
}

function serializeRule(rule: FaultRule): string {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`invalid argument: fault rule ${JSON.stringify(rule)}: ${why}`);
  };
  if (!FAULT_OPERATIONS.includes(rule.op)) bad(`op must be one of ${FAULT_OPERATIONS.join(', ')}`);
  if (!Number.isInteger(rule.code) || rule.code < 1 || rule.code > 21) bad('code must be an integer in 1..21');
  if (rule.when !== undefined && rule.when !== 'sync' && rule.when !== 'async') bad("when must be 'sync' or 'async'");
  if (rule.times !== undefined && rule.times !== 'forever' && !(Number.isInteger(rule.times) && rule.times >= 1)) {
    bad("times must be a positive integer or 'forever'");
  }
  for (const key of ['box', 'command'] as const) {
    const value = rule[key];
    if (value !== undefined && !/^\S+$/.test(value)) bad(`${key} must be a non-empty string without whitespace`);
  }
  if (rule.message !== undefined && (/[\r\n]/.test(rule.message) || rule.message.length === 0)) {
    bad('message must be one non-empty line');
  }
  let line = `op=${rule.op} code=${rule.code} when=${rule.when ?? 'sync'} times=${rule.times ?? 1}`;
  if (rule.box !== undefined) line += ` box=${rule.box}`;
  if (rule.command !== undefined) line += ` command=${rule.command}`;
  if (rule.message !== undefined) line += ` message=${rule.message}`; // last: it runs to the end of the line
  return line;
}

/** Replaces the rules file atomically, so the engine never reads half a file. */
function writeRules(homeDir: string, lines: string[]): void {
  const file = faultFile(homeDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
  fs.renameSync(tmp, file);
}

/**
 * Adds a fault rule for the runtime whose home dir is `homeDir` (it applies to
 * the next matching calls, also `runtime_new` before the runtime exists).
 * Rewriting the file restarts the counters of the rules already there.
 */
export function injectFault(homeDir: string, rule: FaultRule): void {
  const line = serializeRule(rule);
  let existing: string[] = [];
  try {
    existing = fs.readFileSync(faultFile(homeDir), 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeRules(homeDir, [...existing, line]);
}

/** Removes every fault rule of `homeDir`. */
export function clearFaults(homeDir: string): void {
  fs.rmSync(faultFile(homeDir), { force: true });
}

export interface OpenTestRuntimeOptions {
  /** Use this home dir (kept on close) instead of a fresh temporary one (deleted on close). */
  homeDir?: string;
  /** Fault rules written before the runtime opens (so `runtime_new` faults apply). */
  faults?: FaultRule[];
}

/** A runtime over the test engine, with its home dir and fault helpers. */
export interface TestRuntime extends AsyncDisposable {
  readonly runtime: RuntimeApi;
  readonly homeDir: string;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Closes the runtime, then deletes the home dir if `openTestRuntime` created it. */
  close(): Promise<void>;
}

/**
 * Opens a runtime on the test engine (ISOLATES NOTHING: tests and local
 * development only), in a fresh temporary home dir unless one is given.
 *
 * ```ts
 * await using t = await openTestRuntime();
 * const box = await t.runtime.createBox({ image: 'alpine:latest' });
 * ```
 */
export async function openTestRuntime(options: OpenTestRuntimeOptions = {}): Promise<TestRuntime> {
  const libraryPath = testEngineLibraryPath();
  const ownsHome = options.homeDir === undefined;
  const homeDir = options.homeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-test-'));
  try {
    if (options.faults?.length) writeRules(homeDir, options.faults.map(serializeRule));
    const runtime: RuntimeApi = await Runtime.open({ homeDir, libraryPath });
    const close = async (): Promise<void> => {
      try {
        await runtime.close();
      } finally {
        if (ownsHome) fs.rmSync(homeDir, { recursive: true, force: true });
      }
    };
    return {
      runtime,
      homeDir,
      injectFault: (rule) => injectFault(homeDir, rule),
      clearFaults: () => clearFaults(homeDir),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    if (ownsHome) fs.rmSync(homeDir, { recursive: true, force: true });
    throw err;
  }
}
