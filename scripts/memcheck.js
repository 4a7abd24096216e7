#!/usr/bin/env node
// npm run test:memcheck: the native addon (and the test engine it drives)
// under valgrind's memcheck. Exits non-zero on any invalid access, use of
// uninitialised memory, bad free, or definite leak whose stacks touch our code.
//
// How:
//  1. builds the addon and the test engine with debug info (-O0 -g) into a
//     separate build dir (a fresh os.tmpdir()/boxlite-native-memcheck-XXXXXX/build,
//     unique per run so concurrent runs never overwrite each other), so the
//     shared build/ is left alone;
//  2. assembles a scratch package (lib/ transpiled to dist/, that build in
//     build/Release/) like an installed boxlite-native;
//  3. runs this script's --scenario under valgrind: lifecycle, streaming,
//     stdin, kill/signal/timeout, injected faults (sync, async, runtime_new),
//     misuse, close with live work, a runtime dropped without close (GC),
//     a worker thread terminated with live work, a failed library load;
//  4. reads valgrind's XML report and fails if an error has a stack frame in
//     boxlite-native.node or libboxlite-test-engine.so. Errors entirely inside
//     Node/V8 (JIT code, its own exit-time leaks) are counted but not ours.
//
// Valgrind rather than ASan: Node itself is not built with ASan, and an
// LD_PRELOADed ASan runtime reports Node's own exit-time leaks with no
// reliable way to keep only ours; valgrind's stacks make that filter exact.
// Needs valgrind (Debian: apt-get install valgrind). Takes a few minutes.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const OUR_OBJECTS = /(boxlite-native\.node|libboxlite-test-engine(-classic)?\.so)$/;

if (process.argv[2] === '--scenario') {
  runScenario(process.argv[3]).then(
    () => console.log('memcheck scenario: ok'),
    (err) => {
      console.error('memcheck scenario failed:', err);
      process.exitCode = 1;
    },
  );
} else {
  main();
}

// ---- driver -------------------------------------------------------------------

function main() {
  const version = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    fail('valgrind is not installed (Debian/Ubuntu: apt-get install valgrind)');
  }
  // Unique per run: two concurrent runs must not build into (or read the
  // report of) each other. Removed after a clean run; kept on failure.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-memcheck-'));
  const buildDir = path.join(work, 'build');
  const pkg = path.join(work, 'pkg');
  console.log(`memcheck: ${version.stdout.trim()}; building with debug info in ${buildDir}`);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const build = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', buildDir, '--debug'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    fail('the debug build failed');
  }
  const built = path.join(buildDir, 'Debug');
  assemblePackage(pkg, built);

  const xml = path.join(work, 'valgrind.xml');
  console.log('memcheck: running the scenario under valgrind (a few minutes)...');
  const run = spawnSync('valgrind', [
    '--tool=memcheck',
    '--leak-check=full',
    '--show-leak-kinds=definite,indirect',
    '--errors-for-leak-kinds=definite,indirect',
    '--track-origins=yes',
    '--error-limit=no',
    '--num-callers=40',
    '--xml=yes',
    `--xml-file=${xml}`,
    process.execPath, '--expose-gc', __filename, '--scenario', pkg,
  ], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, BOXLITE_LIBRARY: '' },
  });
  // Valgrind 3.19 does not know the pidfd_open syscall (the engine then falls
  // back to polling) and warns about it on every exec: drop that noise only.
  const noise = /^--\d+-- (WARNING: unhandled .* syscall: 434|You may be able to write|Read the file README_MISSING|Nevertheless we consider|it at http:\/\/valgrind\.org)/;
  process.stderr.write((run.stderr || '').split('\n').filter((line) => !noise.test(line)).join('\n'));
  if (run.status !== 0) fail(`the scenario exited with ${run.status ?? run.signal} under valgrind`);

  const errors = parseErrors(fs.readFileSync(xml, 'utf8'));
  const ours = errors.filter((e) => e.objects.some((o) => OUR_OBJECTS.test(o)));
  console.log(`memcheck: valgrind reported ${errors.length} error(s); ${errors.length - ours.length} entirely inside Node/V8 (not ours)`);
  if (ours.length) {
    for (const e of ours) console.error(`\n${e.kind}: ${e.what}\n${e.frames.slice(0, 15).map((f) => `    at ${f}`).join('\n')}`);
    fail(`${ours.length} error(s) in boxlite-native or the test engine (full report: ${xml})`);
  }
  console.log('memcheck: clean — no invalid access, uninitialised use, bad free or definite leak in our code');
  fs.rmSync(work, { recursive: true, force: true });
}

