#!/usr/bin/env node
// The yardstick for the error paths: a bare node:http server, in its own
// process, answering exactly what the BoxLite server answered (status,
// headers, envelope), with a fresh request id per answer as the real one
// mints. run.js records one real answer per path and sends it here as a
// template: { cmd: 'answers', answers: { [url]: { status, headers, body } } }.
// With --engine it is the yardstick of the 404 with its engine lookup: before
// answering a recorded 404 for /v1/boxes/{id}, it asks the test engine for
// that box through the addon (runtime.getBox, one engine round trip, as the
// BoxLite handler does), and answers once the engine said it is missing. What
// that server loses against the plain one is what the lookup itself costs,
// which no handler can avoid while it asks the engine.
'use strict';
const { randomUUID } = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

let answers = new Map();

// The template's request id is replaced in the body and the X-Request-Id
// header; everything else is sent as recorded.
function compile({ status, headers, body }) {
  const id = headers['x-request-id'];
  const parts = body.split(id);
  const rest = Object.entries(headers).filter(([name]) => !['x-request-id', 'date', 'connection', 'keep-alive'].includes(name));
  return { status, parts, rest };
}

const BOX_PATH = /^\/v1\/boxes\/([^/?]+)$/;
let testRuntime = null; // with --engine
let runtime = null;

function answer(res, a) {
  const requestId = randomUUID();
  const headers = { 'X-Request-Id': requestId };
  for (const [name, value] of a.rest) headers[name] = value;
  res.writeHead(a.status, headers);
  res.end(a.parts.join(requestId));
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const a = answers.get(req.url);
    if (a === undefined) {
      res.writeHead(500);
      res.end();
      return;
    }
    const box = runtime !== null && a.status === 404 ? BOX_PATH.exec(req.url) : null;
    if (box === null) {
      answer(res, a);
      return;
    }
    runtime.getBox(decodeURIComponent(box[1])).then(() => {
      res.writeHead(500); // the box exists: the template does not apply
      res.end();
    }, () => answer(res, a));
  });
});

process.on('message', (msg) => {
  if (msg.cmd === 'answers') {
    answers = new Map(Object.entries(msg.answers).map(([url, a]) => [url, compile(a)]));
    process.send({ cmd: 'answers' });
  } else if (msg.cmd === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      const closed = testRuntime === null ? Promise.resolve() : testRuntime.close();
      closed.finally(() => process.disconnect());
    });
  }
});

async function main() {
  if (process.argv.includes('--engine')) {
    const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', '..', 'dist');
    testRuntime = await require(path.join(dist, 'testing.js')).openTestRuntime();
    runtime = testRuntime.runtime;
  }
  server.listen(0, '127.0.0.1', () => process.send({ cmd: 'ready', port: server.address().port }));
}

main().catch((err) => {
  console.error(`bench/load/bare-server: ${err.stack || err}`);
  process.exit(1);
});
