// The attach WebSocket of one execution (GET .../executions/{id}/attach), kept
// alive across drops.
//
// Protocol (lib/http/exec/attach-frames.ts, BoxLite REST API v1):
//   server -> client: binary [0x01 stdout | 0x02 stderr] + bytes;
//                     text {"type":"exit","exit_code":N} (then close 1000),
//                     text {"type":"error","message":...} (the socket stays open)
//   client -> server: binary = stdin bytes; text {"type":"stdin_eof"}
//
// Re-attach: a socket that closes before the exit frame (a proxy cut, a reset,
// 45 s of silence although the server pings every 15 s) is replaced by a new
// attach to the same execution, with backoff, up to `maxReattaches` times
// within `maxElapsedMs`. The server keeps the execution running and queues
// its output while nobody is attached, including every frame its socket had
// not yet handed to the kernel when the old one died.
//
// Silence (lib/silence-watch.ts) is watched from the start of each attach, the
// handshake included: a server that does not answer the upgrade within the
// liveness timeout is as dead as one that stops pinging. Time this process
// could not run (a long GC, a blocked loop, SIGSTOP) is not the server's
// silence, nor is the time this side stops reading the socket itself
// (backpressure from a full stdout/stderr): the watch is off meanwhile.
//
// Loss bound of a drop: output frames the server's kernel had accepted for
// the dead connection but that never reached this process, i.e. at most what
// fits in the server's TCP send buffer plus this side's receive buffer (plus
// anything a proxy in between held) at the moment of the drop; zero for a
// clean close. Stdin is at-most-once: bytes already handed to this side's
// kernel when the connection died may be lost, never duplicated (they are
// not re-sent). Nothing is lost across a drop that happens while nothing is
// in flight.
import { WebSocket, type RawData } from 'ws';
import { publishRequest } from './http-client';
import { type RemoteBoxliteError, errorFromAnswer, MAX_ERROR_BODY_BYTES, networkError } from './remote-error';
import { backoffMs, sleep, type RetryPolicy } from './retry-policy';
import { SilenceWatch } from '../silence-watch';

export interface AttachHandlers {
  /** One output frame (channel 1 stdout, 2 stderr). Return false to pause the socket until resume(). */
  onOutput(channel: 1 | 2, data: Buffer): boolean;
  /** The server's `error` frame text (non-fatal). */
  onServerError(message: string): void;
  /** The exit frame; called once, after every output frame. */
  onExit(exitCode: number): void;
  /** No exit frame will come: attaching is refused, the re-attach budget ran out, or close(reason). */
  onLost(err: Error): void;
}

export interface AttachOptions {
  url: string;
  headers: Record<string, string>;
  /** Re-attach policy: tries and time budget (maxAttempts = re-attaches allowed + 1). */
  reattach: RetryPolicy;
  /**
   * No frame, ping or pong for this long (nor the upgrade's answer, while the
   * handshake runs): the socket is dead (ms). Default 45 000 (the spec's figure).
   * Counted in time this process could run, see lib/silence-watch.ts.
   */
  livenessTimeoutMs: number;
}

/** Largest server frame accepted (bytes): output blocks are far smaller. */
const MAX_FRAME_BYTES = 16 << 20;
const EMPTY_EXIT = -1;

interface PendingSend {
  data: Buffer | string;
  binary: boolean;
  callback: (err?: Error) => void;
}

export class AttachConnection {
  /** Re-attaches made so far (0 while the first socket lives). */
  reattaches = 0;
  #ws: WebSocket | null = null;
  #finished = false;
  #closing = false;
  #paused = false;
  #pending: PendingSend[] = [];
  #lostSince = 0;
  /** Tries since the current drop began. */
  #dropTries = 0;
  /** The current socket's silence watch (null between sockets). */
  #watch: SilenceWatch | null = null;
  readonly #opts: AttachOptions;
  readonly #handlers: AttachHandlers;

  constructor(opts: AttachOptions, handlers: AttachHandlers) {
    this.#opts = opts;
    this.#handlers = handlers;
    this.#open();
  }

