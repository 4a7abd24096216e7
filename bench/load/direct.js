#!/usr/bin/env node
// One measured phase in a fresh process, without HTTP:
//   node direct.js spawn   <concurrency> <executions>  child_process.spawn of the stream command
//   node direct.js addon   <concurrency> <executions>  box.exec through the addon (test engine)
//   node direct.js latency <iterations>                 sequential `echo hi` through the addon
// Prints one JSON line: bytes, seconds, per-execution ms, peak RSS, CPU ms.
// Forked by run.js; a fresh process per phase keeps each peak RSS its own.
'use strict';
const { spawn } = require('node:child_process');
const { finished } = require('node:stream/promises');
const path = require('node:path');
const { runPool } = require('./pool');
const { startMeter } = require('./rss');
const { STREAM_BYTES, STREAM_COMMAND, SMALL_COMMAND, SMALL_OUTPUT } = require('./exec-command');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', '..', 'dist');

function viaSpawn() {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const child = spawn(STREAM_COMMAND.command, STREAM_COMMAND.args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      progress += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && bytes === STREAM_BYTES ? resolve(bytes)
      : reject(new Error(`spawn: exit ${code}, ${bytes} bytes`))));
  });
}

async function viaAddon(box, { command, args }) {
  let bytes = 0;
  let text = '';
  const execution = await box.exec(command, args);
  execution.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    progress += chunk.length;
    if (bytes <= 16) text += chunk;
  });
  execution.stderr.resume();
  // wait() settles once all output was pushed into stdout; 'data' may still
  // be on its way to the listener, so the end of the stream is awaited too.
  const [code] = await Promise.all([execution.wait(), finished(execution.stdout)]);
  if (code !== 0) throw new Error(`addon: exit ${code}`);
  return { bytes, text };
}

// A phase that stops making progress is a finding, not a hang: this timer
// keeps the process alive (an execution whose output never arrives leaves
// nothing else holding the event loop, and Node would exit 0 silently) and
// fails the phase after STALL_MS without a byte.
const STALL_MS = 60_000;
let progress = 0;
function watchdog() {
  let seen = -1;
  let quietSince = Date.now();
  return setInterval(() => {
    if (progress !== seen) {
      seen = progress;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > STALL_MS) {
      console.error(`bench/load/direct: no output for ${STALL_MS / 1000} s (${progress} bytes in all): stalled`);
      process.exit(1);
    }
  }, 1000);
}

async function main() {
  const [mode, a, b] = process.argv.slice(2);
  const timer = watchdog();
  let runtime = null;
  let box = null;
  let close = async () => {};
  if (mode !== 'spawn') {
    const { openTestRuntime } = require(path.join(dist, 'testing.js'));
    const t = await openTestRuntime();
    runtime = t.runtime;
    box = await runtime.createBox({ image: 'alpine:latest', autoRemove: false });
    close = () => t.close();
  }
  try {
    if (mode === 'latency') {
      const iterations = Number(a);
      const times = [];
      for (let i = 0; i < iterations + 20; i++) {
        const t0 = process.hrtime.bigint();
        const r = await viaAddon(box, SMALL_COMMAND);
        if (r.text !== SMALL_OUTPUT) throw new Error(`echo hi printed ${JSON.stringify(r.text)}`);
        if (i >= 20) times.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first 20 warm up
      }
      process.stdout.write(`${JSON.stringify({ times })}\n`);
      return;
    }
    const concurrency = Number(a);
    const executions = Number(b);
    const meter = startMeter();
    const job = mode === 'spawn' ? viaSpawn : async () => {
      const r = await viaAddon(box, STREAM_COMMAND);
      if (r.bytes !== STREAM_BYTES) throw new Error(`addon: ${r.bytes} bytes`);
    };
    const { durations, seconds } = await runPool(concurrency, executions, job);
    process.stdout.write(`${JSON.stringify({ bytes: executions * STREAM_BYTES, seconds, durations, ...meter() })}\n`);
  } finally {
    clearInterval(timer);
    await close();
  }
}

main().catch((err) => {
  console.error(`bench/load/direct: ${err.stack || err}`);
  process.exitCode = 1;
});
