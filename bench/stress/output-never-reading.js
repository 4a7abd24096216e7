'use strict';
// A client attaches, then never reads its socket: the server's send buffer
// fills, its queue fills, the engine's streams pause, the rest spills; past
// the cap the command is killed. Then the client reads what was kept.
const { attach, startExec, waitForEnd } = require('./support/server');
const { inServer, producer, MIB } = require('./support/scenario');

exports.name = 'output: attached, never reading';

exports.run = async function run({ scale = 1, serverArgs = [] } = {}) {
  const written = Math.round(2048 * MIB * scale);
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const execId = await startExec(server.origin, boxId, 'sleep', ['0.3']);
    await waitForEnd(server.origin, boxId, execId);
    const stalled = await startExec(server.origin, boxId, ...producer(written));
    const session = await attach(server.origin, boxId, stalled);
    session.ws._socket.pause(); // never read: the kernel buffers fill
    const ended = await waitForEnd(server.origin, boxId, stalled);
    await holding(); // the client still reads nothing: everything kept is held now
    session.ws._socket.resume();
    await session.closed;
    return {
      scenario: exports.name,
      bytesWritten: written,
      bytesReceived: session.bytes,
      statuses: [ended.json.status, `exit ${session.exitCode}`],
      errorMessage: ended.json.error_message,
      errorFrames: session.control.filter((m) => m.type === 'error').map((m) => m.message),
    };
  });
};
