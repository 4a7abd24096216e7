#!/usr/bin/env node
// `npm run bench:load`: the production-shaped benchmark (issue 17). Separate
// client and server processes, on the test engine:
//   - streaming: `head -c 4194304 /dev/zero` per execution at concurrency
//     1, 10, 100, 300 through child_process.spawn, the direct addon and
//     REST+WebSocket (MiB/s, per-execution p99, peak RSS, CPU per MiB);
//   - small executions: `echo hi` round trips, sequential (p50/p99), addon
//     and REST+WebSocket;
//   - error answers (400 bad query, 404 missing box) against a bare
//     node:http server answering the same bytes (autocannon, 10 connections);
//   - the official client @boxlite-ai/boxlite driving the server.
// Every phase gets fresh processes (a peak RSS is that phase's own). Rounds
// repeat the whole set, the order of the sides rotating; ratios are taken
// within a round and the goals are judged on their medians over rounds.
// Writes bench/out/load/report.html (+ results.json) and prints each goal.
//
//   npm run bench:load                default: 3 rounds, a few minutes
//   npm run bench:load -- --quick     1 round, concurrency up to 100, shorter runs (a CI-like check)
//   --rounds N, --out DIR             override the round count / report directory
//
// Uses the compiled package in ../../dist (the npm script builds it first);
// BOXLITE_DIST=/some/dir points it at another build. Exit code 1 when a goal
// is missed (or a phase failed), so it can gate.
'use strict';
const { execFile, fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { runPool } = require('./pool');
const { restExec } = require('./rest-client');
const { recordAnswers, checkSameAnswers, load, measurePair, PATHS } = require('./error-paths');
const { measureOfficialClient } = require('./official-client');
const { judge, references } = require('./goals');
const { writeReport } = require('./report');
const { percentile, MIB } = require('./stats');
const { STREAM_BYTES, STREAM_COMMAND, SMALL_COMMAND, SMALL_OUTPUT } = require('./exec-command');

const run = promisify(execFile);

function options(argv) {
  const quick = argv.includes('--quick');
  const valueOf = (name) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  return {
    quick,
    rounds: Number(valueOf('--rounds') ?? (quick ? 1 : 3)),
    out: path.resolve(valueOf('--out') ?? path.join(__dirname, '..', 'out', 'load')),
    levels: quick ? [1, 10, 100] : [1, 10, 100, 300],
    // Low concurrency still moves enough bytes for a stable rate.
    minExecutions: quick ? 8 : 24,
    latencyIterations: quick ? 100 : 300,
    errorSeconds: quick ? 1 : 2,
    official: { latencyIterations: quick ? 30 : 100, streamConcurrency: 10, streamExecutions: quick ? 10 : 20 },
  };
}

// ------------------------------------------------------------ processes

function startServer(script, args = []) {
  const child = fork(path.join(__dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg, reply = msg.cmd) => new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.cmd !== reply) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code) => reject(new Error(`bench/load/${script} exited (${code}) before answering ${reply}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (msg.cmd !== 'ready') child.send(msg);
  });
  const stop = async () => {
    if (!child.connected) return;
    await Promise.all([ask({ cmd: 'stop' }, 'stopped').catch(() => {}), new Promise((r) => child.once('exit', r))]);
  };
  return ask({ cmd: 'ready' }).then((ready) => ({ ...ready, pid: child.pid, ask, stop }));
}

async function direct(...args) {
  const { stdout } = await run(process.execPath, [path.join(__dirname, 'direct.js'), ...args.map(String)],
    { maxBuffer: 64 * MIB, env: process.env });
  return JSON.parse(stdout);
}

// ------------------------------------------------------------ phases

function streamResult(bytes, seconds, durations, usage) {
  const mib = bytes / MIB;
  return {
    mibPerSec: mib / seconds,
    p99Ms: percentile(durations, 99),
    peakRssMiB: usage.peakRssBytes / MIB,
    cpuMsPerMiB: usage.cpuMs / mib,
  };
}

// 'ceiling' drives null-server.js (the protocol with nothing behind it) with
// the REST client: the most any REST server can stream to this client here.
const REST_SERVERS = { rest: 'server.js', ceiling: 'null-server.js' };

async function streamPhase(mode, concurrency, executions) {
  if (!REST_SERVERS[mode]) {
    const r = await direct(mode, concurrency, executions);
    return streamResult(r.bytes, r.seconds, r.durations, r);
  }
  const server = await startServer(REST_SERVERS[mode]);
  const agent = new http.Agent({ keepAlive: true });
  try {
    const { durations, seconds } = await runPool(concurrency, executions, async () => {
      const r = await restExec(server.port, server.boxId, agent, STREAM_COMMAND);
      if (r.bytes !== STREAM_BYTES) throw new Error(`REST: ${r.bytes} bytes`);
    });
    return streamResult(executions * STREAM_BYTES, seconds, durations, await server.ask({ cmd: 'usage' }));
  } finally {
    agent.destroy();
    await server.stop();
  }
}

async function restLatency(iterations) {
  const server = await startServer('server.js');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const times = [];
    for (let i = 0; i < iterations + 20; i++) {
      const t0 = process.hrtime.bigint();
      const r = await restExec(server.port, server.boxId, agent, SMALL_COMMAND);
      if (r.head !== SMALL_OUTPUT) throw new Error(`REST: echo hi printed ${JSON.stringify(r.head)}`);
      if (i >= 20) times.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first 20 warm up
    }
    return times;
  } finally {
    agent.destroy();
    await server.stop();
  }
}

async function latencyPhase(iterations, restFirst) {
  const sides = {};
  for (const side of restFirst ? ['rest', 'addon'] : ['addon', 'rest']) {
    const times = side === 'rest' ? await restLatency(iterations) : (await direct('latency', iterations)).times;
    sides[side] = { p50: percentile(times, 50), p99: percentile(times, 99) };
  }
  return sides;
}

async function errorAndClientPhase(o, boxliteFirst, withClient) {
  // bare-server.js --engine: the 404's yardstick with the engine lookup (error-paths.js).
  const [server, bare, bareEngine] = await Promise.all([startServer('server.js'), startServer('bare-server.js'),
    startServer('bare-server.js', ['--engine'])]);
  try {
    const answers = await recordAnswers(server.port);
    for (const yardstick of [bare, bareEngine]) {
      await yardstick.ask({ cmd: 'answers', answers });
      await checkSameAnswers(server.port, yardstick.port);
    }
    for (const url of Object.values(PATHS)) { // warm-up: JIT, sockets
      for (const side of [server, bare, bareEngine]) await load(side.port, url, 1);
    }
    const errors = await measurePair({ boxlite: server, bare, bareEngine }, o.errorSeconds, boxliteFirst);
    const official = withClient ? await measureOfficialClient(server.port, server.boxId, o.official) : null;
    return { errors, official };
  } finally {
    await Promise.all([server.stop(), bare.stop(), bareEngine.stop()]);
  }
}

const MODES = ['spawn', 'addon', 'rest', 'ceiling'];

async function oneRound(o, index) {
  const round = { stream: {}, latency: null, errors: null, official: null, failures: [] };
  for (const level of o.levels) {
    round.stream[level] = {};
    const executions = Math.max(level, o.minExecutions);
    // Rotate which side goes first, so no side always meets a warmer machine.
    const order = MODES.map((_, i) => MODES[(i + index) % MODES.length]);
    for (const mode of order) {
      try {
        round.stream[level][mode] = await streamPhase(mode, level, executions);
      } catch (err) {
        // Recorded and reported; the goals it feeds read "not measured".
        round.failures.push(`${level} concurrent, ${mode}: ${String(err.message ?? err).split('\n').slice(-3).join(' ')}`);
        console.log(`  round ${index + 1}, ${String(level).padStart(3)} concurrent, ${mode.padEnd(7)}: FAILED (${round.failures.at(-1)})`);
        continue;
      }
      const r = round.stream[level][mode];
      console.log(`  round ${index + 1}, ${String(level).padStart(3)} concurrent, ${mode.padEnd(7)}: `
        + `${r.mibPerSec.toFixed(0).padStart(5)} MiB/s, p99 ${r.p99Ms.toFixed(0).padStart(5)} ms, `
        + `peak RSS ${r.peakRssMiB.toFixed(0).padStart(4)} MiB, CPU ${r.cpuMsPerMiB.toFixed(2)} ms/MiB`);
    }
  }
  round.latency = await latencyPhase(o.latencyIterations, index % 2 === 1);
  console.log(`  round ${index + 1}, echo hi p50/p99: addon ${round.latency.addon.p50.toFixed(2)}/${round.latency.addon.p99.toFixed(2)} ms, `
    + `REST ${round.latency.rest.p50.toFixed(2)}/${round.latency.rest.p99.toFixed(2)} ms`);
  const { errors, official } = await errorAndClientPhase(o, index % 2 === 0, true);
  round.errors = errors;
  round.official = official;
  for (const [status, e] of Object.entries(errors)) {
    console.log(`  round ${index + 1}, ${status} answer: ${e.boxlite.rps.toFixed(0)} req/s vs bare ${e.bare.rps.toFixed(0)} `
      + `= ${(e.ratio * 100).toFixed(0)}%`
      + (e.bareEngine ? ` (bare with one engine lookup: ${e.bareEngine.rps.toFixed(0)} req/s = ${(e.engineRatio * 100).toFixed(0)}% of bare)` : ''));
  }
  console.log(`  round ${index + 1}, official client: echo hi p50 ${official.echoP50Ms.toFixed(2)} ms, `
    + `${official.streamConcurrency} concurrent streams ${official.streamMibPerSec.toFixed(0)} MiB/s`);
  return round;
}

async function main() {
  const o = options(process.argv.slice(2));
  console.log(`bench:load, Node ${process.version}, ${os.cpus().length} CPUs, test engine; ${o.rounds} round(s), `
    + `concurrency ${o.levels.join('/')}, ${STREAM_BYTES / MIB} MiB per execution${o.quick ? ' (quick)' : ''}`);
  const started = Date.now();
  const rounds = [];
  for (let i = 0; i < o.rounds; i++) rounds.push(await oneRound(o, i));
  const goals = judge(rounds);
  const refs = references(rounds);
  const failures = rounds.flatMap((r) => r.failures);
  const pad = (s, n) => String(s).padEnd(n);
  console.log(`\ngoals (median of ${o.rounds} round(s); min..max in brackets):`);
  for (const g of goals) {
    console.log(`  ${pad(g.label, 86)} ${pad(g.median, 8)} [${g.min}..${g.max}]  goal ${pad(g.goal, 9)} ${g.met ? 'met' : 'NOT met'}`);
  }
  console.log('\nreferences (not goals: the most the transport, or the engine lookup, leaves on this machine):');
  for (const r of refs) console.log(`  ${pad(r.label, 86)} ${pad(r.median, 8)} [${r.min}..${r.max}]  beside ${r.beside}`);
  fs.mkdirSync(o.out, { recursive: true });
  const meta = { node: process.version, cpus: os.cpus().length, quick: o.quick, levels: o.levels,
    streamBytes: STREAM_BYTES, date: new Date().toISOString(), seconds: (Date.now() - started) / 1000 };
  fs.writeFileSync(path.join(o.out, 'results.json'), `${JSON.stringify({ meta, rounds, goals, references: refs }, null, 2)}\n`);
  const report = writeReport(o.out, { meta, rounds, goals, references: refs });
  console.log(`\n${goals.filter((g) => g.met).length}/${goals.length} goals met in ${meta.seconds.toFixed(0)} s; report: ${report}`);
  for (const f of failures) console.log(`  failed phase: ${f}`);
  if (goals.some((g) => !g.met) || failures.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench/load: ${err.stack || err}`);
  process.exitCode = 1;
});
