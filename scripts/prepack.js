#!/usr/bin/env node
// npm "prepack" (npm pack / npm publish, and npm's packing of a git
// dependency): builds this platform's prebuilt binaries into
// prebuilds/<platform>-<arch>/ (scripts/prebuild.js) so the tarball installs
// without a compiler. dist/ is compiled by "prepare", which npm runs right
// after prepack on every pack and publish.
//
// Prebuilds are built at pack time, never committed: binaries in git go stale
// silently, and a release collects every platform's directory (built on that
// platform) into prebuilds/ before packing. Directories already there for
// other platforms are kept.
//
// If the native build fails here, the tarball is still packed (without this
// platform's prebuild; an install then builds from source) and a warning says
// so, unless BOXLITE_RELEASE=1 (`npm run release:check`, a real release): then
// a missing prebuild fails the pack.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const release = /^(1|true)$/i.test(process.env.BOXLITE_RELEASE || '');

function node(script) {
  return spawnSync(process.execPath, [path.join(__dirname, script)], { cwd: root, stdio: 'inherit' }).status;
}

if (node('prebuild.js') !== 0) {
  if (release) {
    console.error('prepack: the prebuild failed (BOXLITE_RELEASE=1): not packing a release without it');
    process.exit(1);
  }
  console.error(`prepack: WARNING: no prebuild for ${process.platform}-${process.arch} in this tarball; installs will build from source`);
}
