#!/usr/bin/env node
// npm "install" step. In order:
//   1. an addon that already loads (prebuilds/<platform>-<arch>/ in the
//      package, or build/Release/ in a clone): done, silently, in well under a second;
//   2. otherwise compile from source with cmake-js (cmake >= 3.15, C++17), if
//      the build tools are at hand: cmake-js and node-addon-api are
//      devDependencies, so a clone has them and an install from the registry or
//      a tarball does not (a prebuild needs no build system: like sharp, a user
//      who must build adds them with the one command the warning prints);
//   3. if that is impossible or fails, the install still SUCCEEDS: the errors,
//      the classifier and the HTTP layer are pure JS. A warning says what is
//      missing, the build log is kept in build/boxlite-native-install.log, and
//      Runtime.open() later throws an EngineError that names the fix.
//
// npm hides an install script's output unless it fails (or --foreground-scripts),
// so a compile that takes a minute would look like a hang: progress goes to the
// terminal (/dev/tty) when there is one.
//
// Why not `node-gyp-build "cmake-js compile"`: node-gyp-build treats that
// argument as a pre-step and still runs `node-gyp rebuild` afterwards, which
// fails without a binding.gyp.
//
// BOXLITE_NATIVE_BUILD_FROM_SOURCE=1 (or npm's --build-from-source) skips step 1;
// BOXLITE_NATIVE_STRICT_INSTALL=1 makes step 3 fail the install (CI of this repo).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const truthy = (v) => /^(1|true)$/i.test(v || '');
const forceBuild = truthy(process.env.npm_config_build_from_source) || truthy(process.env.BOXLITE_NATIVE_BUILD_FROM_SOURCE);
const strict = truthy(process.env.BOXLITE_NATIVE_STRICT_INSTALL);
const logFile = path.join(root, 'build', 'boxlite-native-install.log');
/** The one documented way to build from source in a project that installed the package. */
const BUILD_FROM_SOURCE = 'npm install --save-dev cmake-js@8 node-addon-api@8 && npm rebuild boxlite-native';

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
  if (!process.stderr.isTTY) toTerminal(text);
}

let terminal; // fd of /dev/tty, null when there is none
/** Writes to the user's terminal past npm's capture; nothing without one (CI). */
function toTerminal(text) {
  if (terminal === undefined) {
    try { terminal = fs.openSync('/dev/tty', 'w'); } catch { terminal = null; }
  }
  if (terminal !== null) {
    try { fs.writeSync(terminal, text); } catch { /* the terminal went away */ }
  }
}

/**
 * A progress line. On stderr: npm shows it for a clone's own install (and
 * with --foreground-scripts), and CI logs keep it; a dependency's install
 * script output is captured, so it also goes to the terminal when there is one.
 */
function progress(line) {
  warn([line]);
}

function resolvable(id) {
  try {
    return require.resolve(id, { paths: [root] });
  } catch {
    return null;
  }
}

function giveUp(reason, detail, { toolsMissing = false } = {}) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, `${reason}\n\n${detail || ''}`);
  warn([
    `WARNING: no prebuilt addon for ${process.platform}-${process.arch} loads here, and it was not built from source`,
    `(${reason}).`,
    'The errors, classifyError and the HTTP handler work; Runtime.open() will throw until the addon is built.',
    'To build it: install cmake (>= 3.15) and a C++17 compiler (Debian/Ubuntu: apt-get install -y cmake g++),',
    toolsMissing ? `then, in your project: ${BUILD_FROM_SOURCE}` : 'then run `npm rebuild boxlite-native`.',
    `Build log: ${logFile}`,
  ]);
  process.exit(strict ? 1 : 0);
}

/** Runs cmake-js, keeping its output for the log and reporting each build step on the terminal. */
function compile(cmakeJs) {
  const jobs = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const started = Date.now();
  progress(`compiling the addon and the test engine from source (cmake-js, ${jobs} parallel jobs; about a minute)...`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cmakeJs, 'compile', '--parallel', String(jobs)], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      // Make-based generators read this too (ninja is parallel by itself).
      env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: String(jobs) },
    });
    // Bounded: the log keeps at most the last 16 MiB of compiler output.
    const LOG_LIMIT = 16 * 1024 * 1024;
    let output = '';
    let lastShown = 0;
    const collect = (chunk) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-LOG_LIMIT);
      // "[12/40] Building CXX ..." (ninja) or "[ 30%] Building CXX ..." (make): one line per second at most.
      for (const line of text.split('\n')) {
        const step = /^\[\s*(\d+\/\d+|\d+%)\]/.exec(line);
        if (step && Date.now() - lastShown >= 1000) {
          lastShown = Date.now();
          progress(`  ${step[1]} ${line.slice(step[0].length).trim().slice(0, 100)}`);
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ error, status: null, output }));
    child.on('close', (status) => {
      if (status === 0) progress(`compiled in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      resolve({ error: undefined, status, output });
    });
  });
}

async function main() {
  if (!forceBuild && loads()) return;
  const cmakeJs = resolvable('cmake-js/bin/cmake-js');
  const addonApi = resolvable('node-addon-api');
  if (!cmakeJs || !addonApi) {
    const missing = [!cmakeJs && 'cmake-js', !addonApi && 'node-addon-api'].filter(Boolean).join(' and ');
    giveUp(`the build tools ${missing} are not installed; they are needed only to build from source`, '', { toolsMissing: true });
  }
  const result = await compile(cmakeJs);
  if (result.error || result.status !== 0) {
    // Shown only on failure: a successful build needs no screen of compiler lines.
    const tail = result.output.trim().split('\n').slice(-15).join('\n');
    process.stderr.write(`${tail}\n`);
    giveUp(result.error ? result.error.message : `cmake-js exited with ${result.status}`, result.output);
  }
  fs.rmSync(logFile, { force: true });
  if (!loads()) giveUp('the addon built but does not load', result.output);
}

main().finally(() => {
  if (terminal) fs.closeSync(terminal);
});
