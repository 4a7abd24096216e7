#!/usr/bin/env node
// The REST streaming ceiling: a server that speaks the same protocol as the
// BoxLite server for one streamed execution (POST .../exec answers 201 at
// once; the attach sends STREAM_BYTES of output as [0x01] + 64 KiB binary
// frames, then the exit frame) but runs nothing: every frame is one
// preallocated buffer. Driven by the same client (rest-client.js), it measures
// what TCP, WebSocket framing and the client cost on this machine, which no
// server can go below: the REST goal is judged against the addon, and this
// line shows how much of the addon's rate the transport itself leaves.
//
// Same IPC as server.js: { cmd: 'ready', port, boxId }, { cmd: 'usage' },
// { cmd: 'stop' }.
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { WebSocketServer } = require('ws');
const { STREAM_BYTES } = require('./exec-command');
const { startMeter } = require('./rss');

const FRAME_DATA = 64 * 1024; // what the BoxLite server sends at this load (docs/benchmarks.md)
const IN_FLIGHT = 16; // frames handed to the socket and not yet written: 1 MiB per connection
const EXIT_FRAME = JSON.stringify({ type: 'exit', exit_code: 0 });

const frame = Buffer.alloc(1 + FRAME_DATA);
frame[0] = 0x01; // stdout
const pending = new Set();
const attached = new Set();

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method !== 'POST' || !/^\/v1\/boxes\/[^/]+\/exec$/.test(req.url)) {
      res.writeHead(404).end();
      return;
    }
    const id = randomUUID();
    pending.add(id);
    const body = JSON.stringify({ execution_id: id });
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const m = /^\/v1\/boxes\/[^/]+\/executions\/([^/]+)\/attach$/.exec(req.url);
  if (!m || !pending.delete(m[1])) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    attached.add(ws);
    ws.on('close', () => attached.delete(ws));
    stream(ws);
  });
});

/** STREAM_BYTES in whole frames, at most IN_FLIGHT unwritten, then the exit frame. */
function stream(ws) {
  let left = Math.ceil(STREAM_BYTES / FRAME_DATA);
  let inFlight = 0;
  const pump = () => {
    while (inFlight < IN_FLIGHT && left > 0 && ws.readyState === ws.OPEN) {
      left--;
      inFlight++;
      ws.send(frame, () => { inFlight--; pump(); });
    }
    if (left === 0 && inFlight === 0 && ws.readyState === ws.OPEN) {
      left = -1;
      ws.send(EXIT_FRAME);
    }
  };
  ws.on('error', () => undefined);
  pump();
}

server.listen(0, '127.0.0.1', () => {
  const meter = startMeter();
  process.on('message', (msg) => {
    if (msg.cmd === 'usage') {
      process.send({ cmd: 'usage', ...meter() });
    } else if (msg.cmd === 'stop') {
      for (const ws of attached) ws.terminate();
      server.closeAllConnections();
      server.close();
      process.send({ cmd: 'stopped' });
      process.disconnect();
    }
  });
  process.send({ cmd: 'ready', port: server.address().port, boxId: 'null-box' });
});
