// The trace context a request arrived in, for process-wide OpenTelemetry
// recording (instrumentOpenTelemetry). That recorder reads the
// `boxlite:http.response` channel, whose messages carry no headers (nothing a
// subscriber could leak) and are published when the answer ends, long after
// the context the request ran in is gone. So while such a recorder is on, the
// handler captures the parent when the request arrives and keeps it beside
// the message, out of the message itself: only the recorder reads it.
import type { IncomingMessage } from 'node:http';

type Capture = (req: IncomingMessage) => unknown;

/** One per running instrumentOpenTelemetry(): any of them captures the same context (the global API's). */
const captures = new Set<Capture>();
const parents = new WeakMap<object, unknown>();

/** Registers a capture while a process-wide recorder runs; returns its removal. */
export function addParentCapture(capture: Capture): () => void {
  captures.add(capture);
  return () => { captures.delete(capture); };
}

/** Whether a process-wide recorder wants parents (one Set size read per request otherwise). */
export function parentsWanted(): boolean {
  return captures.size > 0;
}

/** The parent for `req`, captured now (as it arrives), or undefined when nobody wants it. */
export function captureParent(req: IncomingMessage): unknown {
  for (const capture of captures) {
    try {
      return capture(req);
    } catch {
      return undefined; // a broken propagator must not break serving: the span becomes a root
    }
  }
  return undefined;
}

/** Keeps `parent` for `message` (a channel message about to be published). */
export function rememberParent(message: object, parent: unknown): void {
  if (parent !== undefined) parents.set(message, parent);
}

/** The parent kept for `message`, if any. */
export function parentOfMessage(message: object): unknown {
  return parents.get(message);
}
