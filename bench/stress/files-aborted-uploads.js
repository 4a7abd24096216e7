'use strict';
// 200 uploads cut off mid-entry (the client disconnects while the server
// writes a staging file), then one 413 and one good upload. The server's fds
// must come back to where they were, with no deleted-but-open file.
const { startServer, createBox, openFds, stagingDirs, waitFor } = require('./support/server-process');
const { abortedUpload, putTolerant, tarArchive, tarHeader } = require('./support/files-support');
const { measure } = require('./support/row');

const name = 'files: aborted uploads';
const MIB = 1 << 20;

async function run({ scale = 1 } = {}) {
  const uploads = Math.max(1, Math.round(200 * scale));
  const server = await startServer({ limits: { filesLimit: 64 * MIB } });
  try {
    const box = await createBox(server.origin);
    const url = (p) => `${server.origin}/v1/boxes/${box}/files?path=${p}`;
    const statuses = [];
    statuses.push((await putTolerant(url('/warm'), tarArchive([{ name: 'w', body: 'w' }]))).status);
    const m = measure(server, `${name} (${uploads})`);
    let bytesWritten = 0;
    for (let i = 0; i < uploads; i++) {
      await abortedUpload(server.origin, box, { pid: server.pid, announced: 32 * MIB, sendBytes: 4 * MIB });
      bytesWritten += 4 * MIB + 512;
      statuses.push('aborted');
    }
    const big = Buffer.concat([tarHeader('big', 80 * MIB), Buffer.alloc(80 * MIB)]);
    statuses.push((await putTolerant(url('/big'), big)).status);
    bytesWritten += big.length;
    statuses.push((await putTolerant(url('/ok'), tarArchive([{ name: 'ok', body: 'ok' }]))).status);
    await waitFor(() => openFds(server.pid).count <= m.fdsBefore + 3 && stagingDirs(server).length === 0, { timeoutMs: 10_000 });
    return m.finish({ statuses, bytesWritten, extra: { stagingLeft: stagingDirs(server).length } });
  } finally {
    await server.stop();
  }
}

module.exports = { name, run };
