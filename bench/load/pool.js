// Runs `total` jobs with at most `concurrency` in flight; returns how long
// each job took (ms) and the wall time of the whole batch (s).
'use strict';

async function runPool(concurrency, total, job) {
  const durations = [];
  let next = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    while (next < total) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await job(i);
      durations.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { durations, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

module.exports = { runPool };
