// Rate-limited log lines. A client that sends protocol violations or
// cross-origin requests in a loop must not be able to flood stderr (or the
// disk behind it): per category, the first `burst` lines of a window are
// written, the rest are counted and summed up in one line when the window
// ends. Memory is bounded by the number of categories, which are fixed
// strings chosen by this code, never by a client.
export interface RateLimitedLog {
  (category: string, line: string): void;
  /** Writes pending summaries and stops the timer. */
  close(): void;
}

export interface RateLimitOptions {
  /** Lines written per category per window (default 5). */
  burst?: number;
  /** Window length in ms (default 10 s). */
  windowMs?: number;
}

export function rateLimitedLog(write: (line: string) => void, options: RateLimitOptions = {}): RateLimitedLog {
  const burst = options.burst ?? 5;
  const windowMs = options.windowMs ?? 10_000;
  const written = new Map<string, number>();
  const suppressed = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const safeWrite = (line: string) => {
    try { write(line); } catch { /* a broken logger must not break serving */ }
  };
  const flush = () => {
    timer = undefined;
    for (const [category, count] of suppressed) {
      safeWrite(`${count} more ${category} event(s) in the last ${Math.round(windowMs / 1000)} s were not logged (rate limit)`);
    }
    written.clear();
    suppressed.clear();
  };
  const log = ((category: string, line: string) => {
    if (timer === undefined) {
      timer = setTimeout(flush, windowMs);
      timer.unref(); // a quiet server must still be able to exit
    }
    const n = written.get(category) ?? 0;
    if (n < burst) {
      written.set(category, n + 1);
      safeWrite(line);
    } else {
      suppressed.set(category, (suppressed.get(category) ?? 0) + 1);
    }
  }) as RateLimitedLog;
  log.close = () => {
    if (timer !== undefined) clearTimeout(timer);
    flush();
  };
  return log;
}
