import type { BoxInfo, BoxMetrics, RuntimeMetrics } from './runtime-types';
/**
 * Output of one execution, as the addon delivers it: any of the three may be
 * present; a large hand-off arrives as several Buffers (in order). The exit
 * code comes last, after every byte of output.
 */
export type NativeOutputListener = (stdout: Buffer | Buffer[] | undefined, stderr: Buffer | Buffer[] | undefined, exitCode: number | undefined) => void;
export interface NativeLoadOptions {
    libraryPath?: string;
    /** BOXLITE_LIBRARY as this JS env sees it (worker threads may differ). */
    envLibraryPath?: string;
}
export interface NativeOpenOptions extends NativeLoadOptions {
    homeDir?: string;
}
export interface NativeRestOptions extends NativeLoadOptions {
    url: string;
    apiKey?: string;
    pathPrefix?: string;
}
export interface NativeBoxOptions {
    image?: string;
    rootfsPath?: string;
    name?: string;
    cpus?: number;
    memoryMib?: number;
    diskSizeGb?: number;
    workdir?: string;
    env?: Record<string, string>;
    volumes?: Array<{
        hostPath: string;
        guestPath: string;
        readOnly?: boolean;
    }>;
    network?: {
        mode?: 'enabled' | 'disabled';
        allowNet?: string[];
    };
    autoRemove?: boolean;
    detach?: boolean;
    entrypoint?: string[];
    cmd?: string[];
}
export interface NativeExecSpec {
    command: string;
    args?: string[];
    env?: Record<string, string>;
    workdir?: string;
    user?: string;
    timeoutSecs?: number;
    tty?: boolean;
}
export interface NativeExecution {
    /** Synchronous; throws a typed error (InvalidState once exited, Stopped once closed). */
    writeStdin(data: Uint8Array): void;
    /** Idempotent; a no-op once exited or closed. */
    closeStdin(): void;
    /** No-op once exited. */
    kill(): Promise<void>;
    signal(sig: number): Promise<void>;
    resize(cols: number, rows: number): Promise<void>;
    readonly exited: boolean;
}
export interface NativeBox {
    readonly id: string;
    start(): Promise<void>;
    stop(): Promise<void>;
    info(): Promise<BoxInfo>;
    metrics(): Promise<BoxMetrics>;
    copyIn(hostSrc: string, guestDst: string): Promise<void>;
    copyOut(guestSrc: string, hostDst: string): Promise<void>;
    exec(spec: NativeExecSpec, listener: NativeOutputListener): Promise<NativeExecution>;
    /** Frees the libboxlite handle (after in-flight calls). Later calls reject with InvalidStateError. */
    release(): void;
}
export interface NativeRuntime {
    createBox(options: NativeBoxOptions): Promise<NativeBox>;
    getBox(idOrName: string): Promise<NativeBox>;
    getInfo(idOrName: string): Promise<BoxInfo>;
    listBoxes(): Promise<BoxInfo[]>;
    removeBox(idOrName: string, force: boolean): Promise<void>;
    metrics(): Promise<RuntimeMetrics>;
    close(): Promise<void>;
    readonly closed: boolean;
    readonly libraryPath: string;
    readonly libraryVersion: string;
}
export interface NativeAddon {
    setErrorFactory(factory: (code: number, message: string, captureStack: boolean) => Error): void;
    openRuntime(options: NativeOpenOptions): Promise<NativeRuntime>;
    openRestRuntime(options: NativeRestOptions): Promise<NativeRuntime>;
    /** The error native code would raise for (code, message); for benchmarks and tests. */
    createError(code: number, message: string): Error;
    /** A promise rejected the way async native calls reject; for benchmarks and tests. */
    rejectWithError(code: number, message: string): Promise<never>;
    /** The one libboxlite version this build accepts. */
    readonly supportedLibraryVersion: string;
}
/** The package root (where package.json, build/ and prebuilds/ live), from lib/ or dist/. */
export declare function packageRoot(): string;
/**
 * Loads the addon for this JS environment (main thread or worker) and installs
 * the error factory: every native failure becomes the BoxliteError subclass of
 * its code. Throws an EngineError (code 12) saying how to fix a missing build.
 */
export declare function loadAddon(): NativeAddon;
