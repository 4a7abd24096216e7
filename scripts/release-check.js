#!/usr/bin/env node
// `npm run release:check`: proves the package a user would get works, before
// a release and in CI (.ci/run). Steps:
//   1. `npm pack` with BOXLITE_RELEASE=1: prepack compiles dist/ and builds this
//      platform's prebuilds (scripts/prebuild.js); a missing prebuild fails;
//   2. the tarball's file list: what must ship (prebuilds, LICENSE, examples,
//      lib/ for the source maps) and what must not (dev scripts, tests,
//      engine_check.cc); every dist/*.js.map names sources that ship;
//   3. installs it into a scratch project whose PATH holds only node, npm and
//      sh (no cc, c++, cmake, make): the install must succeed, compile nothing
//      and print no warning; then scripts/release/smoke.js (classifier, REST
//      handler on 127.0.0.1, test engine exec through boxlite-native/testing)
//      and the CLI's --version; counts the installed packages (no build system:
//      cmake-js and node-addon-api are devDependencies); runs the README's quick
//      start as written with no libboxlite; compiles strict TypeScript consumers
//      with TypeScript 5.9 and 7 (a project with only @types/node added); tries
//      the CLI's error paths (unknown flag, taken port, missing --library);
//   4. the same tarball with prebuilds/ removed: the install must still succeed
//      with a warning, the pure-JS parts work and Runtime.open() explains the fix;
//   5. that tarball again, in a fresh project on a PATH that has cmake, make and
//      a C++ compiler: the install warns (no build system comes with the
//      package), the README's one command builds the addon and the test engine
//      into build/Release/, and scripts/release/smoke.js from-source runs echo
//      on them through Runtime.open({ engine: 'test' }) and the REST handler.
// Everything lives in one temp directory, the tarball included, removed at the
// end, also when a signal stops it (kept with --keep).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const keep = process.argv.includes('--keep');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-release-'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const platformDir = `${process.platform}-${process.arch}`;
let failures = 0;

// A Ctrl-C, a CI timeout or a hangup would kill node at once and skip the
// `finally` that removes `work` (tarball, scratch projects and their
// node_modules). With a listener node stays, and the script stops through
// that `finally`. A listener cannot run while spawnSync blocks the loop: a
// signal to the whole process group (a terminal's Ctrl-C, a CI runner's
// cancel) also ends the step's command, which run() takes as the
// interruption; a signal to node alone is seen when the script next yields.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let interrupted = null;
for (const signal of STOP_SIGNALS) process.on(signal, () => { interrupted = interrupted || signal; });
function stopIfInterrupted() {
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
}

