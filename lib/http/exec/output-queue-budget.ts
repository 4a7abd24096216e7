// The server's unread-output queues, all sessions together: each session
// keeps at most `maxBufferedOutputBytes` of frames nobody has taken yet, and
// all of them together at most `maxBufferedOutputTotalBytes`. Past either, the
// session pauses its execution's streams: the output stays in the engine,
// which holds it within its own runtime-wide memory budget and spills the
// rest (README "Limits and guarantees"). Without the shared bound, 40
// executions nobody read held 40 x 8 MiB of queued frames.
export class OutputQueueBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  /** At or past the limit: sessions stop pulling output into their queues. */
  get full(): boolean {
    return this.used >= this.limit;
  }

  add(bytes: number): void {
    this.used += bytes;
  }

  remove(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
