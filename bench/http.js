#!/usr/bin/env node
// The REST handler's cost, compared in one run:
//  1. Error path: `POST /v1/boxes/{id}/exec` failing with InvalidArgument
//     (400, BoxLite's envelope, X-Request-Id) through createBoxliteHandler,
//     against a bare node:http server that reads the same request and writes
//     the same JSON. Goal: the handler at >= 85% of the bare server's req/s.
//  2. Exec round trip: POST .../exec, WebSocket attach, exit frame (p50/p99),
//     against a direct runtime call (box.exec + wait) of the same command.
//
// The servers and the runtime (test engine) run in a child process; the load
// generator (autocannon) and the WebSocket client run here, so they never
// share an event loop with what they measure. The two error-path servers are
// measured in ROUNDS back-to-back pairs (which one goes first alternates), and
// the median of the per-pair ratios is reported: on a shared machine the load
// drifts from second to second, and a pair sees the same drift.
//
// Uses the compiled package in ../dist (`npm run bench` builds it first);
// BOXLITE_DIST=/some/dir points it at another build.
'use strict';
const { fork } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', 'dist');
const RATIO_GOAL = 0.85;
const DURATION_S = Number(process.env.BENCH_HTTP_DURATION || 2);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS || 9);
const CONNECTIONS = 32;
const EXEC_WARMUP = 30;
const EXEC_ITERATIONS = 300;
// timeout_seconds < 0.1 (but 0, which means none) is refused with InvalidArgument before the engine is touched.
const ERROR_BODY = JSON.stringify({ command: 'echo', args: ['x'], timeout_seconds: -1 });
const ERROR_MESSAGE = 'invalid argument: timeout_seconds must be >= 0.1';

// ---------------------------------------------------------------- child side

