#!/usr/bin/env node
// The REST server under test, in its own process (forked by run.js): the
// test engine behind createBoxliteHandler on a plain node:http server, on
// 127.0.0.1, with one box to run executions in. Its limits are raised to the
// benchmark's highest concurrency so nothing is refused with 429: the
// question is speed, not admission.
//
// IPC: sends { cmd: 'ready', port, boxId }; answers { cmd: 'usage' } with its
// peak RSS and CPU time since start (a fresh server serves each streaming
// phase, so that peak is the phase's own); { cmd: 'stop' } closes it.
'use strict';
const http = require('node:http');
const path = require('node:path');
const { startMeter } = require('./rss');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', '..', 'dist');
const MAX_CONCURRENCY = 512;

async function main() {
  const { createBoxliteHandler, attachBoxliteUpgrade } = require(path.join(dist, 'index.js'));
  const { openTestRuntime } = require(path.join(dist, 'testing.js'));
  const t = await openTestRuntime();
  const box = await t.runtime.createBox({ image: 'alpine:latest', autoRemove: false });
  const handler = createBoxliteHandler(t.runtime, {
    auth: 'none',
    onError: () => {},
    maxExecutions: MAX_CONCURRENCY,
    maxExecutionsPerBox: MAX_CONCURRENCY,
    maxAttachSockets: MAX_CONCURRENCY,
  });
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  attachBoxliteUpgrade(server, handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const meter = startMeter();

  process.on('message', async (msg) => {
    if (msg.cmd === 'usage') {
      process.send({ cmd: 'usage', ...meter() });
    } else if (msg.cmd === 'stop') {
      server.closeAllConnections();
      server.close();
      await handler.close();
      await t.close();
      process.send({ cmd: 'stopped' });
      process.disconnect();
    }
  });
  process.send({ cmd: 'ready', port: server.address().port, boxId: box.id });
}

main().catch((err) => {
  console.error(`bench/load/server: ${err.stack || err}`);
  process.exit(1);
});
