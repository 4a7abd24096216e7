'use strict';
// A client streams 1 GiB (x scale) of stdin to a command that never reads
// it: the server accepts up to its stdin cap, then answers every further
// frame with an error frame; memory stays bounded.
const { attach, execUrl, request, startExec } = require('./support/server');
const { inServer, MIB } = require('./support/scenario');

exports.name = 'stdin: never read';

const FRAME = 1 * MIB;

exports.run = async function run({ scale = 1, serverArgs = [] } = {}) {
  const frames = Math.max(1, Math.round((1024 * scale * MIB) / FRAME));
  const written = frames * FRAME;
  return inServer(serverArgs, async ({ server, boxId, holding }) => {
    const execId = await startExec(server.origin, boxId, 'sleep', ['600']);
    const session = await attach(server.origin, boxId, execId);
    const payload = Buffer.alloc(FRAME, 0x61);
    for (let i = 0; i < frames; i++) {
      await new Promise((resolve, reject) => session.ws.send(payload, { binary: true }, (e) => (e ? reject(e) : resolve())));
      // Bounded client memory: wait while ws holds more than a few frames.
      while (session.ws.bufferedAmount > 4 * FRAME) await new Promise((r) => setTimeout(r, 5));
    }
    // Every frame gets its answer: the first refusal, then one per frame.
    const expectRefusals = async () => {
      for (let i = 0; i < 200; i++) {
        const refusedSoFar = session.control.filter((m) => m.type === 'error').length;
        const accepted = acceptedOf(session.control);
        if (accepted !== null && accepted + refusedSoFar * FRAME >= written) return;
        if (accepted === null && i > 20) return; // nothing refused (cap not reached)
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await expectRefusals();
    await holding(); // the accepted stdin is queued, the rest refused
    const status = (await request(execUrl(server.origin, boxId, execId))).json.status;
    await request(execUrl(server.origin, boxId, execId), { method: 'DELETE' });
    await session.closed;
    const accepted = acceptedOf(session.control);
    return {
      scenario: exports.name,
      bytesWritten: written,
      bytesReceived: accepted ?? written,
      statuses: [status, `${session.control.filter((m) => m.type === 'error').length} error frames`],
      errorFrames: session.control.filter((m) => m.type === 'error').slice(0, 2).map((m) => m.message),
    };
  });
};

/** Bytes the server accepted, from its first refusal ("... N accepted)"), or null. */
function acceptedOf(control) {
  for (const m of control) {
    const match = m.type === 'error' && /; (\d+) accepted\)/.exec(m.message);
    if (match) return Number(match[1]);
  }
  return null;
}
