#!/usr/bin/env node
// npm "install" step. In order:
//   1. an addon that already loads (prebuilds/<platform>-<arch>/ in the
//      package, or build/Release/ in a clone): done, silently, in well under a second;
//   2. otherwise compile from source with cmake-js (cmake >= 3.15, C++17);
//   3. if that fails, the install still SUCCEEDS: the errors, the classifier
//      and the HTTP layer are pure JS. A warning says what is missing, the
//      build log is kept in build/boxlite-native-install.log, and
//      Runtime.open() later throws an EngineError that names the fix.
//
// Why not `node-gyp-build "cmake-js compile"`: node-gyp-build treats that
// argument as a pre-step and still runs `node-gyp rebuild` afterwards, which
// fails without a binding.gyp.
//
// BOXLITE_NATIVE_BUILD_FROM_SOURCE=1 (or npm's --build-from-source) skips step 1;
// BOXLITE_NATIVE_STRICT_INSTALL=1 makes step 3 fail the install (CI of this repo).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const truthy = (v) => /^(1|true)$/i.test(v || '');
const forceBuild = truthy(process.env.npm_config_build_from_source) || truthy(process.env.BOXLITE_NATIVE_BUILD_FROM_SOURCE);
const strict = truthy(process.env.BOXLITE_NATIVE_STRICT_INSTALL);
const logFile = path.join(root, 'build', 'boxlite-native-install.log');

function loads() {
  // Load in a child: a broken binary must not take this process down.
  const probe = spawnSync(process.execPath, ['-e', `require('node-gyp-build')(${JSON.stringify(root)})`], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/**
 * npm (7+) hides an install script's output when the script succeeds, so a
 * warning on stderr alone would never be seen. Also write it to the terminal
 * when there is one; on CI (no terminal) stderr is what the log keeps.
 */
function warn(lines) {
  const text = lines.map((l) => `boxlite-native: ${l}`).join('\n') + '\n';
  process.stderr.write(text);
  if (process.stderr.isTTY) return;
  try {
    const fd = fs.openSync('/dev/tty', 'w');
    try { fs.writeSync(fd, text); } finally { fs.closeSync(fd); }
  } catch { /* no controlling terminal */ }
}

function giveUp(reason, detail) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, `${reason}\n\n${detail || ''}`);
  warn([
    `WARNING: no prebuilt addon for ${process.platform}-${process.arch} loads here and building it from source failed`,
    `(${reason}).`,
    'The errors, classifyError and the HTTP handler work; Runtime.open() will throw until the addon is built.',
    'Fix: install cmake (>= 3.15) and a C++17 compiler (Debian/Ubuntu: apt-get install -y cmake g++),',
    'then run `npm rebuild boxlite-native`. Build log: ' + logFile,
  ]);
  process.exit(strict ? 1 : 0);
}

if (!forceBuild && loads()) process.exit(0);

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
} catch {
  giveUp('cmake-js is not installed next to boxlite-native');
}
// The compiler's output is kept for the log and shown only on failure: a
// successful build needs no screen of compiler lines.
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
});
const output = `${result.stdout || ''}${result.stderr || ''}`;
if (result.error || result.status !== 0) {
  const tail = output.trim().split('\n').slice(-15).join('\n');
  process.stderr.write(`${tail}\n`);
  giveUp(result.error ? result.error.message : `cmake-js exited with ${result.status}`, output);
}
fs.rmSync(logFile, { force: true });
if (!loads()) giveUp('the addon built but does not load', output);
