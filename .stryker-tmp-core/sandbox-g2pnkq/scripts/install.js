#!/usr/bin/env node
// @ts-nocheck
// npm "install" step: use a prebuilt (or already built) addon when one loads,
// otherwise compile from source with cmake-js.
//
// Why not `node-gyp-build "cmake-js compile"`: node-gyp-build treats that
// argument as a pre-step and still runs `node-gyp rebuild` afterwards, which
// fails without a binding.gyp.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const forceBuild = /^(1|true)$/i.test(process.env.npm_config_build_from_source || '')
  || /^(1|true)$/i.test(process.env.BOXLITE_NATIVE_BUILD_FROM_SOURCE || '');

function loads() {
  // Load in a child: a broken binary must not take this process down.
  const probe = spawnSync(process.execPath, ['-e', `require('node-gyp-build')(${JSON.stringify(root)})`], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

if (!forceBuild && loads()) {
  process.exit(0);
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('\nboxlite-native: building the native addon failed. It needs cmake (>= 3.15) and a C++17 compiler.');
  console.error('On Debian/Ubuntu: apt-get install -y cmake g++');
  process.exit(result.status || 1);
}
