'use strict';
// The frame every scenario runs in: a fresh server child, one box, a warm-up
// execution (so the baseline includes the runtime's first-use allocations),
// RSS sampled throughout, descriptors counted before and after.
const { descriptorsOf, memoryOf, sampleRss } = require('./proc');
const { attach, createBox, startExec, startServer, waitForEnd } = require('./server');

const MIB = 1024 * 1024;

/** A shell command printing exactly `bytes` bytes of text. */
function producer(bytes) {
  return ['sh', ['-c', `yes 'boxlite-native stress line 0123456789abcdefghijklmnopqrstuvwxyz' | head -c ${bytes}`]];
}

/** Waits until `fn()` is true or `ms` passed; returns the last value. */
async function settle(fn, ms = 5000) {
  const deadline = Date.now() + ms;
  let value = fn();
  while (!value && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = fn();
  }
  return value;
}

/**
 * Runs `body({ server, boxId, holding })` in a fresh server; returns the row
 * fields it measures:
 *  - peakRssMiB / rssGrowthMiB: sampled RSS (absolute, and over the warmed-up
 *    baseline). Informational: a peak depends on when V8 got to collect, so
 *    on a busy machine it says as much about the scheduler as about us.
 *  - retainedGrowthMiB: what the server holds, after a forced full GC in the
 *    child, at the moments the body calls `await holding()` (the points where
 *    the scenario's data is at its largest), over the same measure taken
 *    after the warm-up. This is what the limits bound, and it does not move
 *    with machine load.
 *  - retainedAfterMiB: the same measure once the body is done (work over,
 *    every byte delivered): memory given back, or not.
 */
async function inServer(serverArgs, body) {
  const server = await startServer(serverArgs);
  try {
    const boxId = await createBox(server.origin);
    const warm = await startExec(server.origin, boxId, ...producer(64 * 1024));
    const session = await attach(server.origin, boxId, warm);
    await session.closed;
    await waitForEnd(server.origin, boxId, warm);
    const fdsBefore = descriptorsOf(server.pid).count;
    const retainedBase = (await server.retained()).rss;
    const baseline = memoryOf(server.pid).rss;
    const sampler = sampleRss(server.pid);
    let retainedMax = retainedBase;
    const holding = async () => {
      const now = (await server.retained()).rss;
      retainedMax = Math.max(retainedMax, now);
      return now - retainedBase;
    };
    let result;
    try {
      result = await body({ server, boxId, holding });
    } finally {
      var peak = sampler.stop();
    }
    // Descriptors of a finished execution are released asynchronously
    // (execution_free runs on the pool): give that a moment.
    const fdsAfter = await settle(() => descriptorsOf(server.pid).count <= fdsBefore)
      ? descriptorsOf(server.pid).count : descriptorsOf(server.pid).count;
    const { deleted } = descriptorsOf(server.pid);
    const retainedAfter = (await server.retained()).rss;
    return {
      peakRssMiB: Math.round(peak / MIB),
      rssGrowthMiB: Math.round((peak - baseline) / MIB),
      retainedGrowthMiB: Math.round((retainedMax - retainedBase) / MIB),
      retainedAfterMiB: Math.round((retainedAfter - retainedBase) / MIB),
      fdsBefore,
      fdsAfter,
      deletedOpenFiles: deleted,
      ...result,
    };
  } finally {
    await server.stop();
  }
}

module.exports = { inServer, producer, settle, MIB };
