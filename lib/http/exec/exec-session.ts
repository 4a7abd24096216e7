// One execution as the REST API sees it: the engine's Execution plus what the
// API promises on top of it.
//  - Output produced before anyone attaches is kept (the official client
//    attaches ~1 ms after POST /exec answers; a fast command is done by then).
//  - One WebSocket at a time; the exec outlives the socket and can be
//    re-attached; a re-attach after exit gets the exit frame straight away.
//  - Frames: binary [0x01|0x02]+bytes out, raw binary stdin in, JSON text
//    control frames both ways; `exit` then close 1000.
//  - A Ping right after the upgrade and every 15 s: the official client
//    gives up on a socket that stays silent for 10 s.
//  - Nobody attached and nobody polling for `idleTimeoutMs` -> reaped
//    (SIGHUP, SIGKILL after a grace period) and answered 410 from then on.
// Memory is bounded: past `maxBufferedBytes` of unread output the engine's
// streams are paused (backpressure), never dropped; the engine keeps the rest
// within its own limits (Runtime `limits`), and past those kills the command
// with a reason that GET .../executions/{id} and the attach error frame report.
// Reconnects lose nothing the kernel did not take: frames handed to ws but
// not yet written to the socket go back to the queue when the socket dies.
import type { Duplex, Readable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Execution } from '../../runtime/runtime-types';
import { STDERR, STDOUT, decodeClientFrame, errorFrame, exitFrame, joinOutputFrames, outputFrame } from './attach-frames';
import type { OutputQueueBudget } from './output-queue-budget';

export type ExecStatus = 'running' | 'completed' | 'killed' | 'timed_out';

export interface SessionTimings {
  /** Reap an exec nobody attached to or polled for this long (ms). */
  idleTimeoutMs: number;
  /** Between SIGHUP and SIGKILL when reaping (ms). */
  reapGraceMs: number;
  /** WebSocket keep-alive Ping period (ms); one Ping is also sent on attach. */
  pingIntervalMs: number;
  /** Unread output kept per exec before the engine's streams are paused (bytes). */
  maxBufferedBytes: number;
  /** The same, all sessions together (bytes). */
  maxBufferedTotalBytes: number;
  /**
   * Error frames one attached socket gets; the last says why and the socket
   * is closed (1008). Bounds what a client that floods refused frames and
   * never reads the answers makes the server queue.
   */
  maxErrorFrames: number;
}

export interface ExecSessionInit {
  boxId: string;
  boxName: string | null;
  tty: boolean;
  /** 0 = no timeout. */
  timeoutSecs: number;
  /**
   * When the exec was asked for (ms since the epoch); default: now. The
   * engine's timeout clock starts at the spawn, before the session exists.
   */
  startedAt?: number;
  timings: SessionTimings;
  /** Called when the idle timer fires (the registry reaps). */
  onIdle: (session: ExecSession) => void;
  /** Called for errors nobody is waiting for (socket or stream errors). */
  onBackgroundError?: (err: unknown) => void;
  /** Shared by every session of the handler: bounds all queues together. */
  queueBudget?: OutputQueueBudget;
}

const SIGHUP = 1;
/** Socket send buffer above which engine output is paused. */
const SOCKET_HIGH_WATER = 1 << 20;
const SOCKET_LOW_WATER = 256 << 10;
/**
 * Kept output up to which an attach to a command that has already ended is
 * answered in one write (the 101, the output, the exit frame, the close).
 * Output frames otherwise get a write each: a write's callback says the
 * kernel took all of it or none, so a frame is requeued for the next attach
 * only if the kernel never had it; a write the kernel takes only in part
 * would requeue (and the next attach repeat) frames the client already got.
 * This much always fits the send buffer of a fresh connection (Linux starts
 * TCP at 16 KiB, tcp_wmem), so that write is taken whole.
 */
const ANSWER_AT_ONCE_MAX_BYTES = 16 << 10;
/** Exit code libboxlite synthesizes when an execution is torn down before exiting. */
const TORN_DOWN = -129;
/** WebSocket close code for a client that broke the rules (RFC 6455 §7.4.1). */
const POLICY_VIOLATION = 1008;

/** What the session needs of the attach's liveness watch (lib/silence-watch.ts). */
export interface LivenessWatch {
  suspend(): void;
  resume(): void;
}

