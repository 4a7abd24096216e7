// The diagnostics_channel events this package publishes (documented in the
// README, "Operating it"). Publishing is free when nobody listens: every
// publisher checks `hasSubscribers` before it builds a message, so the cost
// of an unobserved event is one property read.
//
// Messages carry no request headers, bodies, tokens, command arguments or
// environment: only what an operator needs to count, time and correlate.
import diagnosticsChannel from 'node:diagnostics_channel';

export const CHANNEL_NAMES = {
  /** tracingChannel: start/end/asyncStart/asyncEnd/error around one execution (box.exec() to its exit). */
  exec: 'boxlite:exec',
  /** One message per answered HTTP request (and per WebSocket upgrade). */
  httpResponse: 'boxlite:http.response',
  /** A request refused by one of the handler's caps (429). */
  limitRejection: 'boxlite:limit.rejection',
  /** An execution reaped for idleness (nobody attached or polled). */
  execReap: 'boxlite:exec.reap',
  /** An execution whose unread output went to disk, published when it completes. */
  outputSpill: 'boxlite:output.spill',
} as const;

/** The context object of `tracingChannel('boxlite:exec')`: filled in as the execution goes. */
export interface ExecTraceContext {
  boxId: string;
  /** The program run (never its arguments or environment: they may hold secrets). */
  command: string;
  executionId: string;
  tty: boolean;
  /** Set at the end: the exit code (negative: killed by that signal number). */
  exitCode?: number;
  /** Set when the execution could not start or was ended by this package (output limit). */
  error?: unknown;
}

export interface HttpResponseMessage {
  requestId: string;
  method: string;
  /** The route template, e.g. '/v1/{prefix}/boxes/{box_id}/exec'; null when no route matched. */
  route: string | null;
  /** The answer's status; 101 for an accepted WebSocket upgrade. */
  status: number;
  /** BoxLite's error code from the envelope (e.g. 'resource_exhausted'), when the answer is an error. */
  errorCode: string | null;
  durationMs: number;
  /** true when the client went away before the answer was complete. */
  aborted: boolean;
}

export type LimitName = 'maxExecutions' | 'maxExecutionsPerBox' | 'maxBoxes' | 'maxAttachSockets' | 'maxFileTransfers';

export interface LimitRejectionMessage {
  /** The option whose cap was reached. */
  limit: LimitName;
  /** Its value. */
  max: number;
  /** What was held when the request came. */
  current: number;
}

export interface ExecReapMessage {
  boxId: string;
  executionId: string;
  /** How long nobody attached or polled (ms), the execIdleTimeoutMs in force. */
  idleTimeoutMs: number;
}

export interface OutputSpillMessage {
  boxId: string;
  executionId: string;
  /** Bytes of this execution's output that went to a spill file because nobody read them fast enough. */
  spilledBytes: number;
}

export const execTracing = diagnosticsChannel.tracingChannel<ExecTraceContext>(CHANNEL_NAMES.exec);
export const httpResponseChannel = diagnosticsChannel.channel(CHANNEL_NAMES.httpResponse);
export const limitRejectionChannel = diagnosticsChannel.channel(CHANNEL_NAMES.limitRejection);
export const execReapChannel = diagnosticsChannel.channel(CHANNEL_NAMES.execReap);
export const outputSpillChannel = diagnosticsChannel.channel(CHANNEL_NAMES.outputSpill);

/**
 * Whether anyone listens to the exec tracing channel. TracingChannel's own
 * `hasSubscribers` arrived in Node 20.13; the five channels answer on any 20.x.
 */
export function execTracingObserved(): boolean {
  return execTracing.start.hasSubscribers || execTracing.end.hasSubscribers || execTracing.asyncStart.hasSubscribers
    || execTracing.asyncEnd.hasSubscribers || execTracing.error.hasSubscribers;
}