function step(title) {
  console.log(`\nrelease:check: ${title}`);
}
function check(ok, what) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
  return ok;
}
function run(cmd, args, opts = {}) {
  stopIfInterrupted();
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (STOP_SIGNALS.includes(r.signal)) interrupted = interrupted || r.signal;
  stopIfInterrupted();
  return { status: r.error ? -1 : r.status, out: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}`, ms: Date.now() - started };
}
/**
 * run() for a long command: asynchronous, in its own process group (so a
 * timeout or Ctrl-C ends the compilers under npm too, not just npm) and
 * session (no controlling terminal: scripts/install.js then writes only to
 * the captured stderr). Output beyond `limit` keeps its tail.
 */
function runLong(cmd, args, { timeoutMs, limit = 16 * 1024 * 1024, ...opts }) {
  stopIfInterrupted();
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stopped = '';
    const collect = (chunk) => { out = (out + chunk.toString('utf8')).slice(-limit); };
    const stopGroup = (why) => {
      stopped = why;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => stopGroup(`timed out after ${timeoutMs / 1000} s`), timeoutMs);
    const onSignal = (signal) => stopGroup(`interrupted (${signal})`);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const finish = (status, extra) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve({ status, out: `${out}${extra}${stopped ? `\n${cmd}: ${stopped}` : ''}`, ms: Date.now() - started, stopped });
    };
    child.on('error', (err) => finish(-1, err.message));
    child.on('close', (status) => finish(stopped ? -1 : status, ''));
  });
}
function tail(text, lines) {
  return text.trim().split('\n').slice(-lines).join('\n');
}
function indent(text) {
  return text.trim().split('\n').map((l) => `      ${l}`).join('\n');
}

/** node_modules directories in the parents of `dir`, where Node would also look for packages. */
function ancestorNodeModules(dir) {
  const found = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules');
    if (fs.existsSync(candidate)) found.push(candidate);
    if (path.dirname(d) === d) return found;
  }
}

/** npm pack --json's answer; lifecycle scripts print to the same stdout before it. */
function packJson(out) {
  const start = out.startsWith('[\n') ? 0 : out.lastIndexOf('\n[\n') + 1;
  return JSON.parse(out.slice(start))[0];
}

/** npm's own entry script: the one running us (npm run), else the `npm` on PATH. */
function npmCliPath() {
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) return process.env.npm_execpath;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error('npm not found on PATH');
}

/** A bin directory with node, npm and sh only: nothing that compiles. */
function barePath() {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(npmCliPath(), path.join(bin, 'npm'));
  // npm runs lifecycle scripts with sh; sh compiles nothing. The test engine
  // runs commands as host processes: the README's quick start runs `echo`.
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  for (const tool of ['echo', 'cat']) {
    const found = ['/bin', '/usr/bin'].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (found) fs.symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

/**
 * The directories of cmake, make and a C and C++ compiler on this machine's
 * PATH (never a node_modules/.bin, such as this repository's, which `npm run`
 * puts first): with `bin` ahead of them, a PATH like a user's after
 * `apt-get install cmake g++`. Names the tools it cannot find.
 */
function toolchainPath(bin) {
  const dirs = [];
  const missing = [];
  const searched = (process.env.PATH || '').split(path.delimiter).filter((d) => d && !d.split(path.sep).includes('node_modules'));
  for (const tools of [['cmake'], ['make'], ['c++', 'g++', 'clang++'], ['cc', 'gcc', 'clang']]) {
    const dir = searched.find((d) => tools.some((t) => fs.existsSync(path.join(d, t))));
    if (dir === undefined) missing.push(tools.join('/'));
    else if (!dirs.includes(dir)) dirs.push(dir);
  }
  return { path: [bin, ...dirs].join(path.delimiter), missing };
}

/** The README's command that builds from source: the ```sh block after "**No prebuild for your platform?**". */
function readmeBuildCommand() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /```sh\n([^\n]+)\n```/.exec(readme.slice(readme.indexOf('**No prebuild for your platform?**')));
  if (!block) throw new Error('README.md: no one-line ```sh block after "**No prebuild for your platform?**"');
  return block[1].trim();
}

function consumerProject(name) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  return dir;
}

function envWithPath(bin) {
  const env = { ...process.env, PATH: bin };
  // Run as a user would: none of this repo's npm context leaks in.
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'INIT_CWD') delete env[k];
  env.npm_config_cache = process.env.npm_config_cache || path.join(os.homedir(), '.npm');
  return env;
}

/** The README's quick start program: the first ```js block of "## Quick start", which names its file. */
function quickStartProgram() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Quick start\n'));
  const block = /```js\n(\/\/ (\S+\.mjs)\n[\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  if (!block) throw new Error('README.md: no ```js block starting with `// <name>.mjs` under "## Quick start"');
  return { file: block[2], source: block[1] };
}