/**
 * Resize/signal frames carried out at once for one execution; past it, the
 * socket is not read until one ends. Each is an engine call in flight: a
 * client sending them faster than the engine answers would otherwise pile up
 * calls without bound (100k signal frames: +81 MiB).
 */
const MAX_CONTROL_IN_FLIGHT = 16;

export class ExecSession {
  readonly id: string;
  readonly boxId: string;
  readonly boxName: string | null;
  readonly tty: boolean;
  readonly startedAt: number;
  endedAt: number | null = null;
  status: ExecStatus = 'running';
  exitCode: number | null = null;
  errorMessage: string | null = null;
  /** Reaped for idleness: routes answer 410. */
  reaped = false;
  /** Removed (DELETE, box removal, handler close): routes answer 404. */
  evicted = false;

  /**
   * Null once done (exited, all output read): a finished session is kept
   * until it is reaped for its status and exit frame only, so it lets go of
   * the execution's streams and native handle at once.
   */
  private execution: Execution | null;
  private readonly init: ExecSessionInit;
  private readonly timeoutMs: number;
  private processExited = false;
  private streamsOpen = 2;
  private killRequested = false;
  private exitFrameSent = false;
  private stdinEnded = false;
  /** Why this package killed the command (output limit), or null. */
  private limitFailure: string | null = null;
  /** Why stdin refuses further bytes (e.g. its limit was reached), or null. */
  private stdinFailure: string | null = null;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  /** A send of the queue to the attached socket is scheduled (next tick). */
  private sendScheduled = false;
  /** Frames sent on the current socket, oldest first, until the kernel took them. */
  private inFlight: InFlightFrame[] = [];
  private outputPaused = false;
  /** Reaped, evicted or shut down: nobody will read the output; the engine drops it. */
  private discardOutput = false;
  /** Error frames sent on the current socket (see SessionTimings.maxErrorFrames). */
  private errorFramesSent = 0;
  /** Resize/signal engine calls not finished yet (see MAX_CONTROL_IN_FLIGHT). */
  private controlInFlight = 0;
  /** The socket is not read until the engine took the stdin written so far. */
  private stdinWaitsForDrain = false;
  private socket: WebSocket | null = null;
  /** The attached socket's liveness watch: off while this session itself stops reading the socket. */
  private liveness: LivenessWatch | null = null;
  /** The attached socket's connection: corked while the exit frame and the close go out together. */
  private connection: Duplex | null = null;
  /** An upgrade holds the single attach slot until it completes. */
  private attaching = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  /** Resolves once the process exited and its output was fully read. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  /**
   * Resolves when the execution's slot (maxExecutions) may be given back:
   * at `done`, or as soon as the process is gone once its box was stopped
   * (its unread output stays readable, held within the runtime-wide output
   * budgets, not against the slots of executions still running).
   */
  readonly slotFree: Promise<void>;
  private resolveSlotFree!: () => void;
  private freeSlotOnExit = false;

  constructor(execution: Execution, init: ExecSessionInit) {
    this.execution = execution;
    this.id = execution.id;
    this.boxId = init.boxId;
    this.boxName = init.boxName;
    this.tty = init.tty;
    this.startedAt = init.startedAt ?? Date.now();
    this.init = init;
    this.timeoutMs = init.timeoutSecs > 0 ? init.timeoutSecs * 1000 : 0;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.slotFree = new Promise((resolve) => { this.resolveSlotFree = resolve; });
    this.pump(execution.stdout, STDOUT);
    this.pump(execution.stderr, STDERR);
    // A write after the process is gone must surface as an error frame or be
    // ignored, never as an unhandled 'error' event that kills the server.
    execution.stdin.on('error', (err) => this.onStdinError(err));
    // The status follows the process (its output may still be unread, kept by
    // the engine within its limits); the exit frame follows the last byte.
    execution.exited().then(
      (code) => {
        const reason = execution.endReason;
        if (reason !== null && reason.startsWith('resource exhausted')) this.onProcessExit(code, reason, true);
        else this.onProcessExit(code, null);
      },
      (err) => this.onProcessExit(-1, messageOf(err)),
    );
    execution.wait().catch(() => {
      // reported through exited() and endReason above
    });
    this.armIdleTimer();
  }

  get running(): boolean {
    return !this.processExited;
  }

  get attached(): boolean {
    return this.socket !== null;
  }

