import { Readable, Writable } from 'node:stream';
import { type NativeBox } from './native';
import type { Box as BoxApi, BoxInfo, BoxMetrics, BoxOptions, ExecOptions, Execution as ExecutionApi, RemoveBoxOptions, RunResult, Runtime as RuntimeApi, RuntimeMetrics, RuntimeOpenOptions, RuntimeRestOptions } from './runtime-types';
/** A command running in a box. Created by `box.exec()`. */
export declare class Execution implements ExecutionApi {
    #private;
    /** Generated here: libboxlite executions carry no id of their own. */
    readonly id: string;
    readonly stdout: Readable;
    readonly stderr: Readable;
    readonly stdin: Writable;
    /** @internal Use `box.exec()`. */
    constructor(signal?: AbortSignal);
    /** The exit code once known, else null. */
    get exitCode(): number | null;
    /**
     * The exit code, once the process exited and all its output was pushed to
     * stdout/stderr. Negative: -N killed by signal N; -129 torn down before a
     * natural exit (runtime closed).
     */
    wait(): Promise<number>;
    /** SIGKILL. A no-op once exited. */
    kill(): Promise<void>;
    signal(sig: number): Promise<void>;
    resize(cols: number, rows: number): Promise<void>;
}
/** A box. Its libboxlite handle is replaced transparently after `stop()`. */
export declare class Box implements BoxApi {
    #private;
    readonly id: string;
    readonly name: string | null;
    /** @internal Use `runtime.createBox()` / `runtime.getBox()`. */
    constructor(runtime: Runtime, native: NativeBox, name: string | null);
    start(): Promise<void>;
    /**
     * Stops the box. libboxlite invalidates every handle to it; they are all
     * released, so a later call (or `runtime.getBox()`) gets a fresh one.
     */
    stop(): Promise<void>;
    info(): Promise<BoxInfo>;
    metrics(): Promise<BoxMetrics>;
    copyIn(hostSrc: string, guestDst: string): Promise<void>;
    copyOut(guestSrc: string, hostDst: string): Promise<void>;
    exec(command: string, args?: string[], options?: ExecOptions): Promise<Execution>;
    /** exec(), stdin closed, output collected as UTF-8 text. */
    run(command: string, args?: string[], options?: ExecOptions): Promise<RunResult>;
    /** @internal Frees this object's handle; the next call takes a fresh one. */
    _release(): void;
}
/** A BoxLite runtime (local, or libboxlite's REST runtime). */
export declare class Runtime implements RuntimeApi {
    #private;
    private constructor();
    /**
     * Opens a local runtime. libboxlite is loaded now (not at require time):
     * `libraryPath`, else BOXLITE_LIBRARY, else next to the addon, else the
     * system loader path. Failing that, an EngineError lists what was tried.
     */
    static open(options?: RuntimeOpenOptions): Promise<Runtime>;
    /** Opens libboxlite's REST runtime against a BoxLite server: same API, remote boxes. */
    static rest(options: RuntimeRestOptions): Promise<Runtime>;
    /** True once close() was called. */
    get closed(): boolean;
    /** Where libboxlite was loaded from, and its version. */
    get library(): {
        path: string;
        version: string;
    };
    createBox(options: BoxOptions): Promise<Box>;
    /** Rejects with NotFoundError when missing. */
    getBox(idOrName: string): Promise<Box>;
    /** null when missing. */
    findBox(idOrName: string): Promise<Box | null>;
    listBoxes(): Promise<BoxInfo[]>;
    removeBox(idOrName: string, options?: RemoveBoxOptions): Promise<void>;
    metrics(): Promise<RuntimeMetrics>;
    /**
     * Stops non-detached boxes (local runtimes), kills running executions
     * (their wait() resolves with -129), frees every handle. Idempotent.
     * Pending calls reject with StoppedError.
     */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
    /** @internal A fresh native handle for a box. */
    _nativeBox(idOrName: string): Promise<NativeBox>;
    /** @internal Releases every live Box handle for a box id (after stop). */
    _releaseHandles(id: string): void;
}
