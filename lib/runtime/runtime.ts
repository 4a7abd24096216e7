// The runtime facade: Runtime / Box / Execution over the native addon.
//
// Output is pulled from the addon into Node Readables (each _read asks for one
// block; the addon keeps the rest within the runtime's limits). The exit code
// arrives once the process exited; `wait()` resolves once the output is
// complete too (libboxlite's exit event is the barrier).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { dataOfChunk } from './chunk-headroom';

import { BoxliteErrorCode, InvalidArgumentError, ResourceExhaustedError, isBoxliteError } from '../errors/errors';
import { execTracingObserved, outputSpillChannel } from '../observability/channels';
import { traceExecution } from '../observability/exec-tracing';
import { scheduleMemoryRelease } from './memory-release';
import {
  loadAddon,
  type NativeBox,
  type NativeBoxOptions,
  type NativeExecution,
  type NativeExecSpec,
  type NativeOutputListener,
  type NativeRuntime,
} from './native';
import { testEngineLibraryPath, warnTestEngineOnce } from './test-engine';
import type {
  Box as BoxApi,
  BoxInfo,
  BoxMetrics,
  BoxOptions,
  ExecOptions,
  Execution as ExecutionApi,
  ExecutionLimits,
  RemoveBoxOptions,
  RunResult,
  Runtime as RuntimeApi,
  RuntimeCapabilities,
  RuntimeMetrics,
  OutputStats,
  RuntimeOpenOptions,
  RuntimeRestOptions,
} from './runtime-types';
import { OutputLimitError } from './output-limit-error';
import { settleAfterPendingTicks } from './settle-after-ticks';
// A cycle by design: lib/remote uses this module's argument checks (plain
// functions, read at call time), and nothing here runs at load time.
import { RemoteRuntime } from '../remote/remote-runtime';

// ---- argument checks (the addon re-checks types; these give the nicer texts) ----

function invalid(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid argument: ${what}`);
}

function optionalString(value: unknown, name: string, { nonEmpty = false } = {}): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
    throw invalid(`${name} must be a ${nonEmpty ? 'non-empty ' : ''}string`);
  }
  return value;
}

/** @internal Shared with the remote runtime (lib/remote/), so both check arguments alike. */
export function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${name} must be a non-empty string`);
  return value;
}

function optionalPositiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive integer`);
  }
  return value;
}

// libboxlite stores cpus as a u8 (a larger int would be truncated).
function optionalCpus(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 255) {
    throw invalid('cpus must be an integer from 1 to 255');
  }
  return value;
}

// libboxlite takes these as uint32 seconds.
function optionalSeconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw invalid(`${name} must be a whole number of seconds from 0 to 4294967295`);
  }
  return value;
}

/** @internal Shared with the remote runtime (lib/remote/), so both check arguments alike. */
export function optionalBool(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}

function stringArray(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(`${name} must be an array of strings`);
  }
  return [...value] as string[];
}

function stringRecord(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${name} must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`${name}.${k} must be a string`);
    // defineProperty, not assignment: an env key "__proto__" is a real key.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** @internal Shared with the remote runtime (lib/remote/), so both check arguments alike. */
export function toNativeBoxOptions(options: BoxOptions): NativeBoxOptions {
  if (options === null || typeof options !== 'object') throw invalid('box options must be an object');
  const image = optionalString(options.image, 'image', { nonEmpty: true });
  const rootfsPath = optionalString(options.rootfsPath, 'rootfsPath', { nonEmpty: true });
  if ((image === undefined) === (rootfsPath === undefined)) {
    throw invalid('exactly one of image or rootfsPath is required');
  }
  let volumes: NativeBoxOptions['volumes'];
  if (options.volumes !== undefined) {
    if (!Array.isArray(options.volumes)) throw invalid('volumes must be an array');
    volumes = options.volumes.map((v, i) => {
      if (v === null || typeof v !== 'object') throw invalid(`volumes[${i}] must be an object`);
      return {
        hostPath: requiredString(v.hostPath, `volumes[${i}].hostPath`),
        guestPath: requiredString(v.guestPath, `volumes[${i}].guestPath`),
        readOnly: optionalBool(v.readOnly, `volumes[${i}].readOnly`),
      };
    });
  }
  let network: NativeBoxOptions['network'];
  if (options.network !== undefined) {
    const n = options.network;
    if (n === null || typeof n !== 'object') throw invalid('network must be an object');
    if (n.mode !== undefined && n.mode !== 'enabled' && n.mode !== 'disabled') {
      throw invalid("network.mode must be 'enabled' or 'disabled'");
    }
    network = { mode: n.mode, allowNet: stringArray(n.allowNet, 'network.allowNet') };
    // libboxlite's C layer drops an allow-list once the network is disabled
    // (boxlite_options_add_network_allow); say so instead of losing it.
    if (network.mode === 'disabled' && network.allowNet?.length) {
      throw invalid('network.mode "disabled" is incompatible with network.allowNet; remove allowNet or use mode "enabled"');
    }
  }
  return {
    image,
    rootfsPath,
    name: optionalString(options.name, 'name', { nonEmpty: true }),
    cpus: optionalCpus(options.cpus),
    memoryMib: optionalPositiveInt(options.memoryMib, 'memoryMib'),
    diskSizeGb: optionalPositiveInt(options.diskSizeGb, 'diskSizeGb'),
    workdir: optionalString(options.workdir, 'workdir', { nonEmpty: true }),
    env: stringRecord(options.env, 'env'),
    volumes,
    network,
    autoRemove: optionalBool(options.autoRemove, 'autoRemove'),
    detach: optionalBool(options.detach, 'detach'),
    entrypoint: stringArray(options.entrypoint, 'entrypoint'),
    cmd: stringArray(options.cmd, 'cmd'),
    autoStop: optionalSeconds(options.autoStop, 'autoStop'),
    autoDelete: optionalSeconds(options.autoDelete, 'autoDelete'),
    autoResume: optionalBool(options.autoResume, 'autoResume'),
  };
}

/** @internal Shared with the remote runtime (lib/remote/), so both check arguments alike. */
export function toExecSpec(command: string, args: string[] | undefined, options: ExecOptions): NativeExecSpec {
  if (options === null || typeof options !== 'object') throw invalid('exec options must be an object');
  if (options.timeoutSecs !== undefined && typeof options.timeoutSecs !== 'number') {
    throw invalid('timeoutSecs must be a number');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalid('signal must be an AbortSignal');
  }
  return {
    command: requiredString(command, 'command'),
    args: stringArray(args, 'args'),
    env: stringRecord(options.env, 'env'),
    workdir: optionalString(options.workdir, 'workdir', { nonEmpty: true }),
    user: optionalString(options.user, 'user', { nonEmpty: true }),
    // Negative, NaN and infinite values are refused by libboxlite itself.
    timeoutSecs: options.timeoutSecs,
    tty: optionalBool(options.tty, 'tty'),
  };
}

const MIB = 1024 * 1024;

/** Defaults of ExecutionLimits (README "Limits and guarantees"). */
export const DEFAULT_LIMITS: Readonly<Required<Omit<ExecutionLimits, 'spillDir'>>> = Object.freeze({
  maxBufferedOutputBytes: 8 * MIB,
  maxSpilledOutputBytes: 1024 * MIB,
  maxRuntimeBufferedOutputBytes: 64 * MIB,
  maxRuntimeSpilledOutputBytes: 2048 * MIB,
  maxStdinBytes: 64 * MIB,
});

type ResolvedLimits = Required<ExecutionLimits>;

function limitBytes(value: unknown, name: string, fallback: number, { zeroOk = false } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (zeroOk ? 0 : 1)) {
    throw invalid(`limits.${name} must be a ${zeroOk ? 'non-negative' : 'positive'} integer number of bytes`);
  }
  return value;
}

function resolveLimits(limits: ExecutionLimits | undefined): ResolvedLimits {
  if (limits === undefined) limits = {};
  if (limits === null || typeof limits !== 'object') throw invalid('limits must be an object');
  return {
    maxBufferedOutputBytes: limitBytes(limits.maxBufferedOutputBytes, 'maxBufferedOutputBytes', DEFAULT_LIMITS.maxBufferedOutputBytes),
    maxSpilledOutputBytes: limitBytes(limits.maxSpilledOutputBytes, 'maxSpilledOutputBytes', DEFAULT_LIMITS.maxSpilledOutputBytes, { zeroOk: true }),
    maxRuntimeBufferedOutputBytes: limitBytes(limits.maxRuntimeBufferedOutputBytes, 'maxRuntimeBufferedOutputBytes',
      DEFAULT_LIMITS.maxRuntimeBufferedOutputBytes),
    maxRuntimeSpilledOutputBytes: limitBytes(limits.maxRuntimeSpilledOutputBytes, 'maxRuntimeSpilledOutputBytes',
      DEFAULT_LIMITS.maxRuntimeSpilledOutputBytes),
    maxStdinBytes: limitBytes(limits.maxStdinBytes, 'maxStdinBytes', DEFAULT_LIMITS.maxStdinBytes, { zeroOk: true }),
    spillDir: optionalString(limits.spillDir, 'limits.spillDir', { nonEmpty: true }) ?? tmpdir(),
  };
}

function isRuntimeClosedError(err: unknown): boolean {
  return isBoxliteError(err, BoxliteErrorCode.Stopped) && err.message === 'stopped: runtime is closed';
}

// ---- Execution ----------------------------------------------------------------

// Each chunk holds a spare byte before its data (chunk-headroom.ts).
function pushAll(stream: Readable, data: Buffer | Buffer[]): void {
  if (Array.isArray(data)) {
    for (const chunk of data) stream.push(dataOfChunk(chunk));
  } else {
    stream.push(dataOfChunk(data));
  }
}

/** How Box.exec() feeds an Execution: kept off the public surface. */
const listenerOf = new WeakMap<Execution, NativeOutputListener>();
const attach = new WeakMap<Execution, (native: NativeExecution) => void>();

export { OutputLimitError };

const STDOUT = 0;
const STDERR = 1;

/** A command running in a box. Created by `box.exec()`. */
export class Execution implements ExecutionApi {
  /** Generated here: libboxlite executions carry no id of their own. */
  readonly id: string;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;

  #native: NativeExecution | null = null;
  #exitCode: number | null = null;
  #endReason: string | null = null;
  /** Settles when the process exited and all its output was pushed. */
  readonly #done: Promise<number>;
  /** Resolves when the process exited (output may still be unread). */
  readonly #exited: Promise<number>;
  #onAbort: (() => void) | null = null;
  #signal: AbortSignal | undefined;
  /** _read calls made before the native execution existed. */
  readonly #wantedEarly: [boolean, boolean] = [false, false];
  #complete = false;
  readonly #maxStdinBytes: number;
  #stdinBytes = 0;

  /** @internal Use `box.exec()`. */
  constructor(signal?: AbortSignal, limits: Required<Pick<ExecutionLimits, 'maxStdinBytes'>> = { maxStdinBytes: DEFAULT_LIMITS.maxStdinBytes },
    id: string = randomUUID()) {
    this.id = id;
    this.#maxStdinBytes = limits.maxStdinBytes;
    // Output is pulled: the addon keeps it (bounded, spilling to disk) until
    // the Readable asks, so a reader that does not read holds no JS memory
    // beyond its highWaterMark plus one block.
    this.stdout = this.#outputStream(STDOUT);
    this.stderr = this.#outputStream(STDERR);
    this.stdin = new Writable({
      write: (chunk: Buffer, _encoding, callback) => this.#writeStdin([chunk], callback),
      writev: (chunks, callback) => this.#writeStdin(chunks.map((c) => c.chunk as Buffer), callback),
      final: (callback) => {
        try {
          this.#native?.closeStdin();
          callback();
        } catch (err) {
          callback(err as Error);
        }
      },
      destroy: (err, callback) => {
        try {
          this.#native?.closeStdin();
        } catch {
          // already closed or gone: destroying must not fail on that
        }
        callback(err);
      },
    });
    // Misuse (write after end() or after exit) must never crash the process:
    // the error still reaches write() callbacks and the user's own 'error'
    // listeners, but an unlistened 'error' is not fatal here.
    this.stdin.on('error', () => {});
    let resolveDone!: (code: number) => void;
    let rejectDone!: (err: Error) => void;
    this.#done = new Promise<number>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    // Nobody may ever call wait(): an output-limit rejection must not become
    // an unhandled rejection. Callers of wait() still receive it.
    this.#done.catch(() => {});
    let resolveExited!: (code: number) => void;
    this.#exited = new Promise<number>((resolve) => {
      resolveExited = resolve;
    });
    this.#signal = signal;

    // push() runs the user's 'data' handlers synchronously; if one throws, the
    // rest of this delivery (the other stream, the exit) must still happen, or
    // output is lost and wait() never settles. The error still propagates.
    listenerOf.set(this, (stdout, stderr, exitCode, complete, reason) => {
      try {
        if (stdout) pushAll(this.stdout, stdout);
      } finally {
        try {
          if (stderr) pushAll(this.stderr, stderr);
        } finally {
          try {
            if (exitCode !== undefined) this.#onExit(exitCode, reason, resolveExited, rejectDone);
          } finally {
            if (complete) this.#onComplete(resolveDone);
          }
        }
      }
    });
    attach.set(this, (native) => {
      this.#native = native;
      for (const stream of [STDOUT, STDERR] as const) {
        if (this.#wantedEarly[stream]) native.wantOutput(stream);
      }
      if (this.#exitCode !== null || !this.#signal) return;
      this.#onAbort = () => {
        this.kill().catch(() => {
          // the execution may be finishing on its own; nothing to report
        });
      };
      if (this.#signal.aborted) this.#onAbort();
      else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    });
  }

  #outputStream(stream: 0 | 1): Readable {
    const readable = new Readable({
      read: () => {
        if (this.#native) this.#native.wantOutput(stream);
        else this.#wantedEarly[stream] = true;
      },
      destroy: (err, callback) => {
        // Destroyed before its end: nobody reads it, so the addon must not
        // keep (or spill, or wait for) its output.
        if (!this.#complete) this.#native?.discardOutput(stream);
        callback(err);
      },
    });
    // Read to its end: what the addon counted as held by this Readable
    // (against the runtime-wide memory budget) is passed on.
    readable.once('end', () => this.#native?.discardOutput(stream));
    return readable;
  }

  #onExit(exitCode: number, reason: string | undefined, resolveExited: (code: number) => void,
    rejectDone: (err: Error) => void): void {
    this.#exitCode = exitCode;
    this.#endReason = reason ?? null;
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = null;
    resolveExited(exitCode);
    // Killed for its output limit: wait() says so now, not after a reader
    // that may never come has drained what was kept.
    if (reason !== undefined && reason.startsWith('resource exhausted')) rejectDone(new OutputLimitError(reason, exitCode));
  }

  #onComplete(resolveDone: (code: number) => void): void {
    this.#complete = true;
    // Its native buffers are gone now: let the allocator return them.
    scheduleMemoryRelease();
    try {
      this.stdout.push(null);
    } finally {
      this.stderr.push(null);
      resolveDone(this.#exitCode ?? -1);
    }
  }

  /** The exit code once known, else null. */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** Why this package ended the execution (output limit), else null. */
  get endReason(): string | null {
    return this.#endReason;
  }

  /**
   * The exit code, once the process exited and all its output was pushed to
   * stdout/stderr. Negative: -N killed by signal N; -129 torn down before a
   * natural exit (runtime closed). Rejects with OutputLimitError (a
   * ResourceExhaustedError) when killed for exceeding the output limit.
   */
  wait(): Promise<number> {
    // A tick late: 'data' listeners attached just before see every byte first (settle-after-ticks.ts).
    return settleAfterPendingTicks(this.#done);
  }

  /**
   * The exit code as soon as the process exited, even while output it
   * printed is still unread (wait() also waits for that output).
   */
  exited(): Promise<number> {
    return this.#exited;
  }

  /** SIGKILL. A no-op once exited. */
  kill(): Promise<void> {
    return this.#requireNative().kill();
  }

  signal(sig: number): Promise<void> {
    if (!Number.isInteger(sig)) return Promise.reject(invalid('signal must be an integer'));
    return this.#requireNative().signal(sig);
  }

  resize(cols: number, rows: number): Promise<void> {
    if (!Number.isInteger(cols) || !Number.isInteger(rows)) {
      return Promise.reject(invalid('cols and rows must be integers'));
    }
    return this.#requireNative().resize(cols, rows);
  }

  #requireNative(): NativeExecution {
    if (!this.#native) throw invalid('the execution has not started');
    return this.#native;
  }

  #writeStdin(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    try {
      const native = this.#requireNative();
      const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // libboxlite queues stdin without limit and never reports consumption:
      // past the cap, refuse (the whole chunk, so what was accepted is exact).
      if (this.#stdinBytes + data.length > this.#maxStdinBytes) {
        throw new ResourceExhaustedError(`resource exhausted: stdin of execution ${this.id} is limited to `
          + `${this.#maxStdinBytes} bytes (maxStdinBytes; ${this.#stdinBytes} accepted): libboxlite queues stdin `
          + 'without limit and never reports what the command has read. Use copyIn for bulk data.');
      }
      native.writeStdin(data);
      this.#stdinBytes += data.length;
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

