'use strict';
// A reader slower than the command (reads 50 ms, stalls 50 ms): nothing may
// be lost, memory stays bounded (the backlog spills), the exit comes last.
const { attach, startExec } = require('./support/server');
const { inServer, producer, MIB } = require('./support/scenario');

exports.name = 'output: slow reader';

exports.run = async function run({ scale = 1, serverArgs = [] } = {}) {
  const written = Math.round(1024 * MIB * scale);
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const execId = await startExec(server.origin, boxId, ...producer(written));
    let measured = null;
    const session = await attach(server.origin, boxId, execId, {
      // Halfway through, the backlog is what it is at its steady state.
      onOutput: (bytes) => { if (measured === null && bytes >= written / 2) measured = holding(); },
    });
    let paused = false;
    const toggle = setInterval(() => {
      paused = !paused;
      if (paused) session.ws._socket.pause();
      else session.ws._socket.resume();
    }, 50);
    await session.closed;
    clearInterval(toggle);
    if (measured !== null) await measured;
    return {
      scenario: exports.name,
      bytesWritten: written,
      bytesReceived: session.bytes,
      statuses: [`exit ${session.exitCode}`],
    };
  });
};
