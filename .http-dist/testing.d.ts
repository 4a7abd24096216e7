import { BoxliteErrorCode } from './errors';
import type { Runtime as RuntimeApi } from './runtime-types';
/**
 * Absolute path of the test engine library: `build/Release/` of this package
 * (built from source), else `prebuilds/<platform>-<arch>/`.
 * Throws an `EngineError` listing the paths tried when neither exists.
 */
export declare function testEngineLibraryPath(): string;
/** Operations the test engine can fail on purpose (README: "Fault injection"). */
export declare const FAULT_OPERATIONS: readonly ["runtime_new", "shutdown", "runtime_metrics", "create_box", "get", "remove", "get_info", "list_info", "start", "stop", "box_info", "box_metrics", "copy_into", "copy_out", "exec", "on_stdout", "on_stderr", "on_exit", "wait", "kill", "signal", "resize", "stdin_write", "stdin_close"];
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
/**
 * Adds a fault rule for the runtime whose home dir is `homeDir` (it applies to
 * the next matching calls, also `runtime_new` before the runtime exists).
 * Rewriting the file restarts the counters of the rules already there.
 */
export declare function injectFault(homeDir: string, rule: FaultRule): void;
/** Removes every fault rule of `homeDir`. */
export declare function clearFaults(homeDir: string): void;
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
export declare function openTestRuntime(options?: OpenTestRuntimeOptions): Promise<TestRuntime>;