function fail(message) {
  console.error(`memcheck: ${message}`);
  process.exit(1);
}

/** A scratch copy of the package: dist/ transpiled from lib/, the debug build as build/Release. */
function assemblePackage(pkg, built) {
  const ts = require(require.resolve('typescript', { paths: [root] }));
  fs.rmSync(pkg, { recursive: true, force: true });
  const transpile = (from, to) => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const src = path.join(from, entry.name);
      if (entry.isDirectory()) {
        transpile(src, path.join(to, entry.name));
      } else if (entry.name.endsWith('.ts')) {
        const out = ts.transpileModule(fs.readFileSync(src, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
          fileName: entry.name,
        });
        fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), out.outputText);
      }
    }
  };
  transpile(path.join(root, 'lib'), path.join(pkg, 'dist'));
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  const release = path.join(pkg, 'build', 'Release');
  fs.mkdirSync(release, { recursive: true });
  for (const file of ['boxlite-native.node', 'libboxlite-test-engine.so', 'libboxlite-test-engine-classic.so']) {
    if (!fs.existsSync(path.join(built, file))) fail(`the debug build did not produce ${file}`);
    fs.copyFileSync(path.join(built, file), path.join(release, file));
  }
}

/** Valgrind's XML: each <error> with its kind, text and every frame of every stack. */
function parseErrors(xml) {
  const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const tag = (text, name) => unescape((text.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`)) || [])[1] || '');
  return [...xml.matchAll(/<error>([\s\S]*?)<\/error>/g)].map(([, body]) => {
    const frames = [...body.matchAll(/<frame>([\s\S]*?)<\/frame>/g)].map(([, f]) => {
      const file = tag(f, 'file');
      return { obj: tag(f, 'obj'), text: `${tag(f, 'fn') || '?'} (${file ? `${file}:${tag(f, 'line')}` : tag(f, 'obj')})` };
    });
    return {
      kind: tag(body, 'kind'),
      what: tag(body, 'what') || tag(tag(body, 'xwhat'), 'text'),
      objects: frames.map((f) => f.obj),
      frames: frames.map((f) => f.text),
    };
  });
}

// ---- the scenario (runs inside valgrind) -----------------------------------------

async function runScenario(pkg) {
  const bn = require(path.join(pkg, 'dist', 'index.js'));
  const testing = require(path.join(pkg, 'dist', 'testing.js'));
  const { loadAddon } = require(path.join(pkg, 'dist', 'runtime', 'native.js'));
  const libraryPath = testing.testEngineLibraryPath();
  const newHome = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bn-memcheck-'));
  const expectError = async (promise, Ctor, label) => {
    const err = await promise.then(() => null, (e) => e);
    if (!(err instanceof Ctor)) throw new Error(`${label}: expected ${Ctor.name}, got ${err && err.stack}`);
  };
  const step = (name) => console.log(`memcheck scenario: ${name}`);

  step('library load failure');
  await expectError(bn.Runtime.open({ homeDir: newHome(), libraryPath: '/nonexistent/libboxlite.so' }), bn.EngineError, 'load');

  step("REST runtime options, libboxlite's own REST client (the test engine answers Unsupported)");
  await expectError(bn.Runtime.rest({ client: 'libboxlite', url: 'http://127.0.0.1:9/x', apiKey: 'k', pathPrefix: '/v1', libraryPath }), bn.UnsupportedError, 'rest');

  step('lifecycle');
  const home = newHome();
  let rt = await bn.Runtime.open({ homeDir: home, libraryPath });
  const box = await rt.createBox({ image: 'alpine:latest', name: 'mc', env: { A: 'b' }, autoRemove: false });
  await rt.getBox('mc');
  await rt.findBox('missing');
  await rt.listBoxes();
  await box.info();
  await box.metrics();
  await rt.metrics();
  const host = newHome();
  fs.writeFileSync(path.join(host, 'f'), 'data');
  await box.copyIn(path.join(host, 'f'), '/f');
  await box.copyOut('/f', path.join(host, 'g'));

  step('streaming and stdin');
  const big = await box.run('sh', ['-c', 'seq 1 200000; echo done >&2']);
  if (big.exitCode !== 0 || !big.stdout.endsWith('200000\n') || big.stderr !== 'done\n') throw new Error('bad output');
  const cat = await box.exec('cat');
  const echoed = [];
  cat.stdout.on('data', (d) => echoed.push(d));
  cat.stdin.write('x'.repeat(100000));
  cat.stdin.end('\n');
  await cat.wait();
  if (Buffer.concat(echoed).length !== 100001) throw new Error('stdin round trip');
  await Promise.all(Array.from({ length: 20 }, (_, i) => box.run('echo', [String(i)])));
  await box.run('true', [], { tty: true });

  step('kill, signal, timeout, abort');
  const sleeper = await box.exec('sleep', ['30']);
  await sleeper.kill();
  await sleeper.wait();
  const trap = await box.exec('sh', ['-c', 'trap "exit 3" TERM; while :; do sleep 0.05; done']);
  await new Promise((r) => setTimeout(r, 300));
  await trap.signal(15);
  await trap.wait();
  await (await box.exec('sleep', ['30'], { timeoutSecs: 0.5 })).wait();
  const controller = new AbortController();
  const aborted = await box.exec('sleep', ['30'], { signal: controller.signal });
  controller.abort();
  await aborted.wait();

  step('spawn failures and injected faults');
  await expectError(box.exec('no-such-binary'), bn.InternalError, 'missing binary');
  await expectError(box.exec('true', [], { user: 'nobody-here' }), bn.InternalError, 'unknown user');
  for (const [op, when, call] of [
    ['create_box', 'sync', () => rt.createBox({ image: 'x' })],
    ['create_box', 'async', () => rt.createBox({ image: 'x' })],
    ['list_info', 'async', () => rt.listBoxes()],
    ['box_info', 'async', () => box.info()],
    ['exec', 'sync', () => box.exec('true')],
    ['get', 'async', () => rt.getBox('mc')],
  ]) {
    testing.clearFaults(home);
    testing.injectFault(home, { op, code: 20, when });
    await expectError(call(), bn.ResourceExhaustedError, `${op} ${when}`);
  }
  testing.clearFaults(home);
  const victim = await box.exec('sleep', ['30']);
  testing.injectFault(home, { op: 'kill', code: 21, when: 'async' });
  await expectError(victim.kill(), bn.SessionReapedError, 'kill fault');
  testing.clearFaults(home);
  await victim.kill();
  await victim.wait();
  await expectError(testing.openTestRuntime({ faults: [{ op: 'runtime_new', code: 12 }] }), bn.EngineError, 'runtime_new');

  step('output limits: spill, overflow kill, discarded and abandoned streams');
  {
    const limited = await bn.Runtime.open({
      homeDir: newHome(), libraryPath,
      limits: { maxBufferedOutputBytes: 64 << 10, maxSpilledOutputBytes: 1 << 20, maxStdinBytes: 1 << 16 },
    });
    const lbox = await limited.createBox({ image: 'alpine:latest' });
    const flood = await lbox.exec('yes');
    await expectError(flood.wait(), bn.ResourceExhaustedError, 'output limit');
    let kept = 0;
    for await (const c of flood.stdout) kept += c.length;
    if (kept < 1 << 20) throw new Error(`kept only ${kept} bytes`);
    const spilled = await lbox.exec('sh', ['-c', 'head -c 600000 /dev/zero | tr "\\0" y']);
    await spilled.exited();
    let read = 0;
    for await (const c of spilled.stdout) read += c.length;
    if (read !== 600000 || (await spilled.wait()) !== 0) throw new Error(`spilled read ${read}`);
    const dropped = await lbox.exec('sh', ['-c', 'head -c 600000 /dev/zero | tr "\\0" y; echo e >&2']);
    dropped.stdout.destroy();
    await dropped.wait();
    const cat = await lbox.exec('cat');
    const refused = await new Promise((resolve) => cat.stdin.write(Buffer.alloc(1 << 17), resolve));
    if (!(refused instanceof bn.ResourceExhaustedError)) throw new Error('stdin cap');
    await cat.kill();
    await cat.wait();
    // Abandoned with spilled, unread output: collected, its file released.
    await (await lbox.exec('sh', ['-c', 'head -c 600000 /dev/zero | tr "\\0" z'])).exited();
    for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 50)); }
    await limited.close();
  }

  step('misuse');
  const done = await box.exec('true');
  await done.wait();
  await done.kill();
  await done.wait();
  await new Promise((resolve) => {
    done.stdin.once('error', resolve);
    done.stdin.write('late');
  });
  await expectError(box.exec(''), bn.InvalidArgumentError, 'empty command');
  await expectError(rt.createBox({}), bn.InvalidArgumentError, 'no image');
  const native = await rt._nativeBox(box.id);
  native.release();
  native.release();
  await expectError(native.start(), bn.InvalidStateError, 'released handle');
  const addon = loadAddon();
  await expectError(addon.openRuntime(42), bn.InvalidArgumentError, 'garbage');
  await box.stop();
  await box.start();

  step('close with live work');
  const live = await Promise.all([box.exec('sleep', ['30']), box.exec('cat')]);
  const pending = rt.listBoxes();
  await Promise.all([rt.close(), rt.close()]);
  await pending.catch(() => {});
  await Promise.all(live.map((e) => e.wait()));
  await expectError(rt.listBoxes(), bn.StoppedError, 'after close');
  await expectError(box.exec('true'), bn.StoppedError, 'exec after close');

  step('a runtime dropped without close() (GC)');
  const gcHome = newHome();
  await (async () => {
    const dropped = await bn.Runtime.open({ homeDir: gcHome, libraryPath });
    await (await dropped.createBox({ image: 'x' })).run('true');
  })();
  let reopened = false;
  for (let i = 0; i < 200 && !reopened; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 100));
    try {
      await (await bn.Runtime.open({ homeDir: gcHome, libraryPath })).close();
      reopened = true;
    } catch (err) {
      if (!(err instanceof bn.InternalError)) throw err;
    }
  }
  if (!reopened) throw new Error('the dropped runtime was never cleaned up');

  step('a worker thread terminated with live work');
  const { Worker } = require('node:worker_threads');
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const bn = require(workerData.index);
    (async () => {
      const rt = await bn.Runtime.open({ homeDir: workerData.home, libraryPath: workerData.libraryPath });
      const box = await rt.createBox({ image: 'x' });
      const e = await box.exec('sh', ['-c', 'echo up; exec sleep 30']);
      e.stdout.once('data', () => parentPort.postMessage('up'));
    })();`, { eval: true, workerData: { index: path.join(pkg, 'dist', 'index.js'), home: newHome(), libraryPath } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();

  step('libboxlite 0.9.5 layout (classic engine build): info, list, lifecycle options refused');
  {
    const classic = await bn.Runtime.open({ homeDir: newHome(), libraryPath: testing.testEngineLibraryPath('classic') });
    const a = await classic.createBox({ image: 'alpine:latest', name: 'c1', autoRemove: false });
    await classic.createBox({ image: 'busybox' });
    if ((await a.info()).autoStop !== null) throw new Error('classic info read with the wrong layout');
    if ((await classic.listBoxes()).length !== 2) throw new Error('classic list');
    await expectError(classic.createBox({ image: 'alpine:latest', autoDelete: 5 }), bn.UnsupportedError, 'classic autoDelete');
    await classic.close();
  }

  step('final gc');
  rt = null;
  global.gc();
  await new Promise((r) => setTimeout(r, 500));
  global.gc();
}
