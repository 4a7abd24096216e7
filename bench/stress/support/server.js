'use strict';
// A real `boxlite-native serve --engine test` child process on 127.0.0.1 (port
// 0), plus the few REST/WebSocket calls the scenarios make.
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const WebSocket = require('ws');

const DIST = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', '..', '..', 'dist');
const CLI = path.join(DIST, 'cli.js');
const GC_HOOK = path.join(__dirname, 'gc-hook.js');

/**
 * Starts the server; resolves once it prints its address. The child runs with
 * --expose-gc and the test-only gc-hook, so `retained()` can ask it for its
 * memory after a full garbage collection.
 */
function startServer(args = [], { timeoutMs = 20_000, env: extraEnv = {} } = {}) {
  const env = { ...process.env, ...extraEnv };
  delete env.BOXLITE_API_KEY;
  const child = spawn(process.execPath, ['--expose-gc', '-r', GC_HOOK, CLI, 'serve', '--engine', 'test', '--port', '0', '--auth', 'none', ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const pendingGc = new Map();
  let gcIds = 0;
  child.on('message', (msg) => {
    const resolve = msg && pendingGc.get(msg.id);
    if (resolve) { pendingGc.delete(msg.id); resolve(msg); }
  });
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start; stderr: ${err}`)); }, timeoutMs);
    child.stderr.on('data', (c) => { err += c; });
    child.stdout.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          pid: child.pid,
          origin: m[1],
          stderr: () => err,
          /** Memory after a forced full GC in the server: { rss, heapUsed, external, arrayBuffers } (bytes). */
          retained(timeoutMs = 30_000, type = 'boxlite-test:gc') {
            return new Promise((resolve, reject) => {
              const id = ++gcIds;
              const timer = setTimeout(() => { pendingGc.delete(id); reject(new Error('no answer from the gc hook')); }, timeoutMs);
              pendingGc.set(id, (msg) => { clearTimeout(timer); resolve(msg); });
              child.send({ type, id });
            });
          },
          /** The same without a collection: garbage included (diagnostics). */
          peek(timeoutMs = 30_000) {
            return this.retained(timeoutMs, 'boxlite-test:peek');
          },
          async stop() {
            child.kill('SIGTERM');
            const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
            const code = await exited;
            clearTimeout(force);
            return code;
          },
        });
      }
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before serving; stderr: ${err}`)); });
  });
}

/** One HTTP request; resolves { status, json, text }. */
function request(url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url, {
      method,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function createBox(origin) {
  const a = await request(`${origin}/v1/boxes`, { method: 'POST', body: { image: 'alpine:latest' } });
  if (a.status !== 201) throw new Error(`create box: ${a.status} ${a.text}`);
  return a.json.box_id;
}

async function startExec(origin, boxId, command, args) {
  const a = await request(`${origin}/v1/boxes/${boxId}/exec`, { method: 'POST', body: { command, args } });
  if (a.status !== 201) throw new Error(`exec: ${a.status} ${a.text}`);
  return a.json.execution_id;
}

function execUrl(origin, boxId, execId) {
  return `${origin}/v1/boxes/${boxId}/executions/${execId}`;
}

/** Polls the execution until it is no longer running (bounded); resolves its JSON. */
async function waitForEnd(origin, boxId, execId, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await request(execUrl(origin, boxId, execId));
    if (a.status !== 200 || a.json.status !== 'running') return a;
    if (Date.now() > deadline) throw new Error(`execution ${execId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Attaches; counts output bytes (frames after the channel byte), collects
 * control frames. `onOutput(bytesSoFar, ws)` runs after each output frame.
 */
function attach(origin, boxId, execId, { onOutput } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${execUrl(origin, boxId, execId).replace('http', 'ws')}/attach`, { perMessageDeflate: false });
    const session = { ws, bytes: 0, control: [], exitCode: null, closed: null };
    session.closed = new Promise((res) => ws.on('close', (code) => res(code)));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        session.bytes += data.length - 1;
        if (onOutput) onOutput(session.bytes, ws);
      } else {
        const msg = JSON.parse(data.toString('utf8'));
        session.control.push(msg);
        if (msg.type === 'exit') session.exitCode = msg.exit_code;
      }
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`attach refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () => resolve(session));
  });
}

module.exports = { startServer, request, createBox, startExec, execUrl, waitForEnd, attach, CLI };