  /** Someone waits on this exec (status poll, signal...): it is not idle. */
  touch(): void {
    if (this.socket === null) this.armIdleTimer();
  }

  // ---- output -------------------------------------------------------------

  private pump(stream: Readable, channel: number): void {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.streamsOpen--;
      this.maybeFinish();
    };
    stream.on('data', (chunk: Buffer | string) => this.onOutput(channel, chunk));
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', (err) => {
      this.init.onBackgroundError?.(err);
      end();
    });
  }

  private onOutput(channel: number, chunk: Buffer | string): void {
    if (this.discardOutput) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (data.length === 0) return;
    const frame = outputFrame(channel, data);
    this.queue.push(frame);
    this.addQueued(frame.length);
    const ws = this.socket;
    if (ws !== null && ws.readyState === ws.OPEN) {
      // Sent once this delivery is over (the engine hands over many chunks
      // at once, each a 'data' event): the chunks of one delivery then go
      // out joined, in a few WebSocket messages instead of one each.
      this.scheduleSend();
      return;
    }
    if (this.queueFull()) this.pauseOutput();
  }

  private scheduleSend(): void {
    if (this.sendScheduled) return;
    this.sendScheduled = true;
    process.nextTick(() => {
      this.sendScheduled = false;
      const ws = this.socket;
      if (ws !== null && ws.readyState === ws.OPEN) this.sendQueue(ws);
      else if (this.queueFull()) this.pauseOutput(); // detached meanwhile: the queue's bounds hold again
    });
  }

  private addQueued(bytes: number): void {
    this.queuedBytes += bytes;
    this.init.queueBudget?.add(bytes);
  }

  /** Empties the queue's accounting (its frames were sent or dropped). */
  private clearQueued(): void {
    this.init.queueBudget?.remove(this.queuedBytes);
    this.queuedBytes = 0;
  }

  private queueFull(): boolean {
    return this.queuedBytes >= this.init.timings.maxBufferedBytes || this.init.queueBudget?.full === true;
  }

  private sendFrame(ws: WebSocket, frame: Buffer): void {
    // ws calls back once the frame was written to the socket (the kernel has
    // it) or failed. Until then the frame is ours: if the socket dies first,
    // detach() queues it again for the next attach.
    const entry: InFlightFrame = { frame, written: false };
    const inFlight = this.inFlight;
    inFlight.push(entry);
    ws.send(frame, { binary: true }, (err) => {
      if (!err) {
        entry.written = true;
        while (inFlight.length > 0 && inFlight[0].written) inFlight.shift();
      }
      if (this.outputPaused && this.socket === ws && ws.bufferedAmount < SOCKET_LOW_WATER) this.resumeOutput();
    });
    if (ws.bufferedAmount > SOCKET_HIGH_WATER) this.pauseOutput();
  }

  private pauseOutput(): void {
    if (this.outputPaused) return;
    this.outputPaused = true;
    this.execution?.stdout.pause();
    this.execution?.stderr.pause();
  }

  private resumeOutput(): void {
    if (!this.outputPaused) return;
    this.outputPaused = false;
    this.execution?.stdout.resume();
    this.execution?.stderr.resume();
  }

  /** Sends what is queued, consecutive frames of a channel joined. */
  private sendQueue(ws: WebSocket): void {
    if (this.queue.length === 0) return;
    const frames = this.queue;
    this.queue = [];
    this.clearQueued();
    for (const frame of joinOutputFrames(frames)) this.sendFrame(ws, frame);
  }

  /** On attach: what was kept goes out, and output flows again unless the socket is full already. */
  private flushQueue(ws: WebSocket): void {
    this.sendQueue(ws);
    if (ws.bufferedAmount < SOCKET_HIGH_WATER) this.resumeOutput();
  }

  // ---- exit ---------------------------------------------------------------

  private onProcessExit(code: number, failure: string | null, limitExceeded = false): void {
    if (this.processExited) return;
    this.processExited = true;
    this.endedAt = Date.now();
    this.exitCode = code;
    if (this.graceTimer) { clearTimeout(this.graceTimer); this.graceTimer = null; }
    const elapsed = this.endedAt - this.startedAt;
    if (limitExceeded && failure !== null) {
      // Killed by the engine facade for exceeding its output limit: tell an
      // attached client now (the exit frame follows the retained output).
      this.status = 'killed';
      this.errorMessage = failure;
      this.limitFailure = failure;
      this.reportToSocket(failure);
    } else if (failure !== null) {
      this.status = 'killed';
      this.errorMessage = failure;
    } else if (this.killRequested) {
      this.status = 'killed';
    } else if (this.timeoutMs > 0 && code < 0 && elapsed >= this.timeoutMs - 50) {
      // The engine's timeout kills (a signal death: negative code); a command
      // that exited by itself (code >= 0) did not time out, however late its
      // exit was noticed.
      this.status = 'timed_out';
      this.errorMessage = `execution timed out after ${this.timeoutMs / 1000}s`;
    } else if (code === TORN_DOWN) {
      this.status = 'killed';
      this.errorMessage = 'execution was torn down before it exited';
    } else if (code < 0) {
      this.status = 'killed';
      this.errorMessage = `killed by signal ${-code}`;
    } else {
      this.status = 'completed';
    }
    this.maybeFinish();
  }

  /** Its box was stopped: the slot comes back when the process is gone, read or not. */
  freeSlotWhenProcessGone(): void {
    this.freeSlotOnExit = true;
    if (this.processExited) this.resolveSlotFree();
  }

  private maybeFinish(): void {
    if (this.processExited && this.freeSlotOnExit) this.resolveSlotFree();
    if (!this.processExited || this.streamsOpen > 0) return;
    this.resolveDone();
    this.resolveSlotFree();
    this.execution = null;
    const ws = this.socket;
    if (ws !== null && ws.readyState === ws.OPEN) {
      // The last output first (its send may still be scheduled), then the
      // exit frame and the close in one write: one wake-up of the client.
      this.sendQueue(ws);
      const connection = this.connection;
      connection?.cork();
      try {
        this.sendExit(ws);
      } finally {
        connection?.uncork();
      }
    }
  }

  /**
   * Ended, all its output read, and little of it kept: an attach now gets
   * everything at once, so the upgrade may send it in one write with the 101
   * (see ANSWER_AT_ONCE_MAX_BYTES).
   */
  get answersAtOnce(): boolean {
    return this.processExited && this.streamsOpen === 0 && this.queuedBytes <= ANSWER_AT_ONCE_MAX_BYTES;
  }

  private sendExit(ws: WebSocket): void {
    if (ws.readyState !== ws.OPEN) return;
    // Ended by the output limit: whoever attaches hears why, before the exit.
    if (this.limitFailure !== null) ws.send(errorFrame(this.limitFailure));
    this.exitFrameSent = true;
    ws.send(exitFrame(this.exitCode ?? -1));
    ws.close(1000);
  }

  // ---- attach -------------------------------------------------------------

  /** Claims the single attach slot before the upgrade completes; false if taken. */
  reserveAttach(): boolean {
    if (this.socket !== null || this.attaching) return false;
    this.attaching = true;
    return true;
  }

  releaseAttach(): void {
    this.attaching = false;
  }

  /**
   * `connection` is the socket under `ws`; the caller may hold it corked
   * (attach.ts, when answersAtOnce: the 101 and all that follows in one write).
   */
  attach(ws: WebSocket, connection: Duplex | null = null, liveness: LivenessWatch | null = null): void {
    this.attaching = false;
    this.socket = ws;
    this.liveness = liveness;
    this.connection = connection;
    this.errorFramesSent = 0;
    this.clearIdleTimer();
    this.pingTimer = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, this.init.timings.pingIntervalMs);
    this.pingTimer.unref();
    ws.on('message', (data, isBinary) => this.onClientFrame(data, isBinary));
    ws.on('close', () => this.detach(ws));
    ws.on('error', (err) => this.init.onBackgroundError?.(err));
    this.flushQueue(ws);
    if (this.processExited && this.streamsOpen === 0) {
      // Done already: the output and the exit frame go out now and the socket
      // closes, so it is not silent for a moment and needs no Ping.
      this.sendExit(ws);
      return;
    }
    // Say something at once: the official client treats 10 s of silence as
    // a dead socket, and a quiet command would otherwise trigger that.
    ws.ping();
  }

  private detach(ws: WebSocket): void {
    if (this.socket !== ws) return;
    this.socket = null;
    this.liveness = null;
    this.connection = null;
    // Frames the socket never wrote (abrupt close) go first to the next attach.
    const unsent = this.inFlight.filter((entry) => !entry.written).map((entry) => entry.frame);
    this.inFlight = [];
    if (unsent.length > 0 && !this.discardOutput) {
      this.queue = unsent.concat(this.queue);
      for (const frame of unsent) this.addQueued(frame.length);
      if (this.queueFull()) this.pauseOutput();
    }
    if (this.pingTimer) { clearInterval(this.pingTimer); this.pingTimer = null; }
    // Gone from the API: nobody can attach for its output any more (a late
    // attach gets the exit frame only), so it is dropped now.
    if (this.evicted) this.dropOutput();
    if (!this.evicted && !this.reaped) this.armIdleTimer();
  }

  private onClientFrame(data: RawData, isBinary: boolean): void {
    // Closing (e.g. past maxErrorFrames): what the client still sends is ignored.
    const ws = this.socket;
    if (ws === null || ws.readyState !== ws.OPEN) return;
    const frame = decodeClientFrame(data, isBinary, this.tty);
    switch (frame.kind) {
      case 'stdin': this.writeStdin(frame.bytes); break;
      case 'stdin_eof': this.closeStdin(); break;
      case 'resize': this.control(ws, this.resize(frame.cols, frame.rows)); break;
      case 'signal': this.control(ws, this.signal(frame.sig)); break;
      case 'invalid': this.reportToSocket(frame.message); break;
    }
  }

  /** A resize/signal frame's engine call: failures answered, at most MAX_CONTROL_IN_FLIGHT at once. */
  private control(ws: WebSocket, p: Promise<void>): void {
    this.controlInFlight++;
    if (this.controlInFlight >= MAX_CONTROL_IN_FLIGHT) this.pauseReading(ws);
    p.catch((err) => this.reportToSocket(messageOf(err))).finally(() => {
      this.controlInFlight--;
      this.resumeReading();
    });
  }

  /**
   * Stops reading the attached socket (stdin or control calls hold it back).
   * The client's Pongs then wait unread: that silence is this server's, so the
   * liveness watch is off until reading resumes (and counts from zero then).
   */
  private pauseReading(ws: WebSocket): void {
    ws.pause();
    this.liveness?.suspend();
  }

  /** Reads the attached socket again once neither stdin nor control calls hold it back. */
  private resumeReading(): void {
    const ws = this.socket;
    if (ws !== null && ws.isPaused && !this.stdinWaitsForDrain && this.controlInFlight < MAX_CONTROL_IN_FLIGHT) {
      ws.resume();
      this.liveness?.resume();
    }
  }

  /**
   * A non-fatal problem: an `error` text frame; the socket stays open, up to
   * maxErrorFrames frames on one socket. The last one says so and the socket
   * is closed with 1008: a client that keeps sending refused frames without
   * reading the answers would otherwise make the server queue one answer per
   * frame, without bound.
   */
  private reportToSocket(message: string): void {
    const ws = this.socket;
    if (ws === null || ws.readyState !== ws.OPEN || this.exitFrameSent) return;
    const cap = this.init.timings.maxErrorFrames;
    this.errorFramesSent++;
    if (this.errorFramesSent < cap) {
      ws.send(errorFrame(message));
      return;
    }
    ws.send(errorFrame(`${message}; this socket got ${cap} error frames (the limit, option maxErrorFramesPerSocket) `
      + 'and is closed; the execution goes on: attach again'));
    ws.close(POLICY_VIOLATION, 'too many error frames');
  }

  private writeStdin(bytes: Buffer): void {
    if (this.stdinEnded || this.processExited) {
      this.reportToSocket('stdin is closed');
      return;
    }
    if (bytes.length === 0) return;
    if (this.stdinFailure !== null) {
      // Every refused frame is answered: no stdin byte is dropped silently.
      this.reportToSocket(`stdin refused ${bytes.length} bytes: ${this.stdinFailure}`);
      return;
    }
    const stdin = this.execution?.stdin;
    if (stdin === undefined) return; // done: processExited answered above
    const ok = stdin.write(bytes);
    // Refused at once (past maxStdinBytes): answered now, not at the 'error'
    // event a tick later, or frames that arrived in the same read would be
    // written to the failed stream and dropped without an answer.
    if (stdin.errored !== null) {
      this.onStdinError(stdin.errored);
      return;
    }
    const ws = this.socket;
    // Hold further stdin frames until the engine took these (ws >= 8 can pause).
    if (!ok && ws !== null && !this.stdinWaitsForDrain) {
      this.stdinWaitsForDrain = true;
      this.pauseReading(ws);
      stdin.once('drain', () => {
        this.stdinWaitsForDrain = false;
        this.resumeReading();
      });
    }
  }

  /** Stdin failed (refused past its cap, or the process is gone): the first failure is answered and kept. */
  private onStdinError(err: unknown): void {
    if (this.stdinFailure !== null) return; // answered already
    this.stdinFailure = messageOf(err);
    this.reportToSocket(`stdin: ${messageOf(err)}`);
    // A socket paused for stdin backpressure would wait for a 'drain' that
    // an errored stream never emits: read again (refusals are answered).
    this.stdinWaitsForDrain = false;
    this.resumeReading();
  }

  private closeStdin(): void {
    if (this.stdinEnded) return;
    this.stdinEnded = true;
    this.execution?.stdin.end();
  }

  // ---- control ------------------------------------------------------------

  async signal(sig: number): Promise<void> {
    await this.execution?.signal(sig);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.execution?.resize(cols, rows);
  }

  /** SIGKILL (DELETE .../executions/{id}); the exit still reaches an attached socket. */
  async kill(): Promise<void> {
    if (this.processExited) return;
    this.killRequested = true;
    try {
      await this.execution?.kill();
    } catch (err) {
      // Not killed: if it exits later, its status is what the command did.
      this.killRequested = false;
      throw err;
    }
  }

  /** Idle reaping: SIGHUP now, SIGKILL after the grace period, output discarded. */
  reap(): void {
    if (this.reaped) return;
    this.reaped = true;
    this.clearIdleTimer();
    this.dropOutput();
    if (this.processExited) return;
    this.execution?.signal(SIGHUP).catch((err) => this.init.onBackgroundError?.(err));
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      this.kill().catch((err) => this.init.onBackgroundError?.(err));
    }, this.init.timings.reapGraceMs);
    this.graceTimer.unref();
  }

  /**
   * DELETE: kill if still running, then leave the API; an attached socket
   * still gets the exit frame. A failed kill leaves the session as it was.
   */
  async evict(): Promise<void> {
    await this.kill();
    this.markEvicted();
  }

  /**
   * Gone from the API (DELETE, its box was removed): no idle reaping any
   * more, and its unread output is dropped once no socket reads it, so its
   * slot and spill file are given back as soon as the process is gone.
   */
  markEvicted(): void {
    this.evicted = true;
    this.clearIdleTimer();
    if (this.socket === null) this.dropOutput();
  }

  /**
   * Nobody will read this output: the queue goes, and the engine's streams
   * are destroyed, which makes the engine drop what it keeps (memory and
   * spill file) and everything still to come. The streams' close completes
   * the session once the process is gone.
   */
  private dropOutput(): void {
    this.discardOutput = true;
    this.queue = [];
    this.clearQueued();
    this.outputPaused = false;
    this.execution?.stdout.destroy();
    this.execution?.stderr.destroy();
  }

  /** Handler shutdown: kill, drop the socket (1001 going away), stop every timer. */
  async shutdown(): Promise<void> {
    this.evicted = true;
    this.dropOutput();
    this.clearIdleTimer();
    if (this.graceTimer) { clearTimeout(this.graceTimer); this.graceTimer = null; }
    if (this.pingTimer) { clearInterval(this.pingTimer); this.pingTimer = null; }
    const ws = this.socket;
    this.socket = null;
    this.connection = null;
    if (ws !== null) ws.close(1001, 'server shutting down');
    try {
      await this.kill();
    } catch (err) {
      this.init.onBackgroundError?.(err);
    }
  }

  private armIdleTimer(): void {
    if (this.evicted || this.reaped) return;
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.socket === null && !this.evicted) this.init.onIdle(this);
    }, this.init.timings.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  /** The OpenAPI `ExecutionInfo` for GET .../executions/{id}. */
  toJson(): Record<string, unknown> {
    return {
      execution_id: this.id,
      status: this.status,
      exit_code: this.exitCode,
      started_at: new Date(this.startedAt).toISOString(),
      duration_ms: this.endedAt === null ? null : this.endedAt - this.startedAt,
      error_message: this.errorMessage,
    };
  }
}

interface InFlightFrame {
  frame: Buffer;
  /** The socket wrote it: the kernel has it. */
  written: boolean;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
