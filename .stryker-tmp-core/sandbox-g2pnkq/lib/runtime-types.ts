// @ts-nocheck
// The public shapes of the runtime facade (Runtime / Box / Execution).
// lib/runtime.ts implements them over the native addon; the HTTP handler is
// written against these interfaces only.
import type { Readable, Writable } from 'node:stream';

export interface RuntimeOpenOptions {
  /** BoxLite home directory (default: $BOXLITE_HOME or ~/.boxlite). One runtime per directory. */
  homeDir?: string;
  /** Path of libboxlite to load (wins over BOXLITE_LIBRARY and the default search). */
  libraryPath?: string;
}

export interface RuntimeRestOptions {
  /** Base URL of a BoxLite REST server (libboxlite's own REST runtime). */
  url: string;
  apiKey?: string;
  pathPrefix?: string;
  libraryPath?: string;
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
  autoStop: number;
  autoDelete: number;
  autoResume: boolean;
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
   * pushed to stdout/stderr (libboxlite's exit event is the barrier).
   * Negative codes: -N killed by signal N, -129 torn down before a natural exit.
   * May be called any number of times.
   */
  wait(): Promise<number>;
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
}
