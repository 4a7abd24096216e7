// Boxes this handler looked up a moment ago, reused by the execution path.
//
// An execution over REST is POST .../exec then the WebSocket attach, and both
// name the box: looking it up each time is two engine round trips for
// `runtime.getBox` (the box, then its name) per request. A Box object stays
// valid across stop/start (it takes a fresh handle itself), so for a short
// while the one just found is reused. What that costs in freshness is small
// and stated: for `reuseMs` after a lookup (option boxReuseMs, default 2 s), a box removed behind this handler's
// back (by another process) is still taken as existing by the attach; an exec
// on it is sent to the engine, which refuses it, and the cached box is dropped
// and looked up again, so that exec answers exactly as a fresh lookup would.
// Removal through this handler forgets the box at once.
// Lookups of one name that overlap share one engine call: under load many
// requests for the same box arrive while the first lookup waits for the
// engine, and each asking again only lengthens the engine's queue.
import type { Box, Runtime } from '../../runtime/runtime-types';

/** How long a looked-up box is reused by default. */
export const DEFAULT_REUSE_MS = 2_000;
/** At most this many names/ids are remembered (a bound, not a working set). */
export const MAX_ENTRIES = 256;

interface Entry {
  box: Box;
  until: number;
}

export class RecentBoxes {
  readonly #runtime: Runtime;
  readonly #reuseMs: number;
  readonly #now: () => number;
  /** Keyed by what the URL said (id or name); insertion order is age order. */
  readonly #entries = new Map<string, Entry>();
  /** Lookups waiting for the engine, by what the URL said; at most one per key. */
  readonly #pending = new Map<string, Promise<Box>>();

  /** `reuseMs` 0: every call asks the runtime. */
  constructor(runtime: Runtime, reuseMs: number = DEFAULT_REUSE_MS, now: () => number = performance.now.bind(performance)) {
    this.#runtime = runtime;
    this.#reuseMs = reuseMs;
    this.#now = now;
  }

  /** The box named `idOrName`: a recent lookup's, else the runtime's (NotFoundError when missing). */
  async get(idOrName: string): Promise<{ box: Box; cached: boolean }> {
    const hit = this.#entries.get(idOrName);
    if (hit !== undefined) {
      if (hit.until > this.#now()) return { box: hit.box, cached: true };
      this.#entries.delete(idOrName);
    }
    if (this.#reuseMs === 0) return { box: await this.#runtime.getBox(idOrName), cached: false };
    let lookup = this.#pending.get(idOrName);
    if (lookup === undefined) {
      const started = this.#runtime.getBox(idOrName);
      lookup = started;
      this.#pending.set(idOrName, started);
      // Runs before the callers awaiting `started` resume, so they find it kept.
      started.then((box) => {
        if (this.#pending.get(idOrName) !== started) return; // forget() or clear() meanwhile: not kept
        this.#pending.delete(idOrName);
        if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
        this.#entries.set(idOrName, { box, until: this.#now() + this.#reuseMs });
      }, () => {
        if (this.#pending.get(idOrName) === started) this.#pending.delete(idOrName);
      });
    }
    return { box: await lookup, cached: false };
  }

  /** Forgets every entry for this box (by its id, whatever name the URL used), and lookups in flight. */
  forget(boxId: string): void {
    for (const [key, entry] of this.#entries) if (entry.box.id === boxId || key === boxId) this.#entries.delete(key);
    // A lookup in flight may be for this box under a name: later requests ask afresh.
    this.#pending.clear();
  }

  clear(): void {
    this.#entries.clear();
    this.#pending.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
