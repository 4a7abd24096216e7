// The handlers alive in this process, for process-wide gauges (global
// OpenTelemetry instrumentation): each handler registers itself when created
// and leaves on close(). Held weakly, so a handler dropped without close()
// does not stay alive for the sake of a gauge.
import type { Runtime } from '../runtime/runtime-types';

/** What one handler holds right now (its caps' counters). */
export interface HandlerUsage {
  /** Executions started through the handler and still running. */
  executionsRunning: number;
  /** WebSockets attached to executions. */
  attachSockets: number;
  /** File uploads and downloads in progress. */
  fileTransfers: number;
}

export interface ObservedHandler {
  usage(): HandlerUsage;
  readonly runtime: Runtime;
  /** true when the handler records with its own OpenTelemetry recorder (the global one leaves it out). */
  readonly ownRecorder: boolean;
}

const live = new Set<WeakRef<ObservedHandler>>();
const refs = new WeakMap<ObservedHandler, WeakRef<ObservedHandler>>();

export function registerHandler(handler: ObservedHandler): void {
  const ref = new WeakRef(handler);
  refs.set(handler, ref);
  live.add(ref);
}

export function unregisterHandler(handler: ObservedHandler): void {
  const ref = refs.get(handler);
  if (ref !== undefined) live.delete(ref);
}

/** The live handlers (dropping the ones collected since). */
export function liveHandlers(): ObservedHandler[] {
  const out: ObservedHandler[] = [];
  for (const ref of live) {
    const h = ref.deref();
    if (h === undefined) live.delete(ref);
    else out.push(h);
  }
  return out;
}

/** Totals over `handlers`. */
export function totalUsage(handlers: readonly ObservedHandler[]): HandlerUsage {
  const total: HandlerUsage = { executionsRunning: 0, attachSockets: 0, fileTransfers: 0 };
  for (const h of handlers) {
    const u = h.usage();
    total.executionsRunning += u.executionsRunning;
    total.attachSockets += u.attachSockets;
    total.fileTransfers += u.fileTransfers;
  }
  return total;
}

/** Boxes in the runtimes behind `handlers` (each runtime counted once); runtimes that fail to answer count 0. */
export async function countBoxes(handlers: readonly ObservedHandler[]): Promise<number> {
  const runtimes = new Set(handlers.map((h) => h.runtime).filter((r) => !r.closed));
  const counts = await Promise.all([...runtimes].map((r) => r.listBoxes().then((boxes) => boxes.length, () => 0)));
  return counts.reduce((a, b) => a + b, 0);
}
