#!/usr/bin/env node
// npm "prepare": compiles lib/ into dist/ (scripts/build-ts.js) and, when the
// addon is built in this tree, refreshes this platform's prebuild. npm runs it
//   - after `npm install` / `npm ci` in a clone,
//   - when installing from git (`npm install git+https://...`, `git+file://...`):
//     npm clones, installs the clone's dependencies (dev ones included), runs
//     prepare, packs (prepack builds the prebuilds) and installs that tarball,
//   - when packing or publishing.
//
// One more route has no dependencies at all: `npm install file:../clone` of a
// clone nobody built. npm links the directory and runs only this script, in a
// directory with no node_modules (hence no TypeScript, no cmake-js). Then the
// clone's own locked dependencies are installed first (`npm ci
// --ignore-scripts`, once), and the native addon is built or a prebuild used
// (scripts/install.js), so the link works like any install.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function node(script) {
  const r = spawnSync(process.execPath, [path.join(__dirname, script)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

function resolvable(id) {
  try {
    require.resolve(id, { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

if (!resolvable('typescript/bin/tsc')) {
  if (!fs.existsSync(path.join(root, 'package-lock.json'))) {
    console.error('boxlite-native: cannot build dist/: TypeScript is not installed and there is no package-lock.json');
    process.exit(1);
  }
  console.log('boxlite-native: building an unbuilt checkout (no node_modules): installing its locked dependencies once');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const env = { ...process.env };
  // The outer npm's settings for *its* project must not leak into this one.
  for (const k of Object.keys(env)) if (/^npm_(config_|package_|lifecycle_)/.test(k) && k !== 'npm_config_cache') delete env[k];
  const r = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--include=dev'], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status || 1);
  node('build-ts.js');
  node('install.js');
} else {
  // Half a minute on a small machine: say so, or a clone's install looks stuck.
  console.error('boxlite-native: compiling lib/ to dist/ (TypeScript)...');
  node('build-ts.js');
  // When the addon was just built from source here (a clone, or npm's
  // checkout of a git dependency), turn it into this platform's prebuild too:
  // npm packs a git dependency without running prepack, and with the prebuild
  // in that tarball the final install compiles nothing a second time.
  // Incremental (cmake-js finds nothing to do); failure only costs that.
  if (fs.existsSync(path.join(root, 'build', 'Release', 'boxlite-native.node'))) {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'prebuild.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) console.error('boxlite-native: prepare: could not refresh prebuilds/ (continuing; installs from this tree build from source)');
  }
}
