// instrumentOpenTelemetry(): OpenTelemetry for every handler in the process,
// recorded from the diagnostics channels. The opt-in for applications that
// create handlers in several places (or through a framework) and want one
// switch; `openTelemetry: true` on a handler is the per-handler opt-in.
import diagnosticsChannel from 'node:diagnostics_channel';
import { CHANNEL_NAMES, type HttpResponseMessage, type LimitRejectionMessage } from './channels';
import { recordedByHandler } from './handler-events';
import { liveHandlers } from './live-handlers';
import { OpenTelemetryRecorder } from './opentelemetry';
import type { OpenTelemetryOptions } from './otel-options';
import { addParentCapture, parentOfMessage } from './trace-parents';

/**
 * Starts recording; returns the function that stops it. Handlers that record
 * for themselves (`openTelemetry` option) are not counted twice.
 * Throws a TypeError when @opentelemetry/api is not installed.
 */
export function instrumentOpenTelemetry(options: OpenTelemetryOptions = {}): () => void {
  const recorder = new OpenTelemetryRecorder(options, () => liveHandlers().filter((h) => !h.ownRecorder));
  const onResponse = (message: unknown) => {
    if (!recordedByHandler.has(message as object)) recorder.recordResponse(message as HttpResponseMessage, parentOfMessage(message as object));
  };
  const onRejection = (message: unknown) => {
    if (!recordedByHandler.has(message as object)) recorder.recordRejection(message as LimitRejectionMessage);
  };
  const onReap = (message: unknown) => {
    if (!recordedByHandler.has(message as object)) recorder.recordReap();
  };
  // Spans continue the request's trace: the handler captures it as the request arrives.
  const removeCapture = addParentCapture((req) => recorder.parentOf(req));
  diagnosticsChannel.subscribe(CHANNEL_NAMES.httpResponse, onResponse);
  diagnosticsChannel.subscribe(CHANNEL_NAMES.limitRejection, onRejection);
  diagnosticsChannel.subscribe(CHANNEL_NAMES.execReap, onReap);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    removeCapture();
    diagnosticsChannel.unsubscribe(CHANNEL_NAMES.httpResponse, onResponse);
    diagnosticsChannel.unsubscribe(CHANNEL_NAMES.limitRejection, onRejection);
    diagnosticsChannel.unsubscribe(CHANNEL_NAMES.execReap, onReap);
    recorder.close();
  };
}
