#!/usr/bin/env node
// The yardstick for the error paths: a bare node:http server, in its own
// process, answering exactly what the BoxLite server answered (status,
// headers, envelope), with a fresh request id per answer as the real one
// mints. run.js records one real answer per path and sends it here as a
// template: { cmd: 'answers', answers: { [url]: { status, headers, body } } }.
'use strict';
const { randomUUID } = require('node:crypto');
const http = require('node:http');

let answers = new Map();

// The template's request id is replaced in the body and the X-Request-Id
// header; everything else is sent as recorded.
function compile({ status, headers, body }) {
  const id = headers['x-request-id'];
  const parts = body.split(id);
  const rest = Object.entries(headers).filter(([name]) => !['x-request-id', 'date', 'connection', 'keep-alive'].includes(name));
  return { status, parts, rest };
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
    const requestId = randomUUID();
    const headers = { 'X-Request-Id': requestId };
    for (const [name, value] of a.rest) headers[name] = value;
    res.writeHead(a.status, headers);
    res.end(a.parts.join(requestId));
  });
});

process.on('message', (msg) => {
  if (msg.cmd === 'answers') {
    answers = new Map(Object.entries(msg.answers).map(([url, a]) => [url, compile(a)]));
    process.send({ cmd: 'answers' });
  } else if (msg.cmd === 'stop') {
    server.closeAllConnections();
    server.close(() => process.disconnect());
  }
});

server.listen(0, '127.0.0.1', () => process.send({ cmd: 'ready', port: server.address().port }));
