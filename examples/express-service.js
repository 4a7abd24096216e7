#!/usr/bin/env node
// An existing Express service that embeds BoxLite's REST API v1.
//
// The service keeps its own routes (/health, /api/...) and mounts BoxLite
// under /boxlite, so any BoxLite client can drive it:
//
//   BOXLITE_ENGINE=test node examples/express-service.js     # test engine: NO isolation
//   node examples/express-service.js                         # libboxlite, found the usual way
//
//   // then, from any BoxLite client (here the official Node SDK):
//   const { JsBoxlite, BoxliteRestOptions } = require('@boxlite-ai/boxlite');
//   const rt = JsBoxlite.rest(new BoxliteRestOptions({ url: 'http://127.0.0.1:3000/boxlite' }));
//
// Set BOXLITE_API_KEY to require `Authorization: Bearer <key>` (the SDK's
// `credential`); without it the service only listens on 127.0.0.1.
'use strict';
const http = require('node:http');
const express = require('express');
const {
  Runtime, NotFoundError, createBoxliteHandler, boxliteErrorHandler, attachBoxliteUpgrade, bearerTokenAuth,
} = require('boxlite-native');

async function openRuntime() {
  if (process.env.BOXLITE_ENGINE === 'test') {
    const { openTestRuntime } = require('boxlite-native/testing');
    console.warn('express-service: using the TEST ENGINE: commands run as host processes, nothing is isolated');
    const t = await openTestRuntime();
    return { runtime: t.runtime, close: () => t.close() };
  }
  const runtime = await Runtime.open();
  return { runtime, close: () => runtime.close() };
}

async function main() {
  const { runtime, close } = await openRuntime();
  const apiKey = process.env.BOXLITE_API_KEY;

  const boxlite = createBoxliteHandler(runtime, {
    ...(apiKey ? { authenticate: bearerTokenAuth(apiKey) } : { auth: 'none' }),
    // Express strips '/boxlite' from req.url for normal requests; WebSocket
    // upgrades bypass Express, so the handler is told its mount path.
    basePath: '/boxlite',
    execIdleTimeoutMs: 5 * 60_000,
  });

  const app = express();
  app.get('/health', (_req, res) => res.json({ ok: true, executions: boxlite.activeExecutions }));

  // BoxLite's API, with its own body parsing, auth and error envelope.
  app.use('/boxlite', boxlite);

  // The service's own routes can use the same runtime (and the same errors).
  app.use('/api', express.json());
  app.get('/api/boxes/:id/summary', async (req, res) => {
    const box = await runtime.getBox(req.params.id); // NotFoundError -> 404 via boxliteErrorHandler
    const info = await box.info();
    res.json({ id: info.id, status: info.status, image: info.image });
  });
  app.get('/api/teapot', () => {
    throw new NotFoundError('box not found: there is no teapot box');
  });

  // Any error from the service's routes answers with BoxLite's envelope.
  app.use(boxliteErrorHandler());

  const server = http.createServer(app);
  attachBoxliteUpgrade(server, boxlite);
  const host = apiKey ? (process.env.HOST || '127.0.0.1') : '127.0.0.1';
  server.listen(Number(process.env.PORT ?? 3000), host, () => {
    const { port } = server.address();
    console.log(`express-service: listening on http://${host}:${port} (BoxLite API at http://${host}:${port}/boxlite/v1/)`);
  });

  const shutdown = async () => {
    server.close();
    server.closeAllConnections();
    await boxlite.close(); // kills executions, closes sockets, clears timers
    await close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(`express-service: ${err.message}`);
  process.exit(1);
});
