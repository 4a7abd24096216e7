#!/usr/bin/env node
// Runtime.rest() (this package's TypeScript client) against the official
// client's JsBoxlite.rest (@boxlite-ai/boxlite, native Rust) and the direct
// addon (Runtime.open on the same engine, no HTTP at all):
//   1. `echo` round trip: exec, read stdout, wait for the exit (p50 / p99);
//   2. streaming throughput: one command writes STREAM_MIB MiB of stdout,
//      read to the end (MiB/s).
// Both REST clients talk to the same `boxlite-native serve --engine test`
// child (127.0.0.1); the direct runtime runs here, on its own test-engine
// home. The clients take turns per round so machine-load drift hits all of
// them alike; the table reports the medians over rounds.
//
// Uses the compiled package in ../dist (`npm run bench` builds it first).
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const { finished } = require('node:stream/promises');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', 'dist');
const ECHO_ITERATIONS = Number(process.env.BENCH_REST_ECHO || 150);
const STREAM_MIB = Number(process.env.BENCH_REST_STREAM_MIB || 64);
const ROUNDS = Number(process.env.BENCH_REST_ROUNDS || 3);

function startServer() {
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), 'serve', '--port', '0', '--engine', 'test', '--auth', 'none'],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, origin: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A client: echo() once, stream() once (returns bytes read). */
async function ours(runtime) {
  const box = await runtime.createBox({ image: 'alpine:latest', autoRemove: false });
  const drain = async (ex) => {
    let bytes = 0;
    ex.stdout.on('data', (c) => { bytes += c.length; });
    ex.stderr.resume();
    await Promise.all([finished(ex.stdout), ex.wait()]);
    return bytes;
  };
  return {
    echo: async () => drain(await box.exec('echo', ['hi'])),
    stream: async () => drain(await box.exec('head', ['-c', String(STREAM_MIB << 20), '/dev/zero'])),
  };
}

async function official(origin) {
  const sdk = require('@boxlite-ai/boxlite');
  const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: origin }));
  const box = await rt.create({ image: 'alpine:latest' });
  const readAll = async (stream) => {
    let bytes = 0;
    for (;;) {
      const chunk = await stream.next();
      if (chunk === null || chunk === undefined) return bytes;
      bytes += Buffer.byteLength(chunk);
    }
  };
  const drain = async (ex) => {
    const [bytes] = await Promise.all([readAll(await ex.stdout()), readAll(await ex.stderr())]);
    await ex.wait();
    return bytes;
  };
  return {
    echo: async () => drain(await box.exec('echo', ['hi'], null, false, null, null, null)),
    stream: async () => drain(await box.exec('head', ['-c', String(STREAM_MIB << 20), '/dev/zero'], null, false, null, null, null)),
  };
}

async function main() {
  const { Runtime } = require(path.join(dist, 'index.js'));
  const { openTestRuntime } = require(path.join(dist, 'testing.js'));
  const server = await startServer();
  const direct = await openTestRuntime();
  const rest = await Runtime.rest({ url: server.origin });
  try {
    const clients = {
      'Runtime.rest() (TypeScript)': await ours(rest),
      'JsBoxlite.rest (official)': await official(server.origin),
      'direct addon (Runtime.open)': await ours(direct.runtime),
    };
    const results = Object.fromEntries(Object.keys(clients).map((k) => [k, { p50: [], p99: [], mibps: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, c] of Object.entries(clients)) {
        for (let i = 0; i < 10; i++) await c.echo(); // warm-up
        const times = [];
        for (let i = 0; i < ECHO_ITERATIONS; i++) {
          const t0 = process.hrtime.bigint();
          const bytes = await c.echo();
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (bytes !== 3) throw new Error(`${name}: echo gave ${bytes} bytes`);
        }
        times.sort((a, b) => a - b);
        const t0 = process.hrtime.bigint();
        const bytes = await c.stream();
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (bytes !== STREAM_MIB << 20) throw new Error(`${name}: streamed ${bytes} bytes, not ${STREAM_MIB << 20}`);
        results[name].p50.push(quantile(times, 0.5));
        results[name].p99.push(quantile(times, 0.99));
        results[name].mibps.push(STREAM_MIB / seconds);
      }
    }
    console.log(`echo round trip (${ECHO_ITERATIONS} per round) and streaming ${STREAM_MIB} MiB of stdout; medians of ${ROUNDS} rounds`);
    console.log('client                        | echo p50 ms | echo p99 ms | stream MiB/s');
    console.log('------------------------------|-------------|-------------|-------------');
    for (const [name, r] of Object.entries(results)) {
      console.log(`${name.padEnd(30)}| ${median(r.p50).toFixed(2).padStart(11)} | ${median(r.p99).toFixed(2).padStart(11)} | ${median(r.mibps).toFixed(1).padStart(11)}`);
    }
  } finally {
    await rest.close();
    await direct.close();
    server.child.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
