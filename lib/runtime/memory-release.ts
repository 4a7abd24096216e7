// After executions end, ask the addon to give freed memory back to the OS
// (malloc_trim on the libuv pool; src/memory_release.h says why glibc keeps
// it otherwise). An execution's native buffers are freed when it completes,
// but the Buffers its output was copied into are freed by whichever garbage
// collection comes next. So a trim follows the completion (RELEASE_DELAY_MS
// later, trailing: a burst costs one trim), and every garbage collection
// during the WATCH_GC_MS after the last completion. Never more than one per
// RELEASE_DELAY_MS; the timer is unref'd and the GC observer only listens
// while completions are recent, so an idle process pays nothing and is kept
// alive by nothing.
import { PerformanceObserver } from 'node:perf_hooks';
import { loadAddon } from './native';

/** Least time between two trims (ms). */
const RELEASE_DELAY_MS = 1_000;
/** How long after the last completion a garbage collection still triggers a trim (ms). */
const WATCH_GC_MS = 30_000;

let timer: NodeJS.Timeout | null = null;
let lastTrim = 0;
let watchUntil = 0;
let observer: PerformanceObserver | null = null;

function trim(): void {
  lastTrim = Date.now();
  loadAddon().releaseFreedMemory().catch(() => {
    // nothing to report: a trim that did not run only leaves memory cached
  });
}

function arm(delayMs: number): void {
  if (timer !== null) return;
  timer = setTimeout(() => {
    timer = null;
    trim();
  }, delayMs);
  timer.unref();
}

function onGc(): void {
  const now = Date.now();
  if (now > watchUntil) {
    observer?.disconnect();
    observer = null;
    return;
  }
  arm(Math.max(0, lastTrim + RELEASE_DELAY_MS - now));
}

/** An execution completed: its memory is (or is about to be) free. */
export function scheduleMemoryRelease(): void {
  arm(RELEASE_DELAY_MS);
  watchUntil = Date.now() + WATCH_GC_MS;
  if (observer === null) {
    observer = new PerformanceObserver(onGc);
    observer.observe({ entryTypes: ['gc'] });
  }
}
