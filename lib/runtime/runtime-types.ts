// The public shapes of the runtime facade (Runtime / Box / Execution).
// lib/runtime.ts implements them over the native addon; the HTTP handler is
// written against these interfaces only.
import type { Readable, Writable } from 'node:stream';

/**
 * Bounds on what one execution may make this process hold (README "Limits and
 * guarantees"). libboxlite queues output and stdin without limit and without
 * feedback, so the bounds are enforced here.
 */
export interface ExecutionLimits {
  /** Unread output (stdout + stderr) kept in memory per execution. Default 8 MiB. */
  maxBufferedOutputBytes?: number;
  /**
   * Unread output spilled to a file past that, per execution (the file is
   * unlinked at creation and closed with the execution). Past memory + spill
   * the execution is killed and `wait()` rejects with ResourceExhaustedError.
   * Default 1 GiB; 0 = never spill.
   */
  maxSpilledOutputBytes?: number;
  /** Directory for spill files. Default: os.tmpdir(). */
  spillDir?: string;
  /**
   * Unread output kept in memory across all executions of the runtime, output
   * handed to a stdout/stderr Readable that has not passed it on yet included;
   * past it, output spills. Default 64 MiB.
   */
  maxRuntimeBufferedOutputBytes?: number;
  /**
   * Unread output spilled to disk across all executions of the runtime. An
   * execution whose output would spill past it is killed, as past its own
   * `maxSpilledOutputBytes`. Default 2 GiB.
   */
  maxRuntimeSpilledOutputBytes?: number;
  /**
   * Stdin bytes accepted per execution. libboxlite never says how much the
   * command has read, so this caps what can pile up unread; past it writes
   * fail with ResourceExhaustedError. Default 64 MiB (bulk data: copyIn).
   */
  maxStdinBytes?: number;
}

export interface RuntimeOpenOptions {
  /**
   * 'libboxlite' (default): real micro-VMs through libboxlite, found through
   * `libraryPath`, BOXLITE_LIBRARY or the usual search. 'test': the test
   * engine bundled with this package, which runs commands as HOST PROCESSES
   * and ISOLATES NOTHING (tests and local development only; a process warning
   * says so once). With 'test', `libraryPath` is refused and `homeDir`
   * defaults to a fresh temporary directory removed by close().
   */
  engine?: 'libboxlite' | 'test';
  /** BoxLite home directory (default: $BOXLITE_HOME or ~/.boxlite). One runtime per directory. */
  homeDir?: string;
  /** Path of libboxlite to load (wins over BOXLITE_LIBRARY and the default search). */
  libraryPath?: string;
  /** Output and stdin bounds for every execution of this runtime. */
  limits?: ExecutionLimits;
}

/** Retries of requests that may be retried (README "Scaling out"). */
export interface RestRetryOptions {
  /** Tries in all, the first included (default 5; 1 = never retry). */
  maxAttempts?: number;
  /** First backoff (ms, default 200); doubles per retry, with jitter; never below Retry-After. */
  baseDelayMs?: number;
  /** Longest backoff (ms, default 5000). */
  maxDelayMs?: number;
  /** No retry starts later than this after the first try (ms, default 30000). */
  maxElapsedMs?: number;
}

