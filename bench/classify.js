#!/usr/bin/env node
// Classifications per second for the four kinds of input classifyError meets,
// plus the slowest realistic variants. Goals (issue 2): a typed error under
// 100 ns, no case over 2 us.
//
// Method: every case is warmed up together first, so the classifier is
// measured in the polymorphic state a server really runs it in (not a
// flattering monomorphic one). Each case then runs ROUNDS timed rounds of
// ITERATIONS calls; the median round is reported.
//
// Uses the compiled package in ../dist (`npm run bench` builds it first).
// BOXLITE_DIST=/some/dir points it at another build.
'use strict';
const path = require('node:path');

const dist = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', 'dist');
// The modules themselves, not dist/index.js: the classifier needs no native code.
const { classifyError } = require(path.join(dist, 'errors', 'classify.js'));
const { BoxliteError, InternalError, NotFoundError } = require(path.join(dist, 'errors', 'errors.js'));

const TYPED_GOAL_NS = 100;
const ANY_GOAL_NS = 2000;
const ROUNDS = 9;
const TARGET_ROUND_NS = 40e6; // ~40 ms a round

const sdkError = (message) => Object.assign(new Error(message), { code: 'GenericFailure' });

const CASES = [
  { name: 'typed error (NotFoundError)', typed: true, value: new NotFoundError('box not found: box-7f3a') },
  { name: 'typed error (fromCode 20)', typed: true, value: BoxliteError.fromCode(20, 'resource exhausted: quota') },
  { name: 'Internal fallback hit (unknown user)', value: new InternalError(
    "internal error: spawn_failed: internal error: User 'bob' not found in /run/bundle/rootfs/etc/passwd") },
  { name: 'Internal fallback hit (missing binary)', value: new InternalError(
    'internal error: spawn_failed: internal error: build failed: failed to create container: exec process failed '
    + "with error error in executing process : executable 'nosuchcmd' not found in $PATH") },
  { name: 'Internal, no fallback (long message)', value: new InternalError(
    'internal error: ' + 'I/O error while reading the image layer cache; '.repeat(20)) },
  { name: 'official-SDK message (box not found)', value: sdkError('box not found: execution e-1 not found') },
  { name: 'official-SDK Internal + fallback', value: sdkError(
    "internal error: spawn_failed: internal error: executable 'nosuch' at path '\"/x\"' does not have correct permissions") },
  { name: 'http-errors style (status 413)', value: Object.assign(new Error('request entity too large'), { status: 413, statusCode: 413 }) },
  { name: 'unknown value (plain Error)', value: new Error('something broke') },
  { name: 'unknown value (Error with cause chain)', value: new Error('outer', { cause: new Error('mid', { cause: new Error('inner') }) }) },
  { name: 'unknown value (null)', value: null },
  { name: 'unknown value (string)', value: 'a thrown string' },
];

let sink = 0; // consumed below so the calls cannot be optimised away

function runRound(value, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += classifyError(value).status;
  return Number(process.hrtime.bigint() - start);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Warm-up: every case, interleaved, until the JIT has settled.
for (let pass = 0; pass < 5; pass++) for (const c of CASES) runRound(c.value, 50_000);

const results = [];
for (const c of CASES) {
  // Calibrate the round length so each round lasts about TARGET_ROUND_NS.
  const probeNs = runRound(c.value, 100_000) / 100_000;
  const iterations = Math.max(10_000, Math.round(TARGET_ROUND_NS / Math.max(probeNs, 1)));
  const perOp = [];
  for (let r = 0; r < ROUNDS; r++) perOp.push(runRound(c.value, iterations) / iterations);
  const ns = median(perOp);
  const goal = c.typed ? TYPED_GOAL_NS : ANY_GOAL_NS;
  results.push({ name: c.name, ns, opsPerSec: 1e9 / ns, goal, met: ns < goal });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`classifyError, Node ${process.version}, median of ${ROUNDS} rounds`);
console.log(`${pad('case', 42)}${lpad('ns/op', 10)}${lpad('ops/sec', 14)}${lpad('goal', 10)}  met`);
for (const r of results) {
  console.log(`${pad(r.name, 42)}${lpad(r.ns.toFixed(1), 10)}${lpad(Math.round(r.opsPerSec).toLocaleString('en-US'), 14)}`
    + `${lpad(`< ${r.goal}`, 10)}  ${r.met ? 'yes' : 'NO'}`);
}
const typedWorst = Math.max(...results.filter((r) => r.goal === TYPED_GOAL_NS).map((r) => r.ns));
const worst = Math.max(...results.map((r) => r.ns));
const allMet = results.every((r) => r.met);
console.log(`typed error: ${typedWorst.toFixed(1)} ns (goal < ${TYPED_GOAL_NS} ns); slowest case: ${worst.toFixed(1)} ns `
  + `(goal < ${ANY_GOAL_NS} ns) -> goals ${allMet ? 'met' : 'NOT met'}`);
if (sink === 0) console.log('(sink)'); // never true: every status is >= 400
if (!allMet) process.exitCode = 1;
