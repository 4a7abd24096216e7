'use strict';
// A real `boxlite-native serve --engine test` child process, and what the
// reliability suite and the stress scenarios measure on it: open descriptors
// (from /proc/<pid>/fd, including deleted-but-open files), RSS, and a private
// TMPDIR so staging directories can be watched without seeing anyone else's.
// Linux only (/proc). Used by test/http-reliability-*.test.ts and bench/stress/*.js.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(path.resolve(ROOT, process.env.BOXLITE_DIST || 'dist'), 'cli.js');

/**
 * Starts the server. `limits` become `--limit NAME=N`; `ulimitFiles` runs it
 * under `ulimit -n N` (a low descriptor limit); `env` is added to (or, with
 * undefined values, removed from) the child's environment.
 */
function startServer({ limits = {}, env = {}, ulimitFiles, args = [] } = {}) {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build:ts first`);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-reliability-'));
  const childEnv = { ...process.env, TMPDIR: tmpDir, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const argv = [CLI, 'serve', '--engine', 'test', '--port', '0', '--home', path.join(tmpDir, 'home'), ...args];
  if (!args.includes('--auth') && childEnv.BOXLITE_API_KEY === undefined) argv.push('--auth', 'none');
  for (const [name, value] of Object.entries(limits)) argv.push('--limit', `${name}=${value}`);
  const child = ulimitFiles === undefined
    ? spawn(process.execPath, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    // exec: the shell becomes node, so child.pid is the server's pid.
    : spawn('/bin/sh', ['-c', `ulimit -n ${Number(ulimitFiles)} && exec "$0" "$@"`, process.execPath, ...argv],
      { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => { err += c; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no banner; stderr: ${err}`)); }, 20_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        pid: child.pid,
        origin: m[1],
        home: path.join(tmpDir, 'home'),
        tmpDir,
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(kill);
          }
          fs.rmSync(tmpDir, { recursive: true, force: true });
        },
      });
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before serving; stderr: ${err}`)); });
  });
}

/** The process's open descriptors: how many, and those naming deleted files. */
function openFds(pid) {
  const dir = `/proc/${pid}/fd`;
  const links = [];
  for (const fd of fs.readdirSync(dir)) {
    try { links.push(fs.readlinkSync(path.join(dir, fd))); } catch { /* closed meanwhile */ }
  }
  return { count: links.length, deleted: links.filter((l) => l.endsWith(' (deleted)')), links };
}

/** Resident and peak resident memory of a process, in MiB (VmRSS, VmHWM). */
function memoryMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number((new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status) || [0, 0])[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Bytes of disk allocated under `dir` (holes excluded), 0 when it is gone. */
function allocatedBytes(dir) {
  let total = 0;
  let names;
  try { names = fs.readdirSync(dir); } catch { return 0; }
  for (const name of names) {
    const abs = path.join(dir, name);
    try {
      const st = fs.lstatSync(abs);
      total += st.blocks * 512;
      if (st.isDirectory()) total += allocatedBytes(abs);
    } catch { /* vanished */ }
  }
  return total;
}

/** The staging directories the server has now (under its private TMPDIR). */
function stagingDirs(server) {
  return fs.readdirSync(server.tmpDir).filter((n) => n.startsWith('boxlite-files-'));
}

/** Disk allocated by the server's staging directories right now (its box roots excluded). */
function stagingBytes(server) {
  let total = 0;
  for (const name of stagingDirs(server)) total += allocatedBytes(path.join(server.tmpDir, name));
  return total;
}

/** One HTTP request on a fresh connection. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { Connection: 'close', ...headers };
    if (body !== undefined && h['Content-Type'] === undefined) h['Content-Type'] = 'application/json';
    const req = http.request(url, { method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(buf.toString('utf8')); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8'), json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function createBox(origin, headers = {}) {
  const r = await request(`${origin}/v1/boxes`, { method: 'POST', headers, body: JSON.stringify({ image: 'alpine:3.20' }) });
  if (r.status !== 201) throw new Error(`create box: ${r.status} ${r.text}`);
  return r.json.box_id;
}

/** Polls `probe` every `everyMs` until it returns truthy or `timeoutMs` passes; returns its last value. */
async function waitFor(probe, { timeoutMs = 10_000, everyMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Tallies statuses: { '201': 4, '429': 2 }. */
function countStatuses(statuses) {
  const out = {};
  for (const s of statuses) out[s] = (out[s] || 0) + 1;
  return out;
}

module.exports = { startServer, openFds, memoryMiB, allocatedBytes, stagingDirs, stagingBytes, request, createBox, waitFor, countStatuses };
