// The native addon, loaded lazily.
//
// Nothing here runs at `require('boxlite-native')`: the addon (and, later,
// libboxlite) load on first use, so the error classes, the classifier and the
// HTTP layer work on machines where neither can load.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { BoxliteError, EngineError } from '../errors/errors';
import type {
  BoxInfo,
  BoxMetrics,
  BoxOptions,
  ExecOptions,
  RuntimeCapabilities,
  RuntimeMetrics,
} from './runtime-types';

/**
 * Output of one execution, as the addon delivers it. Output is pulled: the
 * addon hands a stream one block only after `wantOutput(stream)` (a large
 * block arrives as several Buffers, in order). `exitCode` comes once, after
 * the last byte, or at once after the execution was killed for exceeding its
 * output limit (then `reason` says why); `complete` comes once, when no
 * output will follow.
 */
export type NativeOutputListener = (
  stdout: Buffer | Buffer[] | undefined,
  stderr: Buffer | Buffer[] | undefined,
  exitCode: number | undefined,
  complete: boolean,
  reason: string | undefined,
) => void;

export interface NativeLoadOptions {
  libraryPath?: string;
  /** BOXLITE_LIBRARY as this JS env sees it (worker threads may differ). */
  envLibraryPath?: string;
  /** BOXLITE_ALLOW_UNTESTED_VERSION=1: load an unknown version with the newest known layout (unsafe). */
  allowUntestedVersion?: boolean;
}

export interface NativeOpenOptions extends NativeLoadOptions {
  homeDir?: string;
}

export interface NativeRestOptions extends NativeLoadOptions {
  url: string;
  apiKey?: string;
  pathPrefix?: string;
}

// What the addon receives: the public options after lib/runtime.ts validated
// them (same shapes, so derived rather than restated).
export type NativeBoxOptions = BoxOptions;

export type NativeExecSpec = Omit<ExecOptions, 'signal'> & {
  command: string;
  args?: string[];
  /** Unread output kept in memory for this execution (bytes). */
  outputMemoryBytes?: number;
  /** Unread output spilled to disk for this execution (bytes). */
  outputSpillBytes?: number;
  /** Where spill files are created; absent or empty: never spill. */
  outputSpillDir?: string;
  /** The runtime-wide budget of unread output in memory (bytes). */
  runtimeOutputMemoryBytes?: number;
  /** The runtime-wide budget of unread output spilled to disk (bytes). */
  runtimeOutputSpillBytes?: number;
};

export interface NativeExecution {
  /** Synchronous; throws a typed error (InvalidState once exited, Stopped once closed). */
  writeStdin(data: Uint8Array): void;
  /** Idempotent; a no-op once exited or closed. */
  closeStdin(): void;
  /** No-op once exited. */
  kill(): Promise<void>;
  signal(sig: number): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Stream 0 (stdout) or 1 (stderr) wants one more block of output. */
  wantOutput(stream: 0 | 1): void;
  /** Nobody will read stream 0/1 any more: drop its held and future output. */
  discardOutput(stream: 0 | 1): void;
  readonly exited: boolean;
  /** Bytes of this execution's output ever written to its spill files. */
  readonly spilledBytes: number;
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
  /** Frees every native handle to box `id` (after stop; see RuntimeCore::ReleaseBoxHandles). */
  releaseBoxHandles(id: string): void;
  readonly closed: boolean;
  /** Bytes of output ever spilled to disk, all executions. */
  readonly spilledOutputBytes: number;
  /** Unread output held in memory now, all executions. */
  readonly bufferedOutputBytes: number;
  readonly libraryPath: string;
  readonly libraryVersion: string;
  readonly capabilities: RuntimeCapabilities;
}

export interface NativeAddon {
  setErrorFactory(factory: (code: number, message: string, captureStack: boolean) => Error): void;
  openRuntime(options: NativeOpenOptions): Promise<NativeRuntime>;
  openRestRuntime(options: NativeRestOptions): Promise<NativeRuntime>;
  /** The error native code would raise for (code, message); for benchmarks and tests. */
  createError(code: number, message: string): Error;
  /** A promise rejected the way async native calls reject; for benchmarks and tests. */
  rejectWithError(code: number, message: string): Promise<never>;
  /**
   * Queues one malloc_trim on the libuv pool (glibc; elsewhere a no-op): freed
   * memory goes back to the OS. Resolves when it ran (at once when one is
   * already queued, or on other allocators).
   */
  releaseFreedMemory(): Promise<void>;
  /** The newest libboxlite version this build knows. */
  readonly supportedLibraryVersion: string;
  /** Every libboxlite version this build has declarations for, oldest first. */
  readonly supportedLibraryVersions: string[];
}

/** The package root (where package.json, build/ and prebuilds/ live), from lib/ or dist/. */
export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** The platform directories under prebuilds/, for an error message ("none" when there are none). */
function shippedPrebuilds(root: string): string {
  try {
    const dirs = readdirSync(path.join(root, 'prebuilds'));
    return dirs.length > 0 ? dirs.join(', ') : 'none';
  } catch {
    return 'none';
  }
}

let addon: NativeAddon | undefined;

/**
 * Loads the addon for this JS environment (main thread or worker) and installs
 * the error factory: every native failure becomes the BoxliteError subclass of
 * its code. Throws an EngineError (code 12) saying how to fix a missing build.
 */
export function loadAddon(): NativeAddon {
  if (addon) return addon;
  const root = packageRoot();
  let loaded: NativeAddon;
  try {
    const nodeGypBuild = createRequire(path.join(root, 'package.json'))('node-gyp-build') as (dir: string) => unknown;
    loaded = nodeGypBuild(root) as NativeAddon;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // scripts/install.js leaves this log when the install-time build failed.
    const installLog = path.join(root, 'build', 'boxlite-native-install.log');
    const logHint = existsSync(installLog) ? ` The install-time build failed; its log: ${installLog}.` : '';
    throw new EngineError(
      `the boxlite-native addon could not be loaded from ${root}: ${reason}.${logHint} `
        + `No prebuilt addon for ${process.platform}-${process.arch} loads here (this copy has prebuilds for: `
        + `${shippedPrebuilds(root)}). To build it from source: install cmake (>= 3.15) and a C++17 compiler, then, `
        + 'in your project, `npm install --save-dev cmake-js@8 node-addon-api@8 && npm rebuild boxlite-native` '
        + '(the build tools are not installed with the package: a prebuild needs none).',
      { cause: err },
    );
  }
  loaded.setErrorFactory(createTypedError);
  addon = loaded;
  return loaded;
}

/**
 * How the addon turns (code, message) into a typed error. `captureStack` is
 * false for errors settled from a native completion: the JS stack is empty
 * then (only this factory's own frames would be recorded), and capturing it
 * is most of an error's cost. Errors thrown during a call keep the caller's stack.
 */
function createTypedError(code: number, message: string, captureStack: boolean): Error {
  if (captureStack) return BoxliteError.fromCode(code, message);
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    return BoxliteError.fromCode(code, message); // frozen by someone: capture then
  }
  try {
    return BoxliteError.fromCode(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