// ---- Box ----------------------------------------------------------------------

/** A box. Its libboxlite handle is replaced transparently after `stop()`. */
export class Box implements BoxApi {
  readonly id: string;
  readonly name: string | null;

  readonly #runtime: Runtime;
  #native: NativeBox | null;
  #reacquiring: Promise<NativeBox> | null = null;

  /** @internal Use `runtime.createBox()` / `runtime.getBox()`. */
  constructor(runtime: Runtime, native: NativeBox, name: string | null) {
    this.#runtime = runtime;
    this.#native = native;
    this.id = native.id;
    this.name = name;
  }

  async start(): Promise<void> {
    await this.#call((b) => b.start());
  }

  /**
   * Stops the box. libboxlite invalidates every handle to it; they are all
   * released, so a later call (or `runtime.getBox()`) gets a fresh one.
   */
  async stop(): Promise<void> {
    await this.#call((b) => b.stop());
    this.#runtime._releaseHandles(this.id);
  }

  info(): Promise<BoxInfo> {
    return this.#call((b) => b.info());
  }

  metrics(): Promise<BoxMetrics> {
    return this.#call((b) => b.metrics());
  }

  async copyIn(hostSrc: string, guestDst: string): Promise<void> {
    requiredString(hostSrc, 'hostSrc');
    requiredString(guestDst, 'guestDst');
    await this.#call((b) => b.copyIn(hostSrc, guestDst));
  }

