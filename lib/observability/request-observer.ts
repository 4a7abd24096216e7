// One `boxlite:http.response` message per answered request: what the access
// log, the request-duration histogram and server spans are made of. A
// handler observes a request only when someone listens (a channel
// subscriber, or its own OpenTelemetry recorder); otherwise it does nothing
// here at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrefixPolicy } from '../http/routing/prefix';
import { type HttpResponseMessage, httpResponseChannel } from './channels';
import { routeTemplate } from './route-template';
import { captureParent, parentsWanted, rememberParent } from './trace-parents';

const ERROR_CODE = Symbol('boxlite.errorCode');
type Marked = ServerResponse & { [ERROR_CODE]?: string };

/**
 * Called where an error envelope is written (respond.ts): its code, for the
 * message. An Idempotency-Key replay passes on the code its original noted
 * (null for a success), so a replay is observed like the answer it repeats.
 */
export function noteErrorCode(res: ServerResponse, code: string | null): void {
  (res as Marked)[ERROR_CODE] = code ?? undefined;
}

/** The code noted on `res`, or null when its answer is no error envelope. */
export function errorCodeOf(res: ServerResponse): string | null {
  return (res as Marked)[ERROR_CODE] ?? null;
}

/** Gets every message of a handler; `parent` is what `parentOf` captured when the request arrived. */
export type ResponseSink = (message: HttpResponseMessage, parent: unknown) => void;

export interface LocalRecorder {
  record: ResponseSink;
  /** Called as the request arrives (e.g. the trace context to continue). */
  parentOf(req: IncomingMessage): unknown;
}

export interface UpgradeObservation {
  /** The upgrade was answered: 101 when accepted, else the refusal's status and code. */
  answered(status: number, errorCode: string | null): void;
}

export class RequestObserver {
  readonly #policy: PrefixPolicy;
  readonly #local: LocalRecorder | null;

  /** `local` gets every message of this handler whether or not the channel has subscribers (its OpenTelemetry recorder). */
  constructor(policy: PrefixPolicy, local: LocalRecorder | null) {
    this.#policy = policy;
    this.#local = local;
  }

  /** Whether requests are observed now (checked per request: subscribers come and go). */
  get active(): boolean {
    return this.#local !== null || httpResponseChannel.hasSubscribers;
  }

  /** Times `res` from now to its close. `afterV1`: the path after /v1/, or null outside /v1. */
  observe(req: IncomingMessage, res: ServerResponse, requestId: string, afterV1: string | null): void {
    const startedAt = performance.now();
    const parent = this.#parentOf(req);
    res.once('close', () => {
      this.#publish(parent, {
        requestId,
        method: req.method ?? 'GET',
        route: afterV1 === null ? null : routeTemplate(afterV1, this.#policy),
        status: res.statusCode,
        errorCode: errorCodeOf(res),
        durationMs: performance.now() - startedAt,
        aborted: !res.writableFinished,
      });
    });
  }

  /** A WebSocket upgrade has no response object: the handler says when and how it was answered. */
  observeUpgrade(req: IncomingMessage, requestId: string, afterV1: string): UpgradeObservation {
    const startedAt = performance.now();
    const parent = this.#parentOf(req);
    let done = false;
    return {
      answered: (status, errorCode) => {
        if (done) return;
        done = true;
        this.#publish(parent, {
          requestId,
          method: req.method ?? 'GET',
          route: routeTemplate(afterV1, this.#policy),
          status,
          errorCode,
          durationMs: performance.now() - startedAt,
          aborted: false,
        });
      },
    };
  }

  /**
   * The trace context to continue, captured as the request arrives: for this
   * handler's own recorder, else for a process-wide one (trace-parents.ts).
   */
  #parentOf(req: IncomingMessage): unknown {
    if (this.#local !== null) return this.#local.parentOf(req);
    return parentsWanted() ? captureParent(req) : undefined;
  }

  #publish(parent: unknown, message: HttpResponseMessage): void {
    if (this.#local !== null) {
      try { this.#local.record(message, parent); } catch { /* a recorder must not break serving */ }
    } else {
      rememberParent(message, parent);
    }
    if (httpResponseChannel.hasSubscribers) httpResponseChannel.publish(message);
  }
}