export interface RuntimeRestOptions {
  /** Base URL of a BoxLite REST API v1 server; a base path (e.g. https://api.example/api) is kept. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>` (HTTP and WebSocket). */
  apiKey?: string;
  /** The `{prefix}` slot of /v1/{prefix}/..., verbatim (it may hold '/'); none by default. */
  pathPrefix?: string;
  /**
   * 'typescript' (default): this package's client (lib/remote/), over
   * node:http (or the given `fetch`) and ws; it never loads the addon. 'libboxlite': libboxlite's own REST
   * runtime through the addon (needs the native library).
   */
  client?: 'typescript' | 'libboxlite';
  /** Retry policy for network errors, 429 and 503 (client 'typescript'); false: never retry. */
  retry?: RestRetryOptions | false;
  /** Re-attach policy after an attach WebSocket drops (client 'typescript'). */
  reattach?: RestRetryOptions;
  /**
   * An attach socket silent this long (no frame or ping; while the handshake runs, no answer to the upgrade) is
   * dead and replaced (ms, default 45000; the server pings every 15 s). Counted in time this process could run:
   * its own stalls (GC, a blocked loop, SIGSTOP) count at most a quarter of it.
   */
  attachLivenessTimeoutMs?: number;
  /** Extra headers on every request (client 'typescript'), e.g. a gateway's own. */
  headers?: Record<string, string>;
  /**
   * Send every request through this fetch instead (client 'typescript'; e.g.
   * a proxy-aware or instrumented one, or the global fetch). Default: none,
   * node:http / node:https with the runtime's own keep-alive sockets.
   */
  fetch?: typeof fetch;
  /** Path of libboxlite (client 'libboxlite' only). */
  libraryPath?: string;
  /** Output and stdin bounds for every execution (client 'libboxlite' only; the server sets its own). */
  limits?: ExecutionLimits;
}

export interface VolumeSpec {
  hostPath: string;
  guestPath: string;
  readOnly?: boolean;
}

export interface NetworkSpec {
  /** 'enabled' (default) or 'disabled'. */
  mode?: 'enabled' | 'disabled';
  /** Outbound allowlist (hosts); ignored when disabled. */
  allowNet?: string[];
}

export interface BoxOptions {
  /** OCI image reference, e.g. 'alpine:latest'. One of image / rootfsPath. */
  image?: string;
  /** A local root filesystem directory instead of an image. */
  rootfsPath?: string;
  name?: string;
  cpus?: number;
  memoryMib?: number;
  diskSizeGb?: number;
  workdir?: string;
  env?: Record<string, string>;
  volumes?: VolumeSpec[];
  network?: NetworkSpec;
  /** Remove the box when it stops (libboxlite default: true). */
  autoRemove?: boolean;
  /** Keep the box running when the runtime closes (default: false). */
  detach?: boolean;
  entrypoint?: string[];
  cmd?: string[];
  /**
   * Idle seconds before the box is stopped (0 = never). libboxlite's local
   * runtime refuses any value > 0 (UnsupportedError: REST runtimes only).
   * Needs a libboxlite with boxlite_options_set_auto_pause_interval (0.9.7
   * main builds since 2026-07-22), else UnsupportedError naming the version.
   */
  autoStop?: number;
  /** Seconds after stop before the box is deleted (0 = never); replaces autoRemove. Same availability as autoStop. */
  autoDelete?: number;
  /** Whether access resumes an auto-stopped box (default true). Same availability as autoStop. */
  autoResume?: boolean;
}

/** What the loaded libboxlite release supports (`runtime.capabilities`). */
export interface RuntimeCapabilities {
  /** boxlite_version() */
  version: string;
  /** Which build of that version, e.g. "release" or "main since 2026-07-28 (#1031)". */
  build: string;
  /** Its CBoxInfo layout: 'classic' (0.9.5, 0.9.7 release), 'lifecycle', 'network' (newest). */
  layout: 'classic' | 'lifecycle' | 'network';
  /** Loaded only because BOXLITE_ALLOW_UNTESTED_VERSION=1 (read with the newest known layout). */
  untested: boolean;
  features: {
    /** BoxInfo.network is reported. */
    boxInfoNetwork: boolean;
    /** BoxInfo.autoStop / autoDelete / autoResume are reported. */
    boxInfoLifecycle: boolean;
    /** box.info() asks the box handle (else the runtime, by id). */
    boxInfoByHandle: boolean;
    /** The box options of the same names can be set. */
    autoStop: boolean;
    autoDelete: boolean;
    autoResume: boolean;
  };
  /** Optional libboxlite symbols: present or not; for add_volume, the symbol it was resolved from. */
  symbols: Record<string, boolean | string>;
}

export type BoxStatus = 'unknown' | 'configured' | 'running' | 'stopping' | 'stopped' | 'paused' | 'failed';