  async copyOut(guestSrc: string, hostDst: string): Promise<void> {
    requiredString(guestSrc, 'guestSrc');
    requiredString(hostDst, 'hostDst');
    await this.#call((b) => b.copyOut(guestSrc, hostDst));
  }

  exec(command: string, args?: string[], options: ExecOptions = {}): Promise<Execution> {
    // Published on tracingChannel('boxlite:exec') when someone listens; a
    // command that is not a string is refused by #exec, untraced.
    if (!execTracingObserved() || typeof command !== 'string') return this.#exec(command, args, options);
    const tty = options !== null && typeof options === 'object' && options.tty === true;
    return traceExecution(this.id, command, tty, (executionId) => this.#exec(command, args, options, executionId));
  }

  async #exec(command: string, args: string[] | undefined, options: ExecOptions, executionId?: string): Promise<Execution> {
    const limits = this.#runtime._limits;
    const spec: NativeExecSpec = {
      ...toExecSpec(command, args, options),
      outputMemoryBytes: limits.maxBufferedOutputBytes,
      outputSpillBytes: limits.maxSpilledOutputBytes,
      outputSpillDir: limits.maxSpilledOutputBytes > 0 ? limits.spillDir : '',
      runtimeOutputMemoryBytes: limits.maxRuntimeBufferedOutputBytes,
      runtimeOutputSpillBytes: limits.maxRuntimeSpilledOutputBytes,
    };
    options.signal?.throwIfAborted();
    const execution = new Execution(options.signal, limits, executionId);
    const listener = listenerOf.get(execution)!;
    const native = await this.#call((b) => b.exec(spec, listener));
    attach.get(execution)!(native);
    const boxId = this.id;
    const reportSpill = () => publishSpill(boxId, execution.id, native);
    execution.wait().then(reportSpill, reportSpill);
    return execution;
  }