  /** Stops reading output (backpressure) until resume(). */
  pause(): void {
    this.#paused = true;
    this.#ws?.pause();
    // Not read, the server's pings go unseen: that silence is ours. (Before
    // 'open' ws cannot pause: the handshake stays watched.)
    if (this.#ws?.readyState === WebSocket.OPEN) this.#watch?.suspend();
  }

  resume(): void {
    this.#paused = false;
    this.#ws?.resume();
    this.#watch?.resume();
  }

  /** Sends stdin bytes (queued while re-attaching); the callback fires once the socket took them. */
  sendStdin(data: Buffer, callback: (err?: Error) => void): void {
    this.#send({ data, binary: true, callback });
  }

  sendEof(callback: (err?: Error) => void): void {
    this.#send({ data: JSON.stringify({ type: 'stdin_eof' }), binary: false, callback });
  }

  /** Closes for good (runtime closed); `reason` reaches onLost unless the exit came first. */
  close(reason: Error): void {
    if (this.#closing) return;
    this.#closing = true;
    const wasFinished = this.#finished;
    this.#finish();
    this.#ws?.terminate();
    if (!wasFinished) this.#handlers.onLost(reason);
  }

  #send(item: PendingSend): void {
    if (this.#finished) {
      item.callback(new Error('stdin is closed: the execution has ended'));
      return;
    }
    const ws = this.#ws;
    if (ws !== null && ws.readyState === WebSocket.OPEN) ws.send(item.data, { binary: item.binary }, item.callback);
    else this.#pending.push(item);
  }

  #open(): void {
    // The handshake is a GET like any other request: published with them.
    publishRequest(() => ({ method: 'GET', url: this.#opts.url, headers: { ...this.#opts.headers }, body: null }));
    // No handshakeTimeout: ws's is a socket idle timer, which counts this
    // process's own stalls; the silence watch bounds the handshake instead.
    const ws = new WebSocket(this.#opts.url, {
      headers: this.#opts.headers,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
    });
    this.#ws = ws;
    this.#stopWatch();
    // Silent past the deadline (no answer to the upgrade, or no frame, ping or
    // pong since): dead. Terminating it fires 'close' (or, for a refusal whose
    // body stalled, the answer's 'close' before its end), which re-attaches.
    const watch = new SilenceWatch(this.#opts.livenessTimeoutMs, () => {
      if (this.#ws === ws && !this.#finished) ws.terminate();
    });
    this.#watch = watch;
    const heard = () => watch.heard();
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      heard();
      // Another socket still holds the single attach slot (the server has not
      // yet seen the old one die), or the server is momentarily full: wait.
      const retryable = res.statusCode === 409 || res.statusCode === 429 || res.statusCode === 503;
      let settled = false;
      const settle = (err: RemoteBoxliteError) => {
        if (settled) return;
        settled = true;
        watch.stop();
        this.#dropped(retryable ? err : null, err);
      };
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        heard();
        if (size < MAX_ERROR_BODY_BYTES) { chunks.push(c); size += c.length; }
      });
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        settle(errorFromAnswer(res.statusCode ?? 500, headers, Buffer.concat(chunks).toString('utf8'), 'attach'));
      });
      const cutOff = () => settle(networkError('attach', new Error('upgrade answer cut off')));
      res.on('error', cutOff);
      res.on('close', () => { if (!res.complete) cutOff(); });
    });
    ws.on('open', () => {
      this.#lostSince = 0;
      this.#dropTries = 0;
      heard();
      if (this.#paused) {
        ws.pause();
        watch.suspend();
      }
      const pending = this.#pending;
      this.#pending = [];
      for (const item of pending) ws.send(item.data, { binary: item.binary }, item.callback);
    });
    ws.on('ping', heard);
    ws.on('pong', heard);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      heard();
      this.#onFrame(data, isBinary);
    });
    ws.on('error', () => {
      // 'close' follows and decides; an error with no listener would throw.
    });
    ws.on('close', () => {
      if (this.#ws !== ws || refused) return;
      this.#stopWatch();
      if (this.#finished || this.#closing) return;
      this.#dropped(networkError('attach', new Error('the WebSocket closed before the exit frame')), null);
    });
  }

  #stopWatch(): void {
    this.#watch?.stop();
    this.#watch = null;
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#finished) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      const channel = buf[0];
      if ((channel !== 1 && channel !== 2) || buf.length < 2) return; // unknown channel or empty: ignored, as the spec's clients do
      if (!this.#handlers.onOutput(channel, buf.subarray(1))) this.pause();
      return;
    }
    let msg: { type?: unknown; exit_code?: unknown; message?: unknown };
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch {
      return;
    }
    if (msg?.type === 'exit') {
      this.#finish();
      this.#handlers.onExit(typeof msg.exit_code === 'number' && Number.isInteger(msg.exit_code) ? msg.exit_code : EMPTY_EXIT);
    } else if (msg?.type === 'error' && typeof msg.message === 'string') {
      this.#handlers.onServerError(msg.message);
    }
  }

  /** The socket died (retryAs: the error to give up with) or was refused for good (fatal). */
  #dropped(retryAs: RemoteBoxliteError | null, fatal: RemoteBoxliteError | null): void {
    if (this.#finished || this.#closing) return;
    this.#ws = null;
    this.#stopWatch();
    if (retryAs === null) {
      this.#lose(fatal!);
      return;
    }
    const policy = this.#opts.reattach;
    const now = Date.now();
    if (this.#lostSince === 0) this.#lostSince = now;
    this.#dropTries++;
    const wait = backoffMs(policy, this.#dropTries, undefined);
    if (this.#dropTries >= policy.maxAttempts || now - this.#lostSince + wait > policy.maxElapsedMs) {
      this.#lose(retryAs);
      return;
    }
    void sleep(wait).then(() => {
      if (this.#finished || this.#closing) return;
      this.reattaches++;
      this.#open();
    });
  }

  #lose(err: RemoteBoxliteError): void {
    this.#finish();
    this.#handlers.onLost(err);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stopWatch();
    const pending = this.#pending;
    this.#pending = [];
    for (const item of pending) item.callback(new Error('stdin is closed: the execution has ended'));
  }
}
