// How long a peer has been silent, counted in time this process could run.
//
// While this process cannot run (a long GC, a blocked event loop, SIGSTOP) it
// reads nothing: the peer's frames wait in the socket, and when the process
// runs again its overdue timers fire before that socket is read. That silence
// is this process's, not the peer's. So the watch checks at least every
// quarter of the timeout and counts silence only up to the time each check
// was due, never the time it ran late: a stall of any length counts as at
// most a quarter timeout (the part before the check it delayed). A peer that
// is really silent is given up once it has been silent for `timeoutMs` of
// this process's running time, i.e. `timeoutMs` after the last thing heard
// when this process runs normally (plus the lateness of its own timers).
// Used by both ends of an attach: the server watching its clients' pongs
// (lib/http/exec/attach.ts) and Runtime.rest() watching the server
// (lib/remote/attach-connection.ts).

export class SilenceWatch {
  readonly #timeoutMs: number;
  readonly #onSilent: () => void;
  /** Silence counted since the peer was last heard (ms of this process's running time). */
  #silentMs = 0;
  /** Up to when silence has been counted. */
  #countedUntil: number;
  /** When the pending check is due. */
  #due = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  /** Starts watching now: the peer has `timeoutMs` to be heard. */
  constructor(timeoutMs: number, onSilent: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#onSilent = onSilent;
    this.#countedUntil = performance.now();
    this.#schedule(this.#countedUntil);
  }

  /** The peer sent something: its silence starts again from zero. */
  heard(): void {
    this.#silentMs = 0;
    this.#countedUntil = performance.now();
  }

  /** Stops counting (the silence is this side's: it stopped reading) until resume(). */
  suspend(): void {
    this.#clear();
  }

  /** Counts again, from zero; nothing when not suspended or stopped. */
  resume(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.heard();
    this.#schedule(this.#countedUntil);
  }

  /** For good: onSilent is never called after this. */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(now: number): void {
    const delay = Math.min(this.#timeoutMs - this.#silentMs, this.#timeoutMs / 4);
    this.#due = now + delay;
    this.#timer = setTimeout(this.#check, delay);
    // The watch alone never keeps the process alive; the socket it watches does.
    this.#timer.unref();
  }

  readonly #check = (): void => {
    this.#timer = null;
    const now = performance.now();
    // Up to when this check was due, not when it ran: the lateness is ours.
    this.#silentMs += Math.max(0, Math.min(now, this.#due) - this.#countedUntil);
    this.#countedUntil = now;
    if (this.#silentMs >= this.#timeoutMs) {
      this.#stopped = true;
      this.#onSilent();
      return;
    }
    this.#schedule(now);
  };
}
