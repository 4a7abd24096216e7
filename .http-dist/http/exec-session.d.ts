import type { WebSocket } from 'ws';
import type { Execution } from '../runtime-types';
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
}
export interface ExecSessionInit {
    boxId: string;
    boxName: string | null;
    tty: boolean;
    /** 0 = no timeout. */
    timeoutSecs: number;
    timings: SessionTimings;
    /** Called when the idle timer fires (the registry reaps). */
    onIdle: (session: ExecSession) => void;
    /** Called for errors nobody is waiting for (socket or stream errors). */
    onBackgroundError?: (err: unknown) => void;
}
export declare class ExecSession {
    readonly id: string;
    readonly boxId: string;
    readonly boxName: string | null;
    readonly tty: boolean;
    readonly startedAt: number;
    endedAt: number | null;
    status: ExecStatus;
    exitCode: number | null;
    errorMessage: string | null;
    /** Reaped for idleness: routes answer 410. */
    reaped: boolean;
    /** Removed (DELETE, box removal, handler close): routes answer 404. */
    evicted: boolean;
    private readonly execution;
    private readonly init;
    private readonly timeoutMs;
    private processExited;
    private streamsOpen;
    private killRequested;
    private exitFrameSent;
    private stdinEnded;
    private queue;
    private queuedBytes;
    private outputPaused;
    /** After reaping, output is read and thrown away so the engine never stalls. */
    private discardOutput;
    private socket;
    private pingTimer;
    private idleTimer;
    private graceTimer;
    /** Resolves once the process exited and its output was fully read. */
    readonly done: Promise<void>;
    private resolveDone;
    constructor(execution: Execution, init: ExecSessionInit);
    get running(): boolean;
    get attached(): boolean;
    /** Someone waits on this exec (status poll, signal...): it is not idle. */
    touch(): void;
    private pump;
    private onOutput;
    private sendFrame;
    private pauseOutput;
    private resumeOutput;
    private flushQueue;
    private onProcessExit;
    private maybeFinish;
    private sendExit;
    /** Claims the single attach slot before the upgrade completes; false if taken. */
    reserveAttach(): boolean;
    releaseAttach(): void;
    private attaching;
    attach(ws: WebSocket): void;
    private detach;
    private onClientFrame;
    private background;
    /** A non-fatal problem: an `error` text frame; the socket stays open. */
    private reportToSocket;
    private writeStdin;
    private closeStdin;
    signal(sig: number): Promise<void>;
    resize(cols: number, rows: number): Promise<void>;
    /** SIGKILL (DELETE .../executions/{id}); the exit still reaches an attached socket. */
    kill(): Promise<void>;
    /** Idle reaping: SIGHUP now, SIGKILL after the grace period, output discarded. */
    reap(): void;
    /**
     * DELETE: kill if still running, then leave the API; an attached socket
     * still gets the exit frame. A failed kill leaves the session as it was.
     */
    evict(): Promise<void>;
    /** Gone from the API (its box was removed): no idle reaping any more. */
    markEvicted(): void;
    /** Handler shutdown: kill, drop the socket (1001 going away), stop every timer. */
    shutdown(): Promise<void>;
    private armIdleTimer;
    private clearIdleTimer;
    /** The OpenAPI `ExecutionInfo` for GET .../executions/{id}. */
    toJson(): Record<string, unknown>;
}