  /** exec(), stdin closed, output collected as UTF-8 text. */
  async run(command: string, args?: string[], options: ExecOptions = {}): Promise<RunResult> {
    const execution = await this.exec(command, args, options);
    const stdinClosed = new Promise<void>((resolve) => {
      execution.stdin.once('error', () => resolve()); // e.g. it already exited: nothing to close
      execution.stdin.end(resolve);
    });
    const [stdout, stderr, exitCode] = await Promise.all([
      collect(execution.stdout),
      collect(execution.stderr),
      execution.wait(),
      stdinClosed,
    ]);
    return { exitCode, stdout, stderr };
  }

  /** @internal Frees this object's handle; the next call takes a fresh one. */
  _release(): void {
    this.#native?.release();
    this.#native = null;
  }

  async #handle(): Promise<NativeBox> {
    if (this.#native) return this.#native;
    this.#reacquiring ??= this.#runtime._nativeBox(this.id).finally(() => {
      this.#reacquiring = null;
    });
    this.#native = await this.#reacquiring;
    return this.#native;
  }

  async #call<T>(op: (box: NativeBox) => Promise<T>): Promise<T> {
    // A handle invalidated by stop() elsewhere, or spent after the box stopped
    // by itself, is dropped and the call retried on a fresh one (libboxlite
    // checks this before doing anything, so a retry repeats no work). A few
    // tries: right after a stop, libboxlite's own stop task may still hold the
    // spent instance for a moment, and get() then returns it once more.
    for (let attempt = 0; ; attempt++) {
      const native = await this.#handle();
      try {
        return await op(native);
      } catch (err) {
        if (!isBoxliteError(err, BoxliteErrorCode.Stopped) || isRuntimeClosedError(err)) throw err;
        this.#runtime._releaseHandles(this.id);
        if (!isStaleHandleError(err) || attempt >= STALE_HANDLE_RETRY_DELAYS_MS.length) throw err;
        await delay(STALE_HANDLE_RETRY_DELAYS_MS[attempt]);
      }
    }
  }
}

