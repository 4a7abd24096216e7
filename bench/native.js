#!/usr/bin/env node
// The native addon, against the test engine, measured in one run:
//
//  1. stdout throughput of one command printing BENCH_BYTES (default 1 GiB)
//     of text, through box.exec() vs child_process.spawn() of the very same
//     command (the test engine runs commands as host processes, so both read
//     the same pipe-fed output; the difference is the addon's bridge: engine
//     pump -> drain thread -> coalescing buffer -> TSFN -> Buffer -> Readable).
//     Goal: the addon reaches >= 80% of child_process throughput.
//  2. the cost of one error crossing the boundary: created natively through
//     the JS factory, rejected, awaited and classified (classifyError).
//     Goal: < 5 us. Also shown, for scale: the sync variant, and a full
//     engine round trip (getBox of a missing box: engine task, drain thread,
//     TSFN hop), which is latency-bound rather than CPU-bound.
//
// Rounds alternate between the two sides so drift (thermal, page cache)
// hits both alike; the median round of each side is compared.
//
// Uses the compiled package in ../dist (`npm run bench` builds it first).
// BOXLITE_DIST=/some/dir points it at another build.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', 'dist');
const { Runtime } = require(path.join(dist, 'runtime', 'runtime.js'));
const { loadAddon } = require(path.join(dist, 'runtime', 'native.js'));
const { classifyError } = require(path.join(dist, 'errors', 'classify.js'));
const { testEngineLibraryPath } = require(path.join(dist, 'testing.js'));

const BYTES = Number(process.env.BENCH_BYTES || 1024 ** 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const THROUGHPUT_GOAL = 0.8;
const ERROR_GOAL_US = 5;

// Printable text, so libboxlite's UTF-8 stream decoding would keep it as is.
const COMMAND = ['sh', ['-c', `yes 'boxlite-native throughput line 0123456789abcdef' | head -c ${BYTES}`]];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function consume(stream, stats) {
  stream.on('data', (chunk) => {
    stats.bytes += chunk.length;
    stats.chunks++;
  });
}

async function viaChildProcess() {
  const stats = { bytes: 0, chunks: 0 };
  const started = process.hrtime.bigint();
  const child = spawn(COMMAND[0], COMMAND[1], { stdio: ['ignore', 'pipe', 'inherit'] });
  consume(child.stdout, stats);
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0 || stats.bytes !== BYTES) throw new Error(`child_process: exit ${code}, ${stats.bytes} bytes`);
  return { seconds, ...stats };
}

async function viaAddon(box) {
  const stats = { bytes: 0, chunks: 0 };
  const started = process.hrtime.bigint();
  const execution = await box.exec(COMMAND[0], COMMAND[1]);
  consume(execution.stdout, stats);
  execution.stderr.pipe(process.stderr);
  const code = await execution.wait();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0 || stats.bytes !== BYTES) throw new Error(`addon: exit ${code}, ${stats.bytes} bytes`);
  return { seconds, ...stats };
}

async function throughput(box) {
  const sides = { child: [], addon: [] };
  await viaAddon(box); // warm-up both paths once (JIT, page cache)
  await viaChildProcess();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of round % 2 ? [['addon', () => viaAddon(box)], ['child', viaChildProcess]]
      : [['child', viaChildProcess], ['addon', () => viaAddon(box)]]) {
      sides[name].push(await run());
    }
  }
  const report = {};
  for (const [name, runs] of Object.entries(sides)) {
    const s = median(runs.map((r) => r.seconds));
    const chunks = median(runs.map((r) => r.chunks));
    report[name] = { mibPerSec: BYTES / 2 ** 20 / s, seconds: s, avgChunkKiB: BYTES / chunks / 1024 };
  }
  return report;
}

async function timePerOp(label, iterations, body) {
  for (let i = 0; i < Math.min(20_000, iterations); i++) await body(i); // warm-up
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await body(i);
    rounds.push(Number(process.hrtime.bigint() - started) / iterations / 1000);
  }
  return { label, us: median(rounds) };
}

async function errorCosts(runtime) {
  const addon = loadAddon();
  const message = 'box not found: Box not found: bench-missing';
  let sink = 0;
  const asyncPath = await timePerOp('native reject + await + classify', 200_000, async () => {
    try {
      await addon.rejectWithError(2, message);
    } catch (err) {
      sink += classifyError(err).status;
    }
  });
  const syncPath = await timePerOp('native create (sync) + classify', 200_000, () => {
    sink += classifyError(addon.createError(2, message)).status;
  });
  const roundTrip = await timePerOp('engine round trip: getBox(missing) -> NotFoundError + classify', 2_000, async () => {
    try {
      await runtime.getBox('bench-missing');
    } catch (err) {
      sink += classifyError(err).status;
    }
  });
  if (sink === 0) throw new Error('classification did not run');
  return [asyncPath, syncPath, roundTrip];
}

async function main() {
  const homeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-bench-'));
  const runtime = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() });
  let ok = true;
  try {
    const box = await runtime.createBox({ image: 'alpine:latest', name: 'bench' });

    console.log(`stdout throughput, ${(BYTES / 2 ** 20).toFixed(0)} MiB per run, median of ${ROUNDS} alternating rounds:`);
    const t = await throughput(box);
    for (const [name, r] of Object.entries(t)) {
      const label = name === 'child' ? 'child_process.spawn' : 'addon box.exec    ';
      console.log(`  ${label}  ${r.mibPerSec.toFixed(0).padStart(6)} MiB/s  (${r.seconds.toFixed(2)} s, avg chunk ${r.avgChunkKiB.toFixed(0)} KiB)`);
    }
    const ratio = t.addon.mibPerSec / t.child.mibPerSec;
    const tpOk = ratio >= THROUGHPUT_GOAL;
    console.log(`  addon / child_process = ${(ratio * 100).toFixed(0)}%  (goal >= ${THROUGHPUT_GOAL * 100}%) ${tpOk ? 'OK' : 'MISSED'}`);
    ok = ok && tpOk;

    console.log('\none error crossing the native boundary (median of 5 rounds):');
    const [asyncPath, syncPath, roundTrip] = await errorCosts(runtime);
    const errOk = asyncPath.us < ERROR_GOAL_US;
    console.log(`  ${asyncPath.label.padEnd(64)} ${asyncPath.us.toFixed(2).padStart(8)} us  (goal < ${ERROR_GOAL_US} us) ${errOk ? 'OK' : 'MISSED'}`);
    console.log(`  ${syncPath.label.padEnd(64)} ${syncPath.us.toFixed(2).padStart(8)} us`);
    console.log(`  ${roundTrip.label.padEnd(64)} ${roundTrip.us.toFixed(2).padStart(8)} us  (latency: thread hops, for scale)`);
    ok = ok && errOk;
  } finally {
    await runtime.close();
    fs.rmSync(homeDir, { recursive: true, force: true });
  }
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
