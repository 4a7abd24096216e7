"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ExecSession = void 0;
const exec_request_1 = require("./exec-request");
const validate_1 = require("./validate");
const STDOUT = 0x01;
const STDERR = 0x02;
const SIGHUP = 1;
/** Socket send buffer above which engine output is paused. */
const SOCKET_HIGH_WATER = 1 << 20;
const SOCKET_LOW_WATER = 256 << 10;
/** Exit code libboxlite synthesizes when an execution is torn down before exiting. */
const TORN_DOWN = -129;
class ExecSession {
    id;
    boxId;
    boxName;
    tty;
    startedAt = Date.now();
    endedAt = null;
    status = 'running';
    exitCode = null;
    errorMessage = null;
    /** Reaped for idleness: routes answer 410. */
    reaped = false;
    /** Removed (DELETE, box removal, handler close): routes answer 404. */
    evicted = false;
    execution;
    init;
    timeoutMs;
    processExited = false;
    streamsOpen = 2;
    killRequested = false;
    exitFrameSent = false;
    stdinEnded = false;
    queue = [];
    queuedBytes = 0;
    outputPaused = false;
    /** After reaping, output is read and thrown away so the engine never stalls. */
    discardOutput = false;
    socket = null;
    pingTimer = null;
    idleTimer = null;
    graceTimer = null;
    /** Resolves once the process exited and its output was fully read. */
    done;
    resolveDone;
    constructor(execution, init) {
        this.execution = execution;
        this.id = execution.id;
        this.boxId = init.boxId;
        this.boxName = init.boxName;
        this.tty = init.tty;
        this.init = init;
        this.timeoutMs = init.timeoutSecs > 0 ? init.timeoutSecs * 1000 : 0;
        this.done = new Promise((resolve) => { this.resolveDone = resolve; });
        this.pump(execution.stdout, STDOUT);
        this.pump(execution.stderr, STDERR);
        // A write after the process is gone must surface as an error frame or be
        // ignored, never as an unhandled 'error' event that kills the server.
        execution.stdin.on('error', (err) => this.reportToSocket(`stdin: ${messageOf(err)}`));
        execution.wait().then((code) => this.onProcessExit(code, null), (err) => this.onProcessExit(-1, messageOf(err)));
        this.armIdleTimer();
    }
    get running() {
        return !this.processExited;
    }
    get attached() {
        return this.socket !== null;
    }
    /** Someone waits on this exec (status poll, signal...): it is not idle. */
    touch() {
        if (this.socket === null)
            this.armIdleTimer();
    }
    // ---- output -------------------------------------------------------------
    pump(stream, channel) {
        let ended = false;
        const end = () => {
            if (ended)
                return;
            ended = true;
            this.streamsOpen--;
            this.maybeFinish();
        };
        stream.on('data', (chunk) => this.onOutput(channel, chunk));
        stream.on('end', end);
        stream.on('close', end);
        stream.on('error', (err) => {
            this.init.onBackgroundError?.(err);
            end();
        });
    }
    onOutput(channel, chunk) {
        if (this.discardOutput)
            return;
        const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        if (data.length === 0)
            return;
        const frame = Buffer.allocUnsafe(data.length + 1);
        frame[0] = channel;
        data.copy(frame, 1);
        const ws = this.socket;
        if (ws !== null && this.queue.length === 0 && ws.readyState === ws.OPEN) {
            this.sendFrame(ws, frame);
            return;
        }
        this.queue.push(frame);
        this.queuedBytes += frame.length;
        if (this.queuedBytes >= this.init.timings.maxBufferedBytes)
            this.pauseOutput();
    }
    sendFrame(ws, frame) {
        ws.send(frame, { binary: true }, () => {
            if (this.outputPaused && this.socket === ws && ws.bufferedAmount < SOCKET_LOW_WATER)
                this.resumeOutput();
        });
        if (ws.bufferedAmount > SOCKET_HIGH_WATER)
            this.pauseOutput();
    }
    pauseOutput() {
        if (this.outputPaused)
            return;
        this.outputPaused = true;
        this.execution.stdout.pause();
        this.execution.stderr.pause();
    }
    resumeOutput() {
        if (!this.outputPaused)
            return;
        this.outputPaused = false;
        this.execution.stdout.resume();
        this.execution.stderr.resume();
    }
    flushQueue(ws) {
        const frames = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        for (const frame of frames)
            this.sendFrame(ws, frame);
        if (ws.bufferedAmount < SOCKET_HIGH_WATER)
            this.resumeOutput();
    }
    // ---- exit ---------------------------------------------------------------
    onProcessExit(code, failure) {
        if (this.processExited)
            return;
        this.processExited = true;
        this.endedAt = Date.now();
        this.exitCode = code;
        if (this.graceTimer) {
            clearTimeout(this.graceTimer);
            this.graceTimer = null;
        }
        const elapsed = this.endedAt - this.startedAt;
        if (failure !== null) {
            this.status = 'killed';
            this.errorMessage = failure;
        }
        else if (this.killRequested) {
            this.status = 'killed';
        }
        else if (this.timeoutMs > 0 && code !== 0 && elapsed >= this.timeoutMs - 50) {
            this.status = 'timed_out';
            this.errorMessage = `execution timed out after ${this.timeoutMs / 1000}s`;
        }
        else if (code === TORN_DOWN) {
            this.status = 'killed';
            this.errorMessage = 'execution was torn down before it exited';
        }
        else if (code < 0) {
            this.status = 'killed';
            this.errorMessage = `killed by signal ${-code}`;
        }
        else {
            this.status = 'completed';
        }
        this.maybeFinish();
    }
    maybeFinish() {
        if (!this.processExited || this.streamsOpen > 0)
            return;
        this.resolveDone();
        const ws = this.socket;
        if (ws !== null && this.queue.length === 0)
            this.sendExit(ws);
    }
    sendExit(ws) {
        if (ws.readyState !== ws.OPEN)
            return;
        this.exitFrameSent = true;
        ws.send(JSON.stringify({ type: 'exit', exit_code: this.exitCode ?? -1 }));
        ws.close(1000);
    }
    // ---- attach -------------------------------------------------------------
    /** Claims the single attach slot before the upgrade completes; false if taken. */
    reserveAttach() {
        if (this.socket !== null || this.attaching)
            return false;
        this.attaching = true;
        return true;
    }
    releaseAttach() {
        this.attaching = false;
    }
    attaching = false;
    attach(ws) {
        this.attaching = false;
        this.socket = ws;
        this.clearIdleTimer();
        // Say something at once: the official client treats 10 s of silence as
        // a dead socket, and a quiet command would otherwise trigger that.
        ws.ping();
        this.pingTimer = setInterval(() => {
            if (ws.readyState === ws.OPEN)
                ws.ping();
        }, this.init.timings.pingIntervalMs);
        this.pingTimer.unref();
        ws.on('message', (data, isBinary) => this.onClientFrame(data, isBinary));
        ws.on('close', () => this.detach(ws));
        ws.on('error', (err) => this.init.onBackgroundError?.(err));
        this.flushQueue(ws);
        if (this.processExited && this.streamsOpen === 0)
            this.sendExit(ws);
    }
    detach(ws) {
        if (this.socket !== ws)
            return;
        this.socket = null;
        if (this.pingTimer) {
            clearInterval(this.pingTimer);
            this.pingTimer = null;
        }
        if (!this.evicted && !this.reaped)
            this.armIdleTimer();
    }
    onClientFrame(data, isBinary) {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        if (isBinary) {
            this.writeStdin(bytes);
            return;
        }
        let msg;
        try {
            msg = JSON.parse(bytes.toString('utf8'));
        }
        catch {
            this.reportToSocket('control frame is not valid JSON');
            return;
        }
        if (!(0, validate_1.isPlainObject)(msg) || typeof msg.type !== 'string') {
            this.reportToSocket('control frame needs a string "type"');
            return;
        }
        try {
            switch (msg.type) {
                case 'stdin_eof':
                    this.closeStdin();
                    break;
                case 'resize': {
                    const { cols, rows } = (0, exec_request_1.checkResize)(msg, 'resize frame');
                    if (!this.tty)
                        throw new Error('invalid argument: resize needs an execution started with tty: true');
                    this.background(this.resize(cols, rows));
                    break;
                }
                case 'signal': {
                    const sig = (0, exec_request_1.checkSignal)(msg.sig ?? msg.signal);
                    this.background(this.signal(sig));
                    break;
                }
                default:
                    this.reportToSocket(`unknown control frame type ${JSON.stringify(msg.type)}`);
            }
        }
        catch (err) {
            this.reportToSocket(messageOf(err));
        }
    }
    background(p) {
        p.catch((err) => this.reportToSocket(messageOf(err)));
    }
    /** A non-fatal problem: an `error` text frame; the socket stays open. */
    reportToSocket(message) {
        const ws = this.socket;
        if (ws !== null && ws.readyState === ws.OPEN && !this.exitFrameSent) {
            ws.send(JSON.stringify({ type: 'error', message }));
        }
    }
    writeStdin(bytes) {
        if (this.stdinEnded || this.processExited) {
            this.reportToSocket('stdin is closed');
            return;
        }
        if (bytes.length === 0)
            return;
        const ok = this.execution.stdin.write(bytes);
        const ws = this.socket;
        // Hold further stdin frames until the engine took these (ws >= 8 can pause).
        if (!ok && ws !== null) {
            ws.pause();
            this.execution.stdin.once('drain', () => ws.resume());
        }
    }
    closeStdin() {
        if (this.stdinEnded)
            return;
        this.stdinEnded = true;
        this.execution.stdin.end();
    }
    // ---- control ------------------------------------------------------------
    async signal(sig) {
        await this.execution.signal(sig);
    }
    async resize(cols, rows) {
        await this.execution.resize(cols, rows);
    }
    /** SIGKILL (DELETE .../executions/{id}); the exit still reaches an attached socket. */
    async kill() {
        if (this.processExited)
            return;
        this.killRequested = true;
        await this.execution.kill();
    }
    /** Idle reaping: SIGHUP now, SIGKILL after the grace period, output discarded. */
    reap() {
        if (this.reaped)
            return;
        this.reaped = true;
        this.clearIdleTimer();
        this.discardOutput = true;
        this.queue = [];
        this.queuedBytes = 0;
        this.resumeOutput();
        if (this.processExited)
            return;
        this.execution.signal(SIGHUP).catch((err) => this.init.onBackgroundError?.(err));
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
    async evict() {
        await this.kill();
        this.markEvicted();
    }
    /** Gone from the API (its box was removed): no idle reaping any more. */
    markEvicted() {
        this.evicted = true;
        this.clearIdleTimer();
    }
    /** Handler shutdown: kill, drop the socket (1001 going away), stop every timer. */
    async shutdown() {
        this.evicted = true;
        this.discardOutput = true;
        this.queue = [];
        this.clearIdleTimer();
        if (this.graceTimer) {
            clearTimeout(this.graceTimer);
            this.graceTimer = null;
        }
        if (this.pingTimer) {
            clearInterval(this.pingTimer);
            this.pingTimer = null;
        }
        const ws = this.socket;
        this.socket = null;
        if (ws !== null)
            ws.close(1001, 'server shutting down');
        this.resumeOutput();
        try {
            await this.kill();
        }
        catch (err) {
            this.init.onBackgroundError?.(err);
        }
    }
    armIdleTimer() {
        if (this.evicted || this.reaped)
            return;
        if (this.idleTimer) {
            this.idleTimer.refresh();
            return;
        }
        this.idleTimer = setTimeout(() => {
            this.idleTimer = null;
            if (this.socket === null && !this.evicted)
                this.init.onIdle(this);
        }, this.init.timings.idleTimeoutMs);
        this.idleTimer.unref();
    }
    clearIdleTimer() {
        if (this.idleTimer) {
            clearTimeout(this.idleTimer);
            this.idleTimer = null;
        }
    }
    /** The OpenAPI `ExecutionInfo` for GET .../executions/{id}. */
    toJson() {
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
exports.ExecSession = ExecSession;
function messageOf(err) {
    return err instanceof Error ? err.message : String(err);
}
//# sourceMappingURL=exec-session.js.map