#!/usr/bin/env node
// Builds the prebuilt binaries the npm package ships, in prebuildify's layout
// (the one node-gyp-build loads):
//
//   prebuilds/<platform>-<arch>/boxlite-native[.glibc|.musl].node        the addon (N-API 8, any Node >= 20)
//   prebuilds/<platform>-<arch>/libboxlite-test-engine.{so,dylib}        the test engine (boxlite-native/testing)
//
// It builds for the machine it runs on: linux-x64 and linux-arm64 (glibc) on a
// Linux host of that architecture, darwin-arm64 on an Apple Silicon Mac. A
// release collects the directories from each platform's run into one
// prebuilds/ before `npm pack` (.github/workflows/prebuilds.yml does that).
//
//   node scripts/prebuild.js [--arch x64|arm64] [--out DIR]   (writes DIR/prebuilds/; DIR defaults to the package root)
//
// The addon goes through prebuildify (its naming and libc tags are what
// node-gyp-build looks for, and it copies and strips the test engine, a shared
// library in build/Release, next to it). prebuildify can only drive node-gyp,
// so scripts/prebuildify-cmake-shim.js stands in for node-gyp and runs
// cmake-js. Each binary is then loaded in a child process to prove it works
// before it counts.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { arch: { type: 'string' }, out: { type: 'string' } } });
const arch = values.arch || process.arch;
const platform = process.platform;
const SUPPORTED = ['linux-x64', 'linux-arm64', 'darwin-arm64'];
if (!SUPPORTED.includes(`${platform}-${arch}`)) {
  console.error(`prebuild: ${platform}-${arch} is not a platform BoxLite supports (${SUPPORTED.join(', ')})`);
  process.exit(2);
}

function libcTag() {
  if (platform !== 'linux') return '';
  // glibcVersionRuntime is absent on musl; node-gyp-build matches the tag.
  const header = process.report && process.report.getReport().header;
  return header && header.glibcVersionRuntime ? '.glibc' : '.musl';
}

function run(cmd, args, opts = {}) {
  console.log(`prebuild: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}`);
}

const engineName = platform === 'darwin' ? 'libboxlite-test-engine.dylib' : 'libboxlite-test-engine.so';
const outRoot = path.resolve(root, values.out || '.');
const outDir = path.join(outRoot, 'prebuilds', `${platform}-${arch}`);
fs.rmSync(outDir, { recursive: true, force: true });
const prebuildify = require.resolve('prebuildify/bin.js', { paths: [root] });
const shim = `"${process.execPath}" "${path.join(__dirname, 'prebuildify-cmake-shim.js')}"`;
run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--name', 'boxlite-native',
  '--arch', arch, '--out', outRoot, '--shell', 'sh', '--node-gyp', shim]);

const addonOut = path.join(outDir, `boxlite-native${libcTag()}.node`);
const engineOut = path.join(outDir, engineName);
for (const file of [addonOut, engineOut]) {
  if (!fs.existsSync(file)) {
    console.error(`prebuild: prebuildify did not produce ${path.relative(root, file)}`);
    process.exit(1);
  }
}

// prebuildify *moves* the built addon out of build/Release. Put a copy back:
// a clone's tests, the loader's "next to the addon" search and the next
// incremental build all expect build/Release/boxlite-native.node (and
// node-gyp-build prefers it to prebuilds/, so a clone runs what it compiled).
const builtAddon = path.join(root, 'build', 'Release', 'boxlite-native.node');
if (!fs.existsSync(builtAddon)) fs.copyFileSync(addonOut, builtAddon);

if (arch === process.arch) {
  // Both must load here, the addon through node-gyp-build exactly as a user's install does.
  const probe = `
    const addon = require(${JSON.stringify(addonOut)});
    if (typeof addon.openRuntime !== 'function') throw new Error('addon has no openRuntime');
    process.dlopen({ exports: {} }, ${JSON.stringify(engineOut)}, require('node:os').constants.dlopen.RTLD_NOW);
  `;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  // dlopen of a plain C library through process.dlopen fails with "Module did
  // not self-register" once it has loaded; anything else is a real failure.
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 && !/did not self-register/.test(out)) {
    console.error(`prebuild: the new binaries do not load:\n${out}`);
    process.exit(1);
  }
}
for (const file of [addonOut, engineOut]) {
  console.log(`prebuild: ${path.relative(root, file)} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
}
