#!/usr/bin/env node
// The smoke test `npm run release:check` runs inside a scratch project that
// installed the packed tarball (PATH without a compiler). It uses the package
// exactly as a user does: by name, from node_modules.
//
//   node smoke.js full      the tarball's prebuilds loaded: classifier, REST
//                           handler on 127.0.0.1, test engine exec
//   node smoke.js no-addon  no addon could load or build: the pure-JS parts
//                           work, Runtime.open() explains the fix
//   node smoke.js from-source  the package has no prebuilds/ and was built
//                           with the README's command: the addon and the test
//                           engine load from its build/Release/, Runtime.open()
//                           runs `echo` on the test engine, then what `full` runs
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const mode = process.argv[2];
const pkg = require('boxlite-native');
const packageRoot = path.dirname(require.resolve('boxlite-native/package.json'));

function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(data);
  });
}

async function pureJs() {
  const err = pkg.BoxliteError.fromCode(2, 'box not found: nope');
  assert.ok(err instanceof pkg.NotFoundError);
  assert.equal(pkg.classifyError(err).status, 404);
  assert.equal(pkg.classifyError(new DOMException('gone', 'AbortError')).status, 409);
  const { status, body } = pkg.errorResponse(err, { requestId: 'req_1' });
  assert.equal(status, 404);
  assert.equal(body.error.request_id, 'req_1');
  console.log('smoke: classifier ok');
}

/** `engineFrom`: the directory the test engine must load from (prebuilds/<platform>-<arch>/ or build/Release/). */
async function full(engineFrom) {
  const { openTestRuntime, testEngineLibraryPath } = require('boxlite-native/testing');
  assert.equal(path.dirname(testEngineLibraryPath()), engineFrom);
  const t = await openTestRuntime();
  try {
    const box = await t.runtime.createBox({ image: 'alpine' });
    const run = await box.run('sh', ['-c', 'echo from-the-engine; echo err >&2; exit 3']);
    assert.deepEqual(run, { exitCode: 3, stdout: 'from-the-engine\n', stderr: 'err\n' });
    console.log('smoke: test engine exec ok');

    const handler = pkg.createBoxliteHandler(t.runtime, { auth: 'none' });
    const server = http.createServer(handler);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    try {
      const config = await request(port, 'GET', '/v1/config');
      assert.equal(config.status, 200);
      const created = await request(port, 'POST', '/v1/boxes', { image: 'alpine' });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const got = await request(port, 'GET', `/v1/boxes/${encodeURIComponent(created.json.box_id)}`);
      assert.equal(got.status, 200);
      const missing = await request(port, 'GET', '/v1/boxes/no-such-box');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'not_found');
      console.log('smoke: REST handler on 127.0.0.1 ok');
    } finally {
      await handler.close();
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    await t.close();
  }
}

/** Shared objects this process has mapped (Linux): proves which files were really loaded. */
function mappedFiles() {
  if (process.platform !== 'linux') return null;
  return new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.slice(l.indexOf('/'))).filter((f) => f.startsWith('/')));
}

async function fromSource() {
  const built = path.join(packageRoot, 'build', 'Release');
  assert.ok(!fs.existsSync(path.join(packageRoot, 'prebuilds')), 'this copy must have no prebuilds/');
  // node-gyp-build (the package's loader) must pick the compiled addon.
  const nodeGypBuild = require(require.resolve('node-gyp-build', { paths: [packageRoot] }));
  assert.equal(nodeGypBuild.path(packageRoot), path.join(built, 'boxlite-native.node'));

  const homeDir = fs.mkdtempSync(path.join(process.cwd(), 'home-'));
  const runtime = await pkg.Runtime.open({ engine: 'test', homeDir });
  try {
    const box = await runtime.createBox({ image: 'alpine:latest' });
    const run = await box.run('echo', ['built from source']);
    assert.deepEqual(run, { exitCode: 0, stdout: 'built from source\n', stderr: '' });
    // While the runtime is open: the engine library is mapped until it closes.
    const mapped = mappedFiles();
    if (mapped) {
      for (const f of ['boxlite-native.node', 'libboxlite-test-engine.so']) {
        assert.ok(mapped.has(path.join(built, f)), `${f} was loaded from ${built}`);
      }
    }
  } finally {
    await runtime.close();
    fs.rmSync(homeDir, { recursive: true, force: true });
  }
  console.log(`smoke: Runtime.open({ engine: 'test' }) ran echo with the addon and engine built in ${built}`);
  await full(built);
}

async function noAddon() {
  await assert.rejects(pkg.Runtime.open({ homeDir: require('node:os').tmpdir() }), (err) => {
    assert.ok(err instanceof pkg.EngineError, `expected EngineError, got ${err && err.name}`);
    assert.match(err.message, /npm rebuild boxlite-native/);
    assert.match(err.message, /cmake/);
    return true;
  });
  console.log('smoke: Runtime.open() without an addon explains the fix');
}

(async () => {
  await pureJs();
  if (mode === 'full') await full(path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`));
  else if (mode === 'from-source') await fromSource();
  else if (mode === 'no-addon') await noAddon();
  else throw new Error(`unknown mode ${mode}`);
  console.log(`smoke: ${mode} passed`);
})().catch((err) => {
  console.error(`smoke: FAILED: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
