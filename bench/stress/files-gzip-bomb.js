'use strict';
// A gzip'd tar of 1 GiB of zeros (~4.7 MB on the wire, 230:1, under node-tar's
// own 1000:1 refusal) against maxExtractedBytes=256 MiB: refused with 413
// from the entry's header, before its bytes are written.
const { startServer, createBox, openFds, stagingBytes, stagingDirs, waitFor } = require('./support/server-process');
const { gzipBomb, putTolerant } = require('./support/files-support');
const { measure } = require('./support/row');

const name = 'files: gzip bomb';
const MIB = 1 << 20;

async function run({ scale = 1 } = {}) {
  const expands = Math.max(64 * MIB, Math.round(1024 * MIB * scale));
  const server = await startServer({ limits: { maxExtractedBytes: 256 * MIB } });
  try {
    const box = await createBox(server.origin);
    const bomb = await gzipBomb(expands);
    const m = measure(server, `${name} (${bomb.length} B -> ${expands / MIB} MiB)`);
    let peakStaged = 0;
    const poll = setInterval(() => { peakStaged = Math.max(peakStaged, stagingBytes(server)); }, 5);
    const r = await putTolerant(`${server.origin}/v1/boxes/${box}/files?path=/bomb`, bomb);
    clearInterval(poll);
    // The connection closes just after the answer: give it a moment (bounded).
    await waitFor(() => openFds(server.pid).count <= m.fdsBefore, { timeoutMs: 5_000 });
    return m.finish({ statuses: [r.status], bytesWritten: bomb.length, extra: { peakStagedMiB: +(peakStaged / MIB).toFixed(1), stagingLeft: stagingDirs(server).length } });
  } finally {
    await server.stop();
  }
}

module.exports = { name, run };
