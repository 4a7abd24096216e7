#!/usr/bin/env node
// @ts-nocheck
// Stands in for node-gyp under prebuildify, which can only drive node-gyp:
//
//   prebuildify --node-gyp "node scripts/prebuildify-cmake-shim.js"
//
// prebuildify runs `<node-gyp> rebuild --target=<node version> --devdir=<dir>
// --arch=<arch> --release|--debug` in the package root, then takes the first
// build/Release/*.node (and copies every *.so / *.dylib found there, so the
// test engine ships too). This runs `cmake-js rebuild` instead, which writes
// build/Release/boxlite-native.node.
//
// --target and --devdir are dropped on purpose: the addon is built against
// N-API (package.json "binary.napi_versions"), so cmake-js takes its headers
// from node-api-headers and needs neither a Node version nor a download.
// cmake-js's own --target would mean a CMake target, not a Node version.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith('-'));

if (command !== 'rebuild' && command !== 'build') {
  console.error(`prebuildify-cmake-shim: node-gyp command ${JSON.stringify(command)} is not supported (only rebuild, build)`);
  process.exit(2);
}

const cmakeArgs = [require.resolve('cmake-js/bin/cmake-js', { paths: [root] }), command === 'rebuild' ? 'rebuild' : 'compile'];
for (const arg of argv) {
  if (arg.startsWith('--arch=')) cmakeArgs.push('--arch', arg.slice('--arch='.length));
  else if (arg === '--debug') cmakeArgs.push('--debug');
  // --release is cmake-js's default; --target=, --devdir=, --build_v8_with_gn= do not apply.
}

console.log(`prebuildify-cmake-shim: node-gyp ${argv.join(' ')}\n  -> cmake-js ${cmakeArgs.slice(1).join(' ')}`);
const result = spawnSync(process.execPath, cmakeArgs, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`prebuildify-cmake-shim: could not run cmake-js: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
