#!/usr/bin/env node
// Keeps `npm ci` working. The official client @boxlite-ai/boxlite 0.10.0 (a
// devDependency, for compatibility tests) declares optional platform packages
// that were never published (darwin-arm64, linux-arm64-gnu). npm cannot resolve
// them, leaves them out of a lock it writes from scratch, and `npm ci` then
// refuses that lock as "out of sync". Recording them as optional,
// platform-bound entries without a tarball lets `npm ci` skip them like any
// foreign-platform package, and `npm install` keeps such entries.
//
// Only needed after a lock is regenerated from scratch (or the SDK's version
// changes). The script then lets npm re-serialise the lock, so the committed
// file is byte-for-byte what `npm install` writes (entry order, key order) and
// a later `npm install` leaves it alone.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockPath = path.join(root, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const sdk = lock.packages['node_modules/@boxlite-ai/boxlite'];
const PLATFORM_OF = {
  '@boxlite-ai/boxlite-darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  '@boxlite-ai/boxlite-linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  '@boxlite-ai/boxlite-linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
};
let changed = 0;
for (const [name, version] of Object.entries((sdk && sdk.optionalDependencies) || {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key] || !PLATFORM_OF[name]) continue;
  lock.packages[key] = { version, dev: true, optional: true, ...PLATFORM_OF[name] };
  changed++;
}
if (changed) {
  fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
  // npm's own serialisation (sorted entries and keys); it keeps the entries.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: root, stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status || 1);
}
console.log(`patch-lockfile: ${changed} unpublished optional package(s) recorded`);
