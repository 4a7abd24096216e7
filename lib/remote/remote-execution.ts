// A command running in a remote box: the Execution interface over the attach
// WebSocket (attach-connection.ts) and the execution routes.
//
// Output frames are pushed into Node Readables; when a Readable is full the
// socket stops being read, so TCP pushes back on the server, which pauses the
// engine's streams (nothing is dropped, memory stays bounded by the Readables'
// highWaterMark plus one frame). The exit frame follows the last output frame:
// wait() resolves once, after every byte was pushed.
import { Readable, Writable } from 'node:stream';
import { boxliteCodeForMessagePrefix } from '../errors/classify';
import { BoxliteError, BoxliteErrorCode, InvalidArgumentError, StoppedError, isBoxliteError } from '../errors/errors';
import type { Execution as ExecutionApi } from '../runtime/runtime-types';
import { OutputLimitError } from '../runtime/output-limit-error';
import { AttachConnection, type AttachOptions } from './attach-connection';
import type { HttpClient } from './http-client';
import { segment } from './http-client';
import { settleAfterPendingTicks } from '../runtime/settle-after-ticks';

/** How the server's error frame reports a failed stdin write (lib/http/exec/exec-session.ts). */
const STDIN_FAILURE = 'stdin: ';

/** Output held per stream before the attach socket stops being read (bytes); plus at most one frame. */
export const OUTPUT_HIGH_WATER_MARK = 1 << 20;

export interface RemoteExecutionInit {
  id: string;
  boxId: string;
  client: HttpClient;
  attach: Omit<AttachOptions, 'url' | 'headers'>;
  signal: AbortSignal | undefined;
}

export class RemoteExecution implements ExecutionApi {
  /** The server's execution id. */
  readonly id: string;
  readonly boxId: string;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;

  readonly #client: HttpClient;
  readonly #conn: AttachConnection;
  #exitCode: number | null = null;
  #endReason: string | null = null;
  readonly #done: Promise<number>;
  readonly #exited: Promise<number>;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | null = null;

  constructor(init: RemoteExecutionInit) {
    this.id = init.id;
    this.boxId = init.boxId;
    this.#client = init.client;
    // Room for a few server frames (64 KiB blocks) before the socket is
    // paused: pausing per frame would cost a TCP round of backpressure each.
    this.stdout = new Readable({ highWaterMark: OUTPUT_HIGH_WATER_MARK, read: () => this.#conn?.resume() });
    this.stderr = new Readable({ highWaterMark: OUTPUT_HIGH_WATER_MARK, read: () => this.#conn?.resume() });
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, callback) => this.#conn.sendStdin(chunk, (err) => callback(err ?? null)),
      final: (callback) => this.#conn.sendEof((err) => callback(err ?? null)),
    });
    // Misuse (a write after the exit) must not crash the process: the error
    // still reaches write() callbacks and the caller's own 'error' listeners.
    this.stdin.on('error', () => {});
    let resolveDone!: (code: number) => void;
    let rejectDone!: (err: Error) => void;
    this.#done = new Promise<number>((resolve, reject) => { resolveDone = resolve; rejectDone = reject; });
    this.#done.catch(() => {}); // nobody may call wait(); callers of wait() still get the rejection
    let resolveExited!: (code: number) => void;
    let rejectExited!: (err: Error) => void;
    this.#exited = new Promise<number>((resolve, reject) => { resolveExited = resolve; rejectExited = reject; });
    this.#exited.catch(() => {});

    const url = init.client.url(`boxes/${segment(init.boxId)}/executions/${segment(init.id)}/attach`, { websocket: true });
    this.#conn = new AttachConnection({ ...init.attach, url, headers: init.client.baseHeaders() }, {
      onOutput: (channel, data) => (channel === 1 ? this.stdout : this.stderr).push(data),
      onServerError: (message) => {
        // The server ended it for its output limit: wait() says so, as embedded.
        if (message.startsWith('resource exhausted')) this.#endReason = message;
        // The engine refused stdin: the embedded runtime fails the Writable
        // with the engine's error; so does this one, rebuilt from its text.
        else if (message.startsWith(STDIN_FAILURE)) {
          const text = message.slice(STDIN_FAILURE.length);
          const code = boxliteCodeForMessagePrefix(text);
          this.stdin.destroy(BoxliteError.fromCode(code === 0 ? BoxliteErrorCode.Internal : code, text));
        }
      },
      onExit: (code) => {
        this.#exitCode = code;
        this.#unlistenAbort();
        resolveExited(code);
        this.stdout.push(null);
        this.stderr.push(null);
        if (this.#endReason !== null) rejectDone(new OutputLimitError(this.#endReason, code));
        else resolveDone(code);
      },
      onLost: (err) => {
        this.#unlistenAbort();
        rejectExited(err);
        rejectDone(err);
        this.stdout.push(null);
        this.stderr.push(null);
      },
    });

    this.#signal = init.signal;
    if (this.#signal) {
      this.#onAbort = () => { this.kill().catch(() => { /* it may be finishing by itself */ }); };
      if (this.#signal.aborted) this.#onAbort();
      else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #unlistenAbort(): void {
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = null;
  }

  /** How many times the attach socket was replaced after a drop. */
  get reattaches(): number {
    return this.#conn.reattaches;
  }

  get exitCode(): number | null {
    return this.#exitCode;
  }

  get endReason(): string | null {
    return this.#endReason;
  }

  /**
   * The exit code once the exit frame arrived, after every output byte was
   * pushed. Rejects with OutputLimitError when the server killed the command
   * for its output limit, or with the typed error that ended the attach when
   * no exit frame can come (refused, or the re-attach budget ran out).
   */
  wait(): Promise<number> {
    // A tick late: 'data' listeners attached just before see every byte first (settle-after-ticks.ts).
    return settleAfterPendingTicks(this.#done);
  }

  /** Over REST the exit is known with the exit frame, so this settles with wait(). */
  exited(): Promise<number> {
    return this.#exited;
  }

  #path(suffix = ''): string {
    return `boxes/${segment(this.boxId)}/executions/${segment(this.id)}${suffix}`;
  }

  /**
   * SIGKILL (DELETE .../executions/{id}). A no-op once exited, as embedded:
   * a 404 means the server already killed and evicted it (e.g. a retried
   * DELETE whose first answer was lost).
   */
  async kill(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#exitCode !== null) return;
    try {
      await this.#client.empty({ method: 'DELETE', path: this.#path(), signal: options.signal });
    } catch (err) {
      if (!isBoxliteError(err, BoxliteErrorCode.NotFound)) throw err;
    }
  }

  async signal(sig: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!Number.isInteger(sig)) throw new InvalidArgumentError('invalid argument: signal must be an integer');
    await this.#client.empty({ method: 'POST', path: this.#path('/signal'), json: { signal: sig }, idempotent: true, signal: options.signal });
  }

  async resize(cols: number, rows: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!Number.isInteger(cols) || !Number.isInteger(rows)) {
      throw new InvalidArgumentError('invalid argument: cols and rows must be integers');
    }
    await this.#client.empty({ method: 'POST', path: this.#path('/resize'), json: { cols, rows }, signal: options.signal });
  }

  /** @internal Stops listening (runtime closed): wait() rejects with StoppedError unless it already settled. */
  _abandon(): void {
    this.#conn.close(new StoppedError('stopped: runtime is closed'));
  }
}
