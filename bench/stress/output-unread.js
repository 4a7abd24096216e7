'use strict';
// Output nobody is attached to: the command prints 2 GiB (x scale) and exits;
// the server must hold it within its limits (memory window + spill file, then
// kill with a reason), and a late attach gets every byte it kept.
const { attach, execUrl, request, startExec, waitForEnd } = require('./support/server');
const { inServer, producer, MIB } = require('./support/scenario');

exports.name = 'output: nobody attached';

exports.run = async function run({ scale = 1, serverArgs = [] } = {}) {
  const written = Math.round(2048 * MIB * scale);
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const execId = await startExec(server.origin, boxId, ...producer(written));
    const ended = await waitForEnd(server.origin, boxId, execId);
    await holding(); // everything the command wrote is held now
    const late = await attach(server.origin, boxId, execId);
    await late.closed;
    const after = await request(execUrl(server.origin, boxId, execId));
    return {
      scenario: exports.name,
      bytesWritten: written,
      bytesReceived: late.bytes,
      statuses: [ended.json.status, `exit ${late.exitCode}`],
      errorMessage: after.json.error_message,
      errorFrames: late.control.filter((m) => m.type === 'error').map((m) => m.message),
    };
  });
};