/** module/moduleResolution settings a consumer may use, each with its package type and fixture. */
const TYPE_SETTINGS = [
  ['node16, CommonJS', 'commonjs', 'cjs.ts', ['--module', 'node16', '--moduleResolution', 'node16']],
  ['node16, ESM', 'module', 'esm.ts', ['--module', 'node16', '--moduleResolution', 'node16']],
  ['nodenext, CommonJS', 'commonjs', 'cjs.ts', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
  ['nodenext, ESM', 'module', 'esm.ts', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
  ['bundler, ESM', 'module', 'esm.ts', ['--module', 'esnext', '--moduleResolution', 'bundler']],
  ['bundler (preserve), CommonJS package', 'commonjs', 'esm.ts', ['--module', 'preserve', '--moduleResolution', 'bundler']],
];

// async for one step: a port held open while the CLI tries it.
(async () => {
try {
  // The consumer projects below must see only what they install: Node also
  // resolves packages from node_modules in every parent directory, so one
  // left in the temp dir's parents (say /tmp/node_modules) would hand them
  // this repository's devDependencies (cmake-js) and fake a fresh machine.
  step('scratch directory');
  const leaked = ancestorNodeModules(work);
  if (!check(leaked.length === 0, `no node_modules above ${work}${leaked.length ? `: found ${leaked.join(', ')} (remove it)` : ''}`)) {
    throw new Error('the scratch directory is not clean');
  }

  step('npm pack (prepack builds dist/ and the prebuilds)');
  const packed = run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: root, env: { ...process.env, BOXLITE_RELEASE: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (!check(packed.status === 0, `npm pack (${(packed.ms / 1000).toFixed(0)} s)`)) throw new Error(packed.out);
  const info = packJson(packed.out);
  const tarball = path.join(work, info.filename);
  const files = new Set(info.files.map((f) => f.path));
  console.log(`  tarball ${info.filename}: ${files.size} files, ${(info.size / 1024).toFixed(0)} KiB`);

  step('tarball contents');
  const engine = process.platform === 'darwin' ? 'libboxlite-test-engine.dylib' : 'libboxlite-test-engine.so';
  const must = [
    'LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/testing.js',
    'dist/testing.d.ts', 'dist/cli.js', 'lib/index.ts', 'examples/exec-stream.js', 'examples/express-service.js',
    'scripts/install.js', 'CMakeLists.txt', 'binding.cc', 'test/engine/README.md', `prebuilds/${platformDir}/${engine}`,
  ];
  for (const f of must) check(files.has(f), `ships ${f}`);
  check([...files].some((f) => f.startsWith(`prebuilds/${platformDir}/boxlite-native.`) && f.endsWith('.node')),
    `ships prebuilds/${platformDir}/boxlite-native*.node`);
  const forbidden = [...files].filter((f) => (f.startsWith('scripts/') && f !== 'scripts/install.js')
    || f.startsWith('test/engine/check/') || (f.startsWith('test/') && !f.startsWith('test/engine/'))
    || f.startsWith('bench/') || f.startsWith('.ci/') || f.startsWith('build/') || f.startsWith('node_modules/'));
  check(forbidden.length === 0, `no development files${forbidden.length ? `: ${forbidden.join(', ')}` : ''}`);
  const unresolved = [];
  for (const f of files) {
    if (!f.endsWith('.js.map')) continue;
    const map = JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
    for (const s of map.sources) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), map.sourceRoot || '', s));
      if (!files.has(target)) unresolved.push(`${f} -> ${target}`);
    }
  }
  check(unresolved.length === 0, `every dist/*.js.map source ships${unresolved.length ? `: ${unresolved.slice(0, 5).join(', ')}` : ''}`);

  const bin = barePath();
  const env = envWithPath(bin);
  for (const tool of ['cc', 'gcc', 'c++', 'g++', 'clang', 'cmake', 'make']) {
    check(run(tool, ['--version'], { env }).status === -1, `${tool} is not on the scratch PATH`);
  }

  step(`install the tarball without a compiler (PATH=${bin})`);
  const app = consumerProject('app');
  const installed = run('npm', ['install', tarball, '--no-audit', '--no-fund'], { cwd: app, env });
  console.log(indent(installed.out));
  check(installed.status === 0, `npm install succeeded (${(installed.ms / 1000).toFixed(1)} s, dependencies included)`);
  // npm >= 11 ends every install of a package with install scripts with its
  // "install-scripts not yet covered by allowScripts" review notice: npm's
  // policy prompt, not a problem of this package (with scripts denied, the
  // prebuild still loads: see the --ignore-scripts install below).
  const ownOutput = installed.out.split('\n').filter((l) => !/^npm warn install-scripts\b/.test(l)).join('\n');
  check(!/warn|error|fail/i.test(ownOutput), 'npm install printed no warning or error (besides npm\'s allowScripts notice)');
  const installedDir = path.join(app, 'node_modules', 'boxlite-native');
  check(!fs.existsSync(path.join(installedDir, 'build')), 'nothing was compiled (no build/ directory)');
  // Copied into the project: run from here, `require('boxlite-native')` would
  // resolve to this repository itself (a package may require its own name).
  fs.copyFileSync(path.join(__dirname, 'release', 'smoke.js'), path.join(app, 'smoke.js'));
  const smoke = run('node', ['smoke.js', 'full'], { cwd: app, env });
  console.log(indent(smoke.out));
  check(smoke.status === 0, 'smoke test: classifier, REST handler, test engine exec');
  const version = run(path.join(app, 'node_modules', '.bin', 'boxlite-native'), ['--version'], { cwd: app, env });
  check(version.status === 0 && version.out.trim() === pkg.version, `boxlite-native --version prints ${pkg.version} (got ${JSON.stringify(version.out.trim())})`);

  step('installed packages (a prebuild needs no build system)');
  const listed = run('npm', ['ls', '--all', '--parseable'], { cwd: app, env });
  const packages = [...new Set(listed.out.trim().split('\n').filter((l) => l.includes(`${path.sep}node_modules${path.sep}`)))]
    .map((l) => path.relative(path.join(app, 'node_modules'), l));
  console.log(`  ${packages.length} packages installed: ${packages.join(', ')}`);
  for (const tool of ['cmake-js', 'node-addon-api']) {
    check(!packages.some((p) => p === tool || p.endsWith(`/node_modules/${tool}`)), `${tool} is not installed (needed only to build from source)`);
  }

  step("the README's quick start, as written, on a machine without libboxlite");
  const quick = quickStartProgram();
  fs.writeFileSync(path.join(app, quick.file), quick.source);
  const noLibrary = { ...env };
  delete noLibrary.BOXLITE_LIBRARY;
  const quickRun = run('node', [quick.file], { cwd: app, env: noLibrary });
  console.log(indent(quickRun.out));
  check(quickRun.status === 0 && /^0 hello from a box$/m.test(quickRun.out), `node ${quick.file} prints "0 hello from a box"`);
  check(/NOTHING IS ISOLATED/.test(quickRun.out), 'it warned that the test engine isolates nothing');

  step('strict TypeScript consumers: only @types/node added, no other configuration');
  const typesApp = consumerProject('app-types');
  const typesInstall = run('npm', ['install', tarball, '@types/node', '--no-audit', '--no-fund'], { cwd: typesApp, env });
  check(typesInstall.status === 0, `npm install <tarball> @types/node (${(typesInstall.ms / 1000).toFixed(1)} s)`);
  const compilers = [['TypeScript 5.9', 'typescript'], ['TypeScript 7', 'typescript7']];
  for (const [label, dir] of compilers) {
    const tsc = path.join(root, 'node_modules', dir, 'bin', 'tsc');
    const version = run(process.execPath, [tsc, '--version']).out.trim();
    for (const [name, type, fixture, flags] of TYPE_SETTINGS) {
      fs.writeFileSync(path.join(typesApp, 'package.json'), JSON.stringify({ name: 'app-types', private: true, type }));
      fs.copyFileSync(path.join(root, 'test', 'fixtures', 'types-consumer', fixture), path.join(typesApp, 'consumer.ts'));
      const compiled = run(process.execPath, [tsc, '--strict', '--noEmit', ...flags, 'consumer.ts'], { cwd: typesApp, env });
      if (compiled.status !== 0) console.log(indent(compiled.out.split('\n').slice(0, 20).join('\n')));
      check(compiled.status === 0, `${label} (${version}): tsc --strict --noEmit, ${name}`);
    }
  }

  step("the CLI's error paths");
  const cliBin = path.join(app, 'node_modules', '.bin', 'boxlite-native');
  const unknown = run(cliBin, ['serve', '--bogus'], { cwd: app, env });
  check(unknown.status === 1 && unknown.out.trim().split('\n').length === 2 && /--help/.test(unknown.out),
    `an unknown flag: one line and a pointer to --help, exit 1 (got ${unknown.status}: ${JSON.stringify(unknown.out.trim())})`);
  const missing = run(cliBin, ['serve', '--port', '0', '--library', '/nonexistent/libboxlite.so'], { cwd: app, env: noLibrary });
  check(missing.status === 1 && /--engine test/.test(missing.out) && /BOXLITE_LIBRARY/.test(missing.out) && !/libraryPath/.test(missing.out),
    '--library /nonexistent: exit 1, advises --library/BOXLITE_LIBRARY and --engine test (no JS option)');
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const takenPort = blocker.address().port;
  // spawnSync blocks this process; the kernel still holds the port, which is all the CLI needs to find it taken.
  const taken = run(cliBin, ['serve', '--engine', 'test', '--port', String(takenPort)], { cwd: app, env: noLibrary });
  blocker.close();
  check(taken.status === 1 && taken.out.includes(`port ${takenPort} is already in use`) && !/listen EADDRINUSE/.test(taken.out),
    `a taken port: names port ${takenPort} and what to do, exit 1`);

  step('install with scripts denied (--ignore-scripts, or npm allowScripts without approval)');
  const app3 = consumerProject('app-ignore-scripts');
  const installed3 = run('npm', ['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app3, env });
  check(installed3.status === 0, `npm install --ignore-scripts succeeded (${(installed3.ms / 1000).toFixed(1)} s)`);
  fs.copyFileSync(path.join(__dirname, 'release', 'smoke.js'), path.join(app3, 'smoke.js'));
  const smoke3 = run('node', ['smoke.js', 'full'], { cwd: app3, env });
  if (smoke3.status !== 0) console.log(indent(smoke3.out));
  check(smoke3.status === 0, 'smoke test passes without the install script (the prebuild loads on its own)');

  step('the same tarball without prebuilds/, no compiler: install succeeds with a warning');
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  check(run('tar', ['-xzf', tarball, '-C', unpacked]).status === 0, 'unpack');
  fs.rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true, force: true });
  const repacked = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', path.join(work, 'unpacked')], { cwd: path.join(unpacked, 'package') });
  check(repacked.status === 0, 'repack without prebuilds');
  const bareTarball = path.join(unpacked, packJson(repacked.out).filename);
  const app2 = consumerProject('app-no-prebuild');
  // --foreground-scripts: npm otherwise hides the output of a script that
  // succeeds (install.js also writes the warning to the terminal, when there is one).
  const installed2 = run('npm', ['install', bareTarball, '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: app2, env });
  console.log(indent(installed2.out.split('\n').slice(-12).join('\n')));
  check(installed2.status === 0, `npm install succeeded (${(installed2.ms / 1000).toFixed(1)} s)`);
  check(/WARNING: no prebuilt addon/.test(installed2.out)
    && installed2.out.includes('npm install --save-dev cmake-js@8 node-addon-api@8 && npm rebuild boxlite-native'),
    'it warned, naming the one command that builds from source');
  fs.copyFileSync(path.join(__dirname, 'release', 'smoke.js'), path.join(app2, 'smoke.js'));
  const smoke2 = run('node', ['smoke.js', 'no-addon'], { cwd: app2, env });
  console.log(indent(smoke2.out));
  check(smoke2.status === 0, 'pure-JS parts work; Runtime.open() explains the fix');

  // The README promises that one command builds from source. Proven on what
  // a user would have: the tarball without prebuilds/, a fresh project and a
  // PATH with the build tools the warning asks for.
  const command = readmeBuildCommand();
  const toolchain = toolchainPath(bin);
  const fromSourceStarted = Date.now();
  step(`the same tarball without prebuilds/, built from source with the README's command (PATH=${toolchain.path})`);
  if (!check(toolchain.missing.length === 0, `cmake, make and a C/C++ compiler on PATH${toolchain.missing.length ? `: missing ${toolchain.missing.join(', ')} (apt-get install -y cmake g++ make)` : ''}`)) {
    throw new Error('no build tools to build from source with');
  }
  const toolchainEnv = { ...env, PATH: toolchain.path };
  const app4 = consumerProject('app-from-source');
  const installed4 = run('npm', ['install', bareTarball, '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: app4, env: toolchainEnv });
  if (installed4.status !== 0) console.log(indent(tail(installed4.out, 20)));
  check(installed4.status === 0, `npm install succeeded (${(installed4.ms / 1000).toFixed(1)} s)`);
  // A compiler alone builds nothing: the package brings no build system.
  check(/WARNING: no prebuilt addon/.test(installed4.out) && installed4.out.includes(command),
    `with a compiler but no cmake-js it warned, naming the README's command: ${command}`);
  const builtDir = path.join(app4, 'node_modules', 'boxlite-native', 'build', 'Release');
  check(!fs.existsSync(path.join(builtDir, 'boxlite-native.node')), 'nothing was built yet');

  const built = await runLong('sh', ['-c', command], { cwd: app4, env: toolchainEnv, timeoutMs: 20 * 60 * 1000 });
  console.log(indent(tail(built.out, 40)));
  if (built.stopped) throw new Error(`the README's command was stopped: ${built.stopped}`);
  // npm rebuild exits 0 even when the build fails (an install never fails
  // for want of the addon), and hides the script's warning then: what tells
  // is the build log scripts/install.js keeps only when the build failed.
  check(built.status === 0, `the README's command exited 0 (${(built.ms / 1000).toFixed(0)} s: cmake-js and node-addon-api installed, then npm rebuild)`);
  const buildLog = path.join(app4, 'node_modules', 'boxlite-native', 'build', 'boxlite-native-install.log');
  if (!check(!fs.existsSync(buildLog), 'the build succeeded (no build/boxlite-native-install.log, which install.js keeps only when it fails)')) {
    console.log(`      last lines of ${buildLog}:`);
    console.log(indent(tail(fs.readFileSync(buildLog, 'utf8'), 30)));
  }
  // As in the install without a compiler: npm's allowScripts review notice is npm's policy, anything else is news.
  const npmNotices = built.out.split('\n').filter((l) => /warn|error|ERR!/i.test(l)
    && !/^npm warn install-scripts\b/.test(l) && !/^npm warn rebuild \d+ packages? ha(s|ve) install scripts not yet covered by allowScripts/.test(l));
  check(npmNotices.length === 0, `no warning or error besides npm's allowScripts notice${npmNotices.length ? `: ${npmNotices.slice(0, 5).join(' | ')}` : ''}`);
  const builtFiles = ['boxlite-native.node', engine, engine.replace('libboxlite-test-engine', 'libboxlite-test-engine-classic')];
  let allBuilt = true;
  for (const f of builtFiles) allBuilt = check(fs.existsSync(path.join(builtDir, f)), `built build/Release/${f}`) && allBuilt;
  const devDeps = JSON.parse(fs.readFileSync(path.join(app4, 'package.json'), 'utf8')).devDependencies || {};
  check(/^\^?8\./.test(devDeps['cmake-js'] || '') && /^\^?8\./.test(devDeps['node-addon-api'] || ''),
    `the project lists cmake-js@8 and node-addon-api@8 as devDependencies (got ${JSON.stringify(devDeps)})`);
  if (allBuilt) {
    fs.copyFileSync(path.join(__dirname, 'release', 'smoke.js'), path.join(app4, 'smoke.js'));
    const smoke4 = run('node', ['smoke.js', 'from-source'], { cwd: app4, env: toolchainEnv });
    console.log(indent(smoke4.out));
    check(smoke4.status === 0, 'the addon and the test engine load from build/Release/; Runtime.open() runs echo; REST handler');
  } else {
    check(false, 'smoke test not run: nothing to load');
  }
  console.log(`  (this step: ${((Date.now() - fromSourceStarted) / 1000).toFixed(0)} s)`);
} catch (err) {
  check(false, `release check aborted: ${err && err.message ? err.message.slice(0, 4000) : err}`);
} finally {
  if (keep) console.log(`\nrelease:check: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
console.log(`\nrelease:check: ${failures === 0 ? 'PASSED' : `FAILED (${failures} check(s))`}`);
process.exit(failures === 0 ? 0 : 1);
})();
