'use strict';
// Bursts of concurrent executions read in full (3 bursts of 100 x 4 MiB,
// 8 s apart, at full scale): every byte is delivered, the server's peak
// growth stays bounded, and memory is given back after each burst: what it
// retains after a burst (forced GC + trim in the child) does not climb from
// one burst to the next.
const { attach, createBox, startExec } = require('./support/server');
const { inServer, producer, MIB } = require('./support/scenario');
const { memoryOf } = require('./support/proc');

exports.name = 'output: bursts read in full';

/** Executions per box stay under the default per-box cap (64). */
const PER_BOX = 50;

exports.run = async function run({ scale = 1, serverArgs = [], bursts = 3, gapMs } = {}) {
  const concurrency = Math.max(4, Math.round(100 * Math.min(1, scale * 4)));
  const each = Math.max(64 * 1024, Math.round(4 * MIB * Math.min(1, scale * 4)));
  const gap = gapMs ?? (scale >= 1 ? 8_000 : 1_000);
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const boxes = [boxId];
    while (boxes.length * PER_BOX < concurrency) boxes.push(await createBox(server.origin));
    const retainedAfterBurstMiB = [];
    const rssAfterBurstMiB = [];
    const statuses = [];
    let written = 0;
    let received = 0;
    for (let b = 0; b < bursts; b++) {
      const runs = Array.from({ length: concurrency }, async (_, i) => {
        const box = boxes[i % boxes.length];
        const id = await startExec(server.origin, box, ...producer(each));
        const session = await attach(server.origin, box, id);
        await session.closed;
        received += session.bytes;
        statuses.push(`exit ${session.exitCode}`);
      });
      written += concurrency * each;
      await Promise.all(runs);
      rssAfterBurstMiB.push(Math.round(memoryOf(server.pid).rss / MIB));
      retainedAfterBurstMiB.push(Math.round((await holding()) / MIB));
      if (b < bursts - 1) await new Promise((r) => setTimeout(r, gap));
    }
    const tally = {};
    for (const s of statuses) tally[s] = (tally[s] || 0) + 1;
    return {
      scenario: exports.name,
      bytesWritten: written,
      bytesReceived: received,
      statuses: tally,
      concurrency,
      bytesEach: each,
      rssAfterBurstMiB,
      retainedAfterBurstMiB,
    };
  });
};
