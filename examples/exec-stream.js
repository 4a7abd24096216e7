#!/usr/bin/env node
// Streams a command's output from a box, feeds it stdin, and shows typed errors.
//
//   BOXLITE_ENGINE=test node examples/exec-stream.js   # test engine: NO isolation
//   node examples/exec-stream.js                       # libboxlite, found the usual way
//
// (Build first: `npm run build:ts`; the package resolves itself by name.)
'use strict';
const { Runtime, NotFoundError, InternalError, classifyError } = require('boxlite-native');

async function openRuntime() {
  if (process.env.BOXLITE_ENGINE === 'test') {
    const { openTestRuntime } = require('boxlite-native/testing');
    console.warn('exec-stream: using the TEST ENGINE: commands run as host processes, nothing is isolated');
    const t = await openTestRuntime();
    return { runtime: t.runtime, close: () => t.close() };
  }
  const runtime = await Runtime.open();
  return { runtime, close: () => runtime.close() };
}

async function main() {
  const { runtime, close } = await openRuntime();
  try {
    const box = await runtime.createBox({ image: 'alpine:latest', name: 'exec-stream-demo' });

    // 1. Output streams as it is produced; wait() resolves after the last byte.
    const ticker = await box.exec('sh', ['-c', 'for i in 1 2 3; do echo "tick $i"; sleep 0.2; done; echo done >&2']);
    ticker.stdout.pipe(process.stdout, { end: false });
    ticker.stderr.pipe(process.stderr, { end: false });
    console.log(`ticker exited with ${await ticker.wait()}`);

    // 2. stdin is a Writable: end() closes it, so `sort` can finish.
    const sort = await box.exec('sort');
    sort.stdout.pipe(process.stdout, { end: false });
    sort.stdin.end('pear\napple\nfig\n');
    console.log(`sort exited with ${await sort.wait()}`);

    // 3. An AbortSignal (here a timeout) kills a command.
    const sleeper = await box.exec('sleep', ['30'], { signal: AbortSignal.timeout(300) });
    console.log(`sleeper ended with ${await sleeper.wait()} (killed)`);

    // 4. Failures are typed BoxliteErrors with libboxlite's numeric code.
    try {
      await box.exec('no-such-command');
    } catch (err) {
      if (!(err instanceof InternalError)) throw err;
      const { status, code } = classifyError(err);
      console.log(`spawn failure: ${err.code} (boxliteCode ${err.boxliteCode}) -> HTTP ${status} ${code}`);
    }
    const missing = await runtime.findBox('no-such-box');
    console.log(`findBox of a missing box: ${missing}`);
    await runtime.getBox('no-such-box').catch((err) => {
      if (!(err instanceof NotFoundError)) throw err;
      console.log(`getBox of a missing box: ${err.name}: ${err.message}`);
    });

    await runtime.removeBox(box.id, { force: true });
  } finally {
    await close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
