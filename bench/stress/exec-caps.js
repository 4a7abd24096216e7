'use strict';
// 2000 never-ending executions against the default caps (512 per server, 64
// per box, lowered when RLIMIT_NOFILE is low): every answer is 201 or 429,
// never 500, the server keeps answering other requests, and killing them all
// gives the descriptors back.
const { startServer, createBox, openFds, request, waitFor } = require('./support/server-process');
const { measure } = require('./support/row');

const name = 'exec: never-ending executions vs caps';

async function run({ scale = 1 } = {}) {
  const attempts = Math.max(1, Math.round(2000 * scale));
  const server = await startServer();
  try {
    const boxes = [];
    for (let i = 0; i < 40; i++) boxes.push(await createBox(server.origin));
    const m = measure(server, `${name} (${attempts})`);
    const statuses = [];
    const running = [];
    let otherRequestsFailed = 0;
    for (let i = 0; i < attempts; i++) {
      const box = boxes[i % boxes.length];
      const r = await request(`${server.origin}/v1/boxes/${box}/exec`, { method: 'POST', body: JSON.stringify({ command: 'sleep', args: ['3600'] }) });
      statuses.push(r.status);
      if (r.status === 201) running.push({ box, id: r.json.execution_id });
      if (i % 100 === 0 && (await request(`${server.origin}/v1/boxes`)).status !== 200) otherRequestsFailed++;
    }
    const fdsAtPeak = openFds(server.pid).count;
    for (const { box, id } of running) await request(`${server.origin}/v1/boxes/${box}/executions/${id}`, { method: 'DELETE' });
    await waitFor(() => openFds(server.pid).count <= m.fdsBefore + 3, { timeoutMs: 30_000, everyMs: 100 });
    return m.finish({ statuses, extra: { fdsAtPeak, otherRequestsFailed } });
  } finally {
    await server.stop();
  }
}

module.exports = { name, run };