export interface BoxInfo {
  id: string;
  name: string | null;
  image: string;
  status: BoxStatus | string;
  running: boolean;
  pid: number;
  cpus: number;
  memoryMib: number;
  /**
   * Lifecycle policy (seconds; 0 = off). null when the loaded libboxlite's
   * box info has no such fields (0.9.5 and the 0.9.7 release: see
   * `runtime.capabilities.features.boxInfoLifecycle`).
   */
  autoStop: number | null;
  autoDelete: number | null;
  autoResume: boolean | null;
  /** Creation time, unix seconds. */
  createdAt: number;
  network: { mode: 'enabled' | 'disabled'; allowNet: string[] } | null;
}

export interface BoxMetrics {
  cpuPercent: number;
  memoryBytes: number;
  commandsExecuted: number;
  execErrors: number;
  bytesSent: number;
  bytesReceived: number;
  createDurationMs: number;
  bootDurationMs: number;
  networkBytesSent: number;
  networkBytesReceived: number;
  networkTcpConnections: number;
  networkTcpErrors: number;
}

export interface RuntimeMetrics {
  boxesCreatedTotal: number;
  boxesFailedTotal: number;
  numRunningBoxes: number;
  totalCommandsExecuted: number;
  totalExecErrors: number;
}

export interface ExecOptions {
  env?: Record<string, string>;
  workdir?: string;
  /** "name", "uid", "uid:gid" or "name:group". */
  user?: string;
  tty?: boolean;
  /** Enforced by the engine; 0 or absent = none. */
  timeoutSecs?: number;
  /** Aborting kills the execution. */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Execution {
  readonly id: string;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** `end()` closes the command's stdin (EOF). */
  readonly stdin: Writable;
  /**
   * Resolves with the exit code once the process exited AND all its output was
   * pushed to stdout/stderr (libboxlite's exit event is the barrier). Output
   * past `maxBufferedOutputBytes` that nobody reads waits for a reader first.
   * Rejects with ResourceExhaustedError (`exitCode` set) when the execution
   * was killed for exceeding its output limit; its retained output stays
   * readable. Negative codes: -N killed by signal N, -129 torn down before a
   * natural exit. May be called any number of times.
   */
  wait(): Promise<number>;
  /**
   * Resolves with the exit code as soon as the process exited, even while
   * output it printed is still unread (wait() also waits for the output).
   */
  exited(): Promise<number>;
  /** Why this package ended the execution (output limit), else null. */
  readonly endReason: string | null;
  /** The exit code once known, else null. */
  readonly exitCode: number | null;
  kill(): Promise<void>;
  signal(sig: number): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
}

export interface Box {
  readonly id: string;
  readonly name: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  info(): Promise<BoxInfo>;
  metrics(): Promise<BoxMetrics>;
  exec(command: string, args?: string[], options?: ExecOptions): Promise<Execution>;
  run(command: string, args?: string[], options?: ExecOptions): Promise<RunResult>;
  /** Copy a host file or directory into the box. */
  copyIn(hostSrc: string, guestDst: string): Promise<void>;
  /** Copy a file or directory out of the box onto the host. */
  copyOut(guestSrc: string, hostDst: string): Promise<void>;
}

export interface RemoveBoxOptions {
  force?: boolean;
}

export interface Runtime extends AsyncDisposable {
  createBox(options: BoxOptions): Promise<Box>;
  /** Rejects with NotFoundError when missing. */
  getBox(idOrName: string): Promise<Box>;
  /** null when missing. */
  findBox(idOrName: string): Promise<Box | null>;
  listBoxes(): Promise<BoxInfo[]>;
  removeBox(idOrName: string, options?: RemoveBoxOptions): Promise<void>;
  metrics(): Promise<RuntimeMetrics>;
  /** Idempotent. Pending work rejects with StoppedError. */
  close(): Promise<void>;
  readonly closed: boolean;
  /**
   * Unread execution output right now: held in memory, and spilled to disk
   * since the runtime opened (a counter). For metrics (README "Operating it").
   */
  outputStats?(): OutputStats;
}

export interface OutputStats {
  /** Unread output held in memory now, all executions (bytes). */
  bufferedBytes: number;
  /** Output written to spill files since the runtime opened, all executions (bytes, only grows). */
  spilledBytesTotal: number;
}
