#!/usr/bin/env node
// Runs every bench/*.js except itself and stress.js (`npm run stress`: GBs of
// load, a different question), one after another, each in its own Node
// process (so one benchmark's JIT state or heap never skews another's).
// Exits non-zero if any of them did.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const skip = new Set([path.basename(__filename), 'stress.js']);
const scripts = fs.readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && !skip.has(f))
  .sort();

const failed = [];
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`);
  const r = spawnSync(process.execPath, [path.join(__dirname, script)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed.push(`${script} (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`})`);
}
console.log(`\n${scripts.length - failed.length}/${scripts.length} benchmarks finished cleanly`
  + (failed.length ? `; failed: ${failed.join(', ')}` : ''));
if (failed.length) process.exitCode = 1;
