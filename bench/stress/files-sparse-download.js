'use strict';
// GET of a 2 GiB sparse file with the default limits (maxDownloadStagingBytes
// = filesLimit = 1 GiB): the engine's copy into staging is cut off near the
// budget (413) instead of staging 2 GiB; then a 256 MiB file under the budget
// streams whole, and staging is gone afterwards.
const fs = require('node:fs');
const path = require('node:path');
const { startServer, createBox, stagingBytes, stagingDirs, waitFor } = require('./support/server-process');
const { streamedDownload } = require('./support/files-support');
const { measure } = require('./support/row');

const name = 'files: sparse download';
const MIB = 1 << 20;

async function run({ scale = 1 } = {}) {
  const sparseBytes = Math.max(64 * MIB, Math.round(2048 * MIB * scale));
  const budget = Math.max(16 * MIB, Math.round(1024 * MIB * scale));
  const server = await startServer({ limits: { maxDownloadStagingBytes: budget } });
  try {
    const box = await createBox(server.origin);
    const root = path.join(server.home, 'boxes', box, 'rootfs');
    const fd = fs.openSync(path.join(root, 'sparse.img'), 'w');
    fs.ftruncateSync(fd, sparseBytes);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(root, 'ok.bin'), Buffer.alloc(Math.round(budget / 4), 1));
    const m = measure(server, `${name} (${sparseBytes / MIB} MiB sparse, budget ${budget / MIB} MiB)`);
    let peakStaged = 0;
    let stagedAtFirstByte = -1;
    const poll = setInterval(() => { peakStaged = Math.max(peakStaged, stagingBytes(server)); }, 5);
    const refused = await streamedDownload(server.origin, box, '/sparse.img');
    const ok = await streamedDownload(server.origin, box, '/ok.bin', { onFirstByte: () => { stagedAtFirstByte = stagingBytes(server); } });
    clearInterval(poll);
    await waitFor(() => stagingDirs(server).length === 0);
    return m.finish({
      statuses: [refused.status, ok.status],
      bytesReceived: refused.bytes + ok.bytes,
      extra: { peakStagedMiB: +(peakStaged / MIB).toFixed(1), stagedAtFirstByteMiB: +(stagedAtFirstByte / MIB).toFixed(1), stagingLeft: stagingDirs(server).length },
    });
  } finally {
    await server.stop();
  }
}

module.exports = { name, run };
