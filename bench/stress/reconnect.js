'use strict';
// A client that drops its WebSocket abruptly (terminate: no close frame, TCP
// torn down) five times while output streams, then reads to the end. Output
// the server had not yet written to the socket goes to the next attach; only
// what the kernel already took can be lost. The graceful variant (close())
// must lose nothing.
const { attach, startExec } = require('./support/server');
const { inServer, producer, MIB } = require('./support/scenario');
const { tcpBufferMaxima } = require('./support/proc');

exports.name = 'reconnect: 5 abrupt drops';

const DROPS = 5;

/** Largest loss the README promises per abrupt drop: what the kernel holds for one connection, plus one frame. */
function lossBoundPerDrop() {
  const { send, receive } = tcpBufferMaxima();
  return send + receive + MIB;
}

/** The server notices a dropped socket a moment later: until then the slot answers 409. */
async function attachWhenFree(origin, boxId, execId, options) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attach(origin, boxId, execId, options);
    } catch (err) {
      if (!/refused: 409/.test(err.message) || attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function reconnecting(origin, boxId, written, graceful) {
  const execId = await startExec(origin, boxId, ...producer(written));
  const slice = Math.floor(written / (DROPS + 2));
  let received = 0;
  let exitCode = null;
  for (let i = 0; i <= DROPS; i++) {
    const last = i === DROPS;
    const session = await attachWhenFree(origin, boxId, execId, {
      onOutput: (bytes, ws) => {
        if (!last && bytes >= slice && ws.readyState === ws.OPEN) {
          if (graceful) ws.close();
          else ws.terminate();
        }
      },
    });
    await session.closed;
    received += session.bytes;
    exitCode = session.exitCode;
    if (exitCode !== null) break;
  }
  return { received, exitCode };
}

exports.lossBoundPerDrop = lossBoundPerDrop;

exports.run = async function run({ scale = 1, serverArgs = [], graceful = false } = {}) {
  const written = Math.round(1024 * MIB * scale);
  return inServer(serverArgs, async ({ server, boxId }) => {
    const { received, exitCode } = await reconnecting(server.origin, boxId, written, graceful);
    return {
      scenario: graceful ? 'reconnect: 5 graceful closes' : exports.name,
      bytesWritten: written,
      bytesReceived: received,
      statuses: [`exit ${exitCode}`, `lost ${written - received} (bound ${DROPS * lossBoundPerDrop()})`],
      lossBound: graceful ? 0 : DROPS * lossBoundPerDrop(),
    };
  });
};
