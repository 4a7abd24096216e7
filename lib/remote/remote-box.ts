// A box on a BoxLite REST server: the Box interface over the box routes.
// Box handles are plain ids here (the server holds the engine's handles), so
// nothing goes stale after stop().
import type { Readable } from 'node:stream';
import { requiredString } from '../runtime/runtime';
import type { Box as BoxApi, BoxInfo, BoxMetrics, ExecOptions, RunResult } from '../runtime/runtime-types';
import { type HttpClient, segment } from './http-client';
import { RemoteExecution } from './remote-execution';
import type { AttachOptions } from './attach-connection';
import { packHostPath, unpackToHost } from './tar-copy';
import { boxInfoOf, boxMetricsOf, execBody } from './wire-json';
import { networkError, protocolError } from './remote-error';

/** Per-call options of the remote runtime: every call takes an AbortSignal. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface RemoteBoxContext {
  client: HttpClient;
  attach: Omit<AttachOptions, 'url' | 'headers'>;
  /** Executions to abandon when the runtime closes. */
  track(execution: RemoteExecution): void;
  /** Throws StoppedError once the runtime is closed. */
  open(): void;
}

export class RemoteBox implements BoxApi {
  readonly id: string;
  readonly name: string | null;
  readonly #ctx: RemoteBoxContext;

  /** @internal Use `runtime.createBox()` / `runtime.getBox()`. */
  constructor(ctx: RemoteBoxContext, info: BoxInfo) {
    this.#ctx = ctx;
    this.id = info.id;
    this.name = info.name;
  }

  #path(suffix = ''): string {
    return `boxes/${segment(this.id)}${suffix}`;
  }

  async start(options: CallOptions = {}): Promise<void> {
    this.#ctx.open();
    await this.#ctx.client.empty({ method: 'POST', path: this.#path('/start'), idempotent: true, signal: options.signal });
  }

  async stop(options: CallOptions = {}): Promise<void> {
    this.#ctx.open();
    await this.#ctx.client.empty({ method: 'POST', path: this.#path('/stop'), idempotent: true, signal: options.signal });
  }

  async info(options: CallOptions = {}): Promise<BoxInfo> {
    this.#ctx.open();
    const { value, answer } = await this.#ctx.client.json<unknown>({ method: 'GET', path: this.#path(), signal: options.signal });
    return boxInfoOf(value, answer.status, answer.requestId);
  }

  async metrics(options: CallOptions = {}): Promise<BoxMetrics> {
    this.#ctx.open();
    const { value } = await this.#ctx.client.json<unknown>({ method: 'GET', path: this.#path('/metrics'), signal: options.signal });
    return boxMetricsOf(value);
  }

  /**
   * Starts a command; resolves with the server's execution id once the
   * server spawned it (spawn failures reject here, as embedded). Aborting
   * `options.signal` afterwards kills it; an already aborted signal rejects
   * with its reason and starts nothing. The POST itself is not cut by the
   * signal: a process the server may already have started is killed instead
   * of being left running unseen.
   */
  async exec(command: string, args?: string[], options: ExecOptions = {}): Promise<RemoteExecution> {
    this.#ctx.open();
    const body = execBody(command, args, options);
    options.signal?.throwIfAborted();
    const { value, answer } = await this.#ctx.client.json<{ execution_id?: unknown }>({
      method: 'POST', path: this.#path('/exec'), json: body, idempotent: true,
    });
    if (typeof value?.execution_id !== 'string' || value.execution_id.length === 0) {
      throw protocolError(`POST .../exec answered no execution_id: ${JSON.stringify(value).slice(0, 200)}`, answer.status, answer.requestId);
    }
    const execution = new RemoteExecution({
      id: value.execution_id, boxId: this.id, client: this.#ctx.client, attach: this.#ctx.attach, signal: options.signal,
    });
    this.#ctx.track(execution);
    return execution;
  }

  /** exec(), stdin closed, output collected as UTF-8 text. */
  async run(command: string, args?: string[], options: ExecOptions = {}): Promise<RunResult> {
    const execution = await this.exec(command, args, options);
    const stdinClosed = new Promise<void>((resolve) => {
      execution.stdin.once('error', () => resolve());
      execution.stdin.end(resolve);
    });
    const [stdout, stderr, exitCode] = await Promise.all([
      collect(execution.stdout), collect(execution.stderr), execution.wait(), stdinClosed,
    ]);
    return { exitCode, stdout, stderr };
  }

  /** Uploads a host file or directory (tar) into the box. */
  async copyIn(hostSrc: string, guestDst: string, options: CallOptions = {}): Promise<void> {
    this.#ctx.open();
    requiredString(hostSrc, 'hostSrc');
    requiredString(guestDst, 'guestDst');
    const packed = await packHostPath(hostSrc);
    await this.#ctx.client.empty({
      method: 'PUT', path: this.#path('/files'), query: { path: guestDst },
      body: () => ({ data: packed.make(), contentType: 'application/x-tar' }), signal: options.signal,
    });
  }

  /** Downloads a file or directory (tar) from the box onto the host. */
  async copyOut(guestSrc: string, hostDst: string, options: CallOptions = {}): Promise<void> {
    this.#ctx.open();
    requiredString(guestSrc, 'guestSrc');
    requiredString(hostDst, 'hostDst');
    const answer = await this.#ctx.client.send({
      method: 'GET', path: this.#path('/files'), query: { path: guestSrc }, accept: 'application/x-tar', signal: options.signal,
    });
    if (!answer.response.hasBody) throw protocolError('GET .../files answered no archive', answer.status, answer.requestId);
    const archive = answer.response.stream();
    let cutOff: unknown = null;
    archive.once('error', (err) => { cutOff = err; });
    try {
      await unpackToHost(archive, guestSrc, hostDst);
    } catch (err) {
      // Aborted mid-download: the signal's reason, whatever the stream reported.
      if (options.signal?.aborted) throw options.signal.reason;
      // The connection failed midway: a NetworkError, as for a request that got no answer.
      if (cutOff !== null) throw networkError('reading the answer to GET .../files', cutOff);
      throw err;
    }
  }
}

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
