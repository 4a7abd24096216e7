// Memory bounded in aggregate and over time, on a real `serve --engine test`
// child (README "Limits and guarantees"): many executions nobody reads stay
// within the runtime-wide bounds (engine and session queues), spill has a
// runtime-wide cap, bursts read in full give their memory back (no climb from
// burst to burst), and a soak of mixed clients plateaus. Memory is what the
// server *retains* (forced GC + trim in the child, bench/stress/support/gc-hook.js),
// so the assertions hold on a busy machine. (Full scale: `npm run stress`.)
import { describe, expect, it } from 'vitest';
import { MIB, scenario } from './reliability-support';

interface AggregateRow {
  bytesWritten: number;
  bytesReceived: number;
  statuses: Record<string, number>;
  retainedGrowthMiB: number;
  retainedAfterMiB: number;
  heldMiB?: number;
  errorMessages?: string[];
  retainedAfterBurstMiB?: number[];
  plateau?: boolean;
}

const run = async (file: string, options: Record<string, unknown>) => {
  const row = await (scenario(file) as unknown as { run(o: Record<string, unknown>): Promise<AggregateRow> }).run(options);
  // The measured figures, so a CI log shows how close a run came to a bound.
  console.log(`${file}: ${JSON.stringify(row)}`);
  return row;
};

describe('aggregate bounds: many executions at once', () => {
  it('24 x 12 MB nobody reads, 16 MiB runtime-wide budgets: the server holds the budgets, not 24 windows; every byte delivered late', async () => {
    const row = await run('output-many-unread.js', {
      count: 24,
      each: 12 * 1000 * 1000,
      serverArgs: ['--max-runtime-buffered-output', '16M', '--limit', `maxBufferedOutputTotalBytes=${16 * MIB}`],
    });
    expect(row.statuses).toEqual({ completed: 24, 'exit 0': 24 });
    expect(row.bytesReceived).toBe(row.bytesWritten);
    // Per-execution bounds alone would allow 24 x (8 MiB window + 8 MiB
    // queue) = 384 MiB. Runtime-wide: 16 MiB in the engine (handed-over
    // blocks included) + 16 MiB of session queues + slack (measured: 40-50).
    expect(row.heldMiB).toBeLessThan(16 + 16 + 40);
    expect(row.retainedAfterMiB).toBeLessThan(16);
  }, 120_000);

  it('spill has a runtime-wide cap: past it an execution is killed, and says so', async () => {
    const row = await run('output-many-unread.js', {
      count: 6,
      each: 24 * 1000 * 1000,
      serverArgs: ['--max-runtime-spilled-output', '32M'],
    });
    expect(row.statuses.killed).toBeGreaterThan(0);
    expect(row.errorMessages!.some((m) => m.startsWith('resource exhausted: unread output of all executions exceeded the runtime-wide spill limit of 33554432 bytes'))).toBe(true);
    // What was kept is still delivered; the runtime-wide cap bounds it.
    expect(row.bytesReceived).toBeLessThanOrEqual(6 * 8 * MIB + 32 * MIB + 64 * MIB);
    expect(row.retainedAfterMiB).toBeLessThan(16);
  }, 120_000);
});

describe('memory given back when work ends', () => {
  it('3 bursts of 40 concurrent executions read in full: every byte, retained memory back near baseline after each, no climb', async () => {
    const row = await run('output-bursts.js', { scale: 1 / 10, gapMs: 500 });
    expect(Object.keys(row.statuses)).toEqual(['exit 0']);
    expect(row.bytesReceived).toBe(row.bytesWritten);
    // The sessions are still registered (the idle reaper has not run), so
    // this is what finished, fully read executions hold: nothing but their
    // bookkeeping (measured 2-8 MiB over baseline for all 120).
    for (const after of row.retainedAfterBurstMiB!) expect(after).toBeLessThan(20);
    const [first, , last] = row.retainedAfterBurstMiB!;
    expect(last - first).toBeLessThan(8);
  }, 120_000);

  it('soak: mixed normal and hostile clients for 20 s plateau (RSS, fds, spill, staging, slots)', async () => {
    const row = await run('soak-mixed-clients.js', { seconds: 20 });
    expect(row.plateau).toBe(true);
    expect(row.statuses['reader ok']).toBeGreaterThan(0);
    expect(Object.keys(row.statuses).filter((k) => k.includes('error') || k.includes('short'))).toEqual([]);
  }, 120_000);
});