async function serveInChild() {
  const { createBoxliteHandler, attachBoxliteUpgrade } = require(path.join(dist, 'index.js'));
  const { openTestRuntime } = require(path.join(dist, 'testing.js'));
  const t = await openTestRuntime();
  const box = await t.runtime.createBox({ image: 'alpine:latest', autoRemove: false });

  const handler = createBoxliteHandler(t.runtime, { auth: 'none', onError: () => {} });
  const boxlite = http.createServer(handler);
  attachBoxliteUpgrade(boxlite, handler);

  // What a minimal hand-written server does for the same request: read the
  // body, answer the same envelope with a fresh request id.
  const bare = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      const requestId = randomUUID();
      const body = JSON.stringify({
        error: { message: ERROR_MESSAGE, type: 'InvalidArgumentError', code: 'invalid_argument', request_id: requestId },
      });
      res.writeHead(400, {
        'Content-Type': 'application/json', 'X-Request-Id': requestId, 'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });

  const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  const [boxlitePort, barePort] = await Promise.all([listen(boxlite), listen(bare)]);

  process.on('message', async (msg) => {
    if (msg.cmd === 'direct') {
      // The same command through the runtime API, no HTTP at all.
      const times = [];
      for (let i = 0; i < msg.warmup + msg.iterations; i++) {
        const t0 = process.hrtime.bigint();
        const ex = await box.exec('true', []);
        ex.stdout.resume();
        ex.stderr.resume();
        await ex.wait();
        if (i >= msg.warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      process.send({ cmd: 'direct', times });
    } else if (msg.cmd === 'stop') {
      boxlite.closeAllConnections();
      bare.closeAllConnections();
      boxlite.close();
      bare.close();
      await handler.close();
      await t.close();
      process.send({ cmd: 'stopped' });
      process.disconnect();
    }
  });
  process.send({ cmd: 'ready', boxlitePort, barePort, boxId: box.id });
}

// --------------------------------------------------------------- parent side

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function once(child, cmd) {
  return new Promise((resolve, reject) => {
    const onMsg = (msg) => { if (msg.cmd === cmd) { child.off('message', onMsg); resolve(msg); } };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`benchmark server exited (${code}) while waiting for ${cmd}`)));
  });
}

function post(port, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(autocannon, port, urlPath) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${urlPath}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ERROR_BODY,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  if (result.errors || result.timeouts) throw new Error(`load run had ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result['4xx'] !== result.requests.total && result.non2xx !== result.requests.total) {
    throw new Error(`expected only 400 answers, got ${JSON.stringify({ total: result.requests.total, non2xx: result.non2xx })}`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function execRoundTrip(WebSocket, agent, port, boxId) {
  const body = JSON.stringify({ command: 'true', tty: false });
  const t0 = process.hrtime.bigint();
  const execId = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: `/v1/boxes/${boxId}/exec`, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text).execution_id) : reject(new Error(text))));
    });
    req.on('error', reject);
    req.end(body);
  });
  await new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/boxes/${boxId}/executions/${execId}/attach`, { perMessageDeflate: false });
    ws.on('message', (data, isBinary) => {
      if (!isBinary && JSON.parse(data.toString()).type === 'exit') {
        ws.terminate(); // what the official client does: it stops at the exit frame
        resolve();
      }
    });
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`attach refused: ${res.statusCode}`)));
  });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main() {
  const autocannon = require('autocannon');
  const WebSocket = require('ws');
  const child = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { boxlitePort, barePort, boxId } = await once(child, 'ready');
    const errorPath = `/v1/boxes/${boxId}/exec`;

    // Both servers must answer the same thing, or the comparison is void.
    const [a, b] = await Promise.all([post(boxlitePort, errorPath, ERROR_BODY), post(barePort, errorPath, ERROR_BODY)]);
    for (const r of [a, b]) {
      if (r.status !== 400 || r.json.error.code !== 'invalid_argument' || r.json.error.message !== ERROR_MESSAGE
        || r.json.error.request_id !== r.headers['x-request-id']) {
        throw new Error(`unexpected answer: ${r.status} ${JSON.stringify(r.json)}`);
      }
    }

    // Warm both up, then measure in pairs.
    await load(autocannon, barePort, errorPath);
    await load(autocannon, boxlitePort, errorPath);
    const bare = [];
    const handler = [];
    const ratios = [];
    for (let i = 0; i < ROUNDS; i++) {
      let b;
      let h;
      if (i % 2 === 0) {
        b = await load(autocannon, barePort, errorPath);
        h = await load(autocannon, boxlitePort, errorPath);
      } else {
        h = await load(autocannon, boxlitePort, errorPath);
        b = await load(autocannon, barePort, errorPath);
      }
      bare.push(b);
      handler.push(h);
      ratios.push(h.rps / b.rps);
    }
    const bareRps = median(bare.map((r) => r.rps));
    const handlerRps = median(handler.map((r) => r.rps));
    const ratio = median(ratios);

    // Exec round trips, sequential (latency, not throughput).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const viaHttp = [];
    for (let i = 0; i < EXEC_WARMUP + EXEC_ITERATIONS; i++) {
      const ms = await execRoundTrip(WebSocket, agent, boxlitePort, boxId);
      if (i >= EXEC_WARMUP) viaHttp.push(ms);
    }
    agent.destroy();
    child.send({ cmd: 'direct', warmup: EXEC_WARMUP, iterations: EXEC_ITERATIONS });
    const direct = (await once(child, 'direct')).times;
    viaHttp.sort((x, y) => x - y);
    direct.sort((x, y) => x - y);

    const pad = (s, n) => String(s).padEnd(n);
    const lpad = (s, n) => String(s).padStart(n);
    console.log(`REST handler, Node ${process.version}, test engine; error path: ${CONNECTIONS} connections, `
      + `${ROUNDS} pairs of ${DURATION_S} s runs (medians); exec: ${EXEC_ITERATIONS} sequential round trips`);
    console.log(`${pad('case', 58)}${lpad('req/s', 10)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}`);
    const row = (name, rps, p50, p99) => console.log(`${pad(name, 58)}${lpad(rps, 10)}${lpad(p50, 9)}${lpad(p99, 9)}`);
    const med = (runs, k) => median(runs.map((r) => r[k]));
    row('error path: bare node:http, same JSON', Math.round(bareRps), med(bare, 'p50'), med(bare, 'p99'));
    row('error path: createBoxliteHandler (400 InvalidArgument)', Math.round(handlerRps), med(handler, 'p50'), med(handler, 'p99'));
    row('exec round trip: POST exec + WS attach + exit frame', '-',
      percentile(viaHttp, 50).toFixed(2), percentile(viaHttp, 99).toFixed(2));
    row('exec direct: box.exec() + wait() (no HTTP)', '-', percentile(direct, 50).toFixed(2), percentile(direct, 99).toFixed(2));
    const met = ratio >= RATIO_GOAL;
    const spread = `${(Math.min(...ratios) * 100).toFixed(0)}..${(Math.max(...ratios) * 100).toFixed(0)}%`;
    console.log(`error path: handler / bare = ${(ratio * 100).toFixed(1)}% (median of ${ROUNDS} paired runs, spread ${spread}; `
      + `goal >= ${RATIO_GOAL * 100}%) -> ${met ? 'met' : 'NOT met'}`);
    console.log(`exec round trip over HTTP+WS adds ${(percentile(viaHttp, 50) - percentile(direct, 50)).toFixed(2)} ms at p50`);
    if (!met) process.exitCode = 1;
  } finally {
    if (child.connected) {
      child.send({ cmd: 'stop' });
      await once(child, 'stopped').catch(() => {});
    }
  }
}

if (process.argv.includes('--serve')) {
  serveInChild().catch((err) => { console.error(err); process.exit(1); });
} else {
  main().catch((err) => { console.error(`bench/http: ${err.stack || err.message}`); process.exitCode = 1; });
}
