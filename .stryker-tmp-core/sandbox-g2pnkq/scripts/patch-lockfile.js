#!/usr/bin/env node
// @ts-nocheck
// Keeps `npm ci` working. The official client @boxlite-ai/boxlite 0.10.0 (a
// devDependency, for compatibility tests) declares optional platform packages
// that were never published (darwin-arm64, linux-arm64-gnu). npm cannot resolve
// them, leaves them out of package-lock.json, and `npm ci` then refuses the
// lock as "out of sync". Recording them as optional, platform-bound entries
// without a tarball lets `npm ci` skip them like any foreign-platform package.
// Run after every `npm install` that rewrites the lock.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.resolve(__dirname, '..', 'package-lock.json');
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
if (changed) fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`patch-lockfile: ${changed} unpublished optional package(s) recorded`);
