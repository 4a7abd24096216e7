// tracingChannel('boxlite:exec') around one execution, from box.exec() to
// the process's exit, with the events a TracingChannel subscriber expects
// from a promise-returning call (as tracePromise publishes them):
//   start      box.exec() called (the context has boxId, command, executionId)
//   end        box.exec() returned its promise (synchronous part done)
//   error      the execution could not start, or this package ended it (output limit)
//   asyncStart, asyncEnd
//              the execution is over: `exitCode` set (or `error` when it never started)
// `start` runs the subscribers' bound stores (AsyncLocalStorage), so a tracer
// can make its span current for everything the exec call does.
import { randomUUID } from 'node:crypto';
import { ResourceExhaustedError } from '../errors/errors';
import { type ExecTraceContext, execTracing } from './channels';

/** What the trace needs of a started execution (kept structural: runtime.ts imports this file). */
export interface TracedExecution {
  exited(): Promise<number>;
  /** Why this package ended the execution (output limit), else null. */
  readonly endReason: string | null;
}

function finish(ctx: ExecTraceContext): void {
  execTracing.asyncStart.publish(ctx);
  execTracing.asyncEnd.publish(ctx);
}

/**
 * Runs `start(executionId)` under the exec tracing channel. Call only when
 * someone listens (execTracingObserved()): unobserved executions skip this
 * entirely.
 */
export function traceExecution<E extends TracedExecution>(boxId: string, command: string, tty: boolean,
  start: (executionId: string) => Promise<E>): Promise<E> {
  const ctx: ExecTraceContext = { boxId, command, executionId: randomUUID(), tty };
  let started: Promise<E>;
  try {
    started = execTracing.start.runStores(ctx, () => start(ctx.executionId));
  } finally {
    execTracing.end.publish(ctx);
  }
  started.then((execution) => {
    execution.exited().then((exitCode) => {
      ctx.exitCode = exitCode;
      if (execution.endReason !== null) {
        ctx.error = new ResourceExhaustedError(execution.endReason);
        execTracing.error.publish(ctx);
      }
      finish(ctx);
    }, () => undefined); // exited() never rejects; nothing to report if it ever did
  }, (err: unknown) => {
    ctx.error = err;
    execTracing.error.publish(ctx);
    finish(ctx);
  });
  return started;
}
