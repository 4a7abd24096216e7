// What one handler reports besides answered requests: limit rejections and
// reaps, to the diagnostics channels (when subscribed) and to the handler's
// own OpenTelemetry recorder (when it has one). Messages are built only when
// someone will read them.
import {
  type ExecReapMessage, type LimitName, type LimitRejectionMessage, execReapChannel, limitRejectionChannel,
} from './channels';
import type { OpenTelemetryRecorder } from './opentelemetry';

/** Messages a handler's own recorder has counted: the global recorder skips them (no double counting). */
export const recordedByHandler = new WeakSet<object>();

export function makeRejectionReporter(recorder: OpenTelemetryRecorder | null): (limit: LimitName, max: number, current: number) => void {
  return (limit, max, current) => {
    if (recorder === null && !limitRejectionChannel.hasSubscribers) return;
    const message: LimitRejectionMessage = { limit, max, current };
    if (recorder !== null) {
      recordedByHandler.add(message);
      recorder.recordRejection(message);
    }
    if (limitRejectionChannel.hasSubscribers) limitRejectionChannel.publish(message);
  };
}

export function makeReapReporter(recorder: OpenTelemetryRecorder | null, idleTimeoutMs: number):
  (session: { boxId: string; id: string }) => void {
  return (session) => {
    if (recorder === null && !execReapChannel.hasSubscribers) return;
    const message: ExecReapMessage = { boxId: session.boxId, executionId: session.id, idleTimeoutMs };
    if (recorder !== null) {
      recordedByHandler.add(message);
      recorder.recordReap();
    }
    if (execReapChannel.hasSubscribers) execReapChannel.publish(message);
  };
}