/** boxlite:output.spill, once the execution's output is complete, when some of it went to disk. */
function publishSpill(boxId: string, executionId: string, native: NativeExecution): void {
  if (!outputSpillChannel.hasSubscribers) return;
  const spilledBytes = native.spilledBytes;
  if (spilledBytes > 0) outputSpillChannel.publish({ boxId, executionId, spilledBytes });
}

const STALE_HANDLE_RETRY_DELAYS_MS = [0, 5, 25];

// libboxlite's texts for a handle that must be replaced (ABI §5): invalidated
// by stop(), or spent after the box stopped by itself. Other Stopped errors
// (runtime shut down, ...) are final.
function isStaleHandleError(err: Error): boolean {
  return err.message.startsWith('stopped: Handle invalidated after stop()')
    || err.message.includes('is no longer running and this handle is spent');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// ---- Runtime ------------------------------------------------------------------

/** A BoxLite runtime (local, or libboxlite's REST runtime). */
export class Runtime implements RuntimeApi {
  readonly #native: NativeRuntime;
  /** @internal Output and stdin bounds of every execution. */
  readonly _limits: ResolvedLimits;
  #closing: Promise<void> | null = null;
  /** Live Box objects per box id, so stop() can release every handle to a box. */
  readonly #boxes = new Map<string, Set<WeakRef<Box>>>();
  readonly #forget = new FinalizationRegistry<{ id: string; ref: WeakRef<Box> }>(({ id, ref }) => {
    const set = this.#boxes.get(id);
    set?.delete(ref);
    if (set?.size === 0) this.#boxes.delete(id);
  });

  /** Removes the temporary home a test-engine runtime made for itself, after close(). */
  readonly #removeHome: (() => void) | undefined;

  private constructor(native: NativeRuntime, limits: ResolvedLimits, removeHome?: () => void) {
    this.#native = native;
    this._limits = limits;
    this.#removeHome = removeHome;
  }

  /**
   * Opens a local runtime. libboxlite is loaded now (not at require time):
   * `libraryPath`, else BOXLITE_LIBRARY, else next to the addon, else the
   * system loader path. Failing that, an EngineError lists what was tried.
   */
  static async open(options: RuntimeOpenOptions = {}): Promise<Runtime> {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object');
    const engine = options.engine ?? 'libboxlite';
    if (engine !== 'libboxlite' && engine !== 'test') throw invalid(`engine must be 'libboxlite' or 'test', got ${String(engine)}`);
    let homeDir = optionalString(options.homeDir, 'homeDir', { nonEmpty: true });
    let libraryPath = optionalString(options.libraryPath, 'libraryPath', { nonEmpty: true });
    const limits = resolveLimits(options.limits);
    let removeHome: (() => void) | undefined;
    if (engine === 'test') {
      if (libraryPath !== undefined) throw invalid("libraryPath and engine: 'test' exclude each other (the test engine is bundled)");
      libraryPath = testEngineLibraryPath();
      warnTestEngineOnce();
      if (homeDir === undefined) {
        // Never the user's ~/.boxlite: test-engine boxes are host directories
        // a real libboxlite must not find there later.
        const created = mkdtempSync(path.join(tmpdir(), 'boxlite-test-engine-'));
        homeDir = created;
        removeHome = () => rmSync(created, { recursive: true, force: true });
      }
    }
    let native: NativeRuntime;
    try {
      native = await loadAddon().openRuntime({
        homeDir,
        libraryPath,
        envLibraryPath: engine === 'test' ? undefined : process.env.BOXLITE_LIBRARY || undefined,
        allowUntestedVersion: process.env.BOXLITE_ALLOW_UNTESTED_VERSION === '1',
      });
    } catch (err) {
      removeHome?.();
      throw err;
    }
    return new Runtime(native, limits, removeHome);
  }

  /**
   * The same API against a BoxLite REST server (README "Scaling out"). By
   * default this package's TypeScript client (lib/remote/), which never loads
   * the addon; `client: 'libboxlite'` selects libboxlite's own REST runtime.
   */
  static async rest(options: RuntimeRestOptions & { client: 'libboxlite' }): Promise<Runtime>;
  static async rest(options: RuntimeRestOptions): Promise<RemoteRuntime>;
  static async rest(options: RuntimeRestOptions): Promise<Runtime | RemoteRuntime> {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object');
    if (options.client === undefined || options.client === 'typescript') {
      return RemoteRuntime.connect(options);
    }
    if (options.client !== 'libboxlite') throw invalid("client must be 'typescript' or 'libboxlite'");
    const limits = resolveLimits(options.limits);
    const native = await loadAddon().openRestRuntime({
      url: requiredString(options.url, 'url'),
      apiKey: optionalString(options.apiKey, 'apiKey', { nonEmpty: true }),
      pathPrefix: optionalString(options.pathPrefix, 'pathPrefix'),
      libraryPath: optionalString(options.libraryPath, 'libraryPath', { nonEmpty: true }),
      envLibraryPath: process.env.BOXLITE_LIBRARY || undefined,
      allowUntestedVersion: process.env.BOXLITE_ALLOW_UNTESTED_VERSION === '1',
    });
    return new Runtime(native, limits);
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#native.closed;
  }

  /** Where libboxlite was loaded from, and its version. */
  get library(): { path: string; version: string } {
    return { path: this.#native.libraryPath, version: this.#native.libraryVersion };
  }

  /**
   * What the loaded libboxlite release supports (README: "Supported
   * libboxlite versions"). Options it lacks are refused with UnsupportedError.
   */
  get capabilities(): RuntimeCapabilities {
    return this.#native.capabilities;
  }

  async createBox(options: BoxOptions): Promise<Box> {
    const native = await this.#native.createBox(toNativeBoxOptions(options));
    return this.#track(new Box(this, native, options.name ?? null));
  }

  /**
   * Rejects with NotFoundError when missing. Chained, not awaited: a missing
   * box is a common answer (the REST handler's 404), and a rejection awaited
   * inside an async function is rethrown there, which makes V8 unwind the
   * stack; passed along a chain it costs nothing extra.
   */
  getBox(idOrName: string): Promise<Box> {
    let id: string;
    try {
      id = requiredString(idOrName, 'idOrName');
    } catch (err) {
      return Promise.reject(err);
    }
    return this._nativeBox(id).then((native) => this.#named(native));
  }

  /** A Box for a fresh native handle, with its name (the handle is released if that fails). */
  async #named(native: NativeBox): Promise<Box> {
    let name: string | null = null;
    try {
      name = (await this.#native.getInfo(native.id)).name;
    } catch (err) {
      native.release();
      throw err;
    }
    return this.#track(new Box(this, native, name));
  }

  /** null when missing. */
  async findBox(idOrName: string): Promise<Box | null> {
    try {
      return await this.getBox(idOrName);
    } catch (err) {
      if (isBoxliteError(err, BoxliteErrorCode.NotFound)) return null;
      throw err;
    }
  }

  /**
   * Every box, unpaginated. libboxlite's `boxlite_list_info` has no cursor,
   * limit or filter: it hands over the whole list in one callback, so a page
   * cut here would cost the same native work and memory as the full list.
   * Callers that page cut pages from this array, as the REST handler does
   * (lib/http/protocol/pagination.ts: a stable (createdAt, id) order).
   */
  listBoxes(): Promise<BoxInfo[]> {
    return this.#native.listBoxes();
  }

  async removeBox(idOrName: string, options: RemoveBoxOptions = {}): Promise<void> {
    requiredString(idOrName, 'idOrName');
    const force = optionalBool(options?.force, 'force') ?? false;
    await this.#native.removeBox(idOrName, force);
  }

  metrics(): Promise<RuntimeMetrics> {
    return this.#native.metrics();
  }

  outputStats(): OutputStats {
    return { bufferedBytes: this.#native.bufferedOutputBytes, spilledBytesTotal: this.#native.spilledOutputBytes };
  }

  /**
   * Stops non-detached boxes (local runtimes), kills running executions
   * (their wait() resolves, never rejects: -9 once killed, -129 if torn down
   * before the exit was reported), frees every handle. Idempotent. Calls made
   * after close() reject with StoppedError (README "Lifecycle").
   */
  close(): Promise<void> {
    this.#closing ??= this.#native.close().finally(() => this.#removeHome?.());
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal A fresh native handle for a box. */
  _nativeBox(idOrName: string): Promise<NativeBox> {
    return this.#native.getBox(idOrName);
  }

  /** @internal Releases every live Box handle for a box id (after stop). */
  _releaseHandles(id: string): void {
    for (const ref of this.#boxes.get(id) ?? []) ref.deref()?._release();
    // Also wrappers already collected but not yet finalized: their handles
    // would make libboxlite return the spent instance to the next getBox().
    this.#native.releaseBoxHandles(id);
  }

  #track(box: Box): Box {
    const ref = new WeakRef(box);
    let set = this.#boxes.get(box.id);
    if (!set) this.#boxes.set(box.id, (set = new Set()));
    set.add(ref);
    this.#forget.register(box, { id: box.id, ref });
    return box;
  }
}
