'use strict';
// Many executions at once whose output nobody reads (40 x 24 MB at full
// scale): the runtime-wide memory bound must hold for all of them together
// (native windows, per-stream buffers, the server's session queues), the rest
// spills to disk within the runtime-wide spill cap, and a late attach still
// gets every byte of each.
const { attach, startExec, waitForEnd, createBox } = require('./support/server');
const { inServer, producer } = require('./support/scenario');
const { countStatuses } = require('./support/server-process');

exports.name = 'output: many executions nobody reads';

/** Executions per box stay under the default per-box cap (64). */
const PER_BOX = 32;

exports.run = async function run({ scale = 1, serverArgs = [], count: n, each: size } = {}) {
  const count = n ?? Math.max(2, Math.round(40 * Math.min(1, scale * 8)));
  const each = size ?? Math.round(24 * 1000 * 1000 * Math.min(1, scale * 4));
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const boxes = [boxId];
    while (boxes.length * PER_BOX < count) boxes.push(await createBox(server.origin));
    const ids = await Promise.all(Array.from({ length: count }, (_, i) => startExec(server.origin, boxes[i % boxes.length], ...producer(each))
      .then((id) => ({ id, box: boxes[i % boxes.length] }))));
    const ended = [];
    const errors = [];
    for (const { id, box } of ids) {
      const end = (await waitForEnd(server.origin, box, id)).json;
      ended.push(end.status);
      if (end.error_message) errors.push(end.error_message);
    }
    const heldMiB = Math.round((await holding()) / (1 << 20)); // every execution's output is held now
    let received = 0;
    const exits = [];
    for (const { id, box } of ids) {
      const late = await attach(server.origin, box, id);
      await late.closed;
      received += late.bytes;
      exits.push(`exit ${late.exitCode}`);
    }
    return {
      scenario: exports.name,
      bytesWritten: count * each,
      bytesReceived: received,
      statuses: countStatuses([...ended, ...exits]),
      executions: count,
      heldMiB,
      errorMessages: [...new Set(errors)],
    };
  });
};
