'use strict';
// Test-only hook, preloaded into a server child (`node --expose-gc -r
// gc-hook.js cli.js serve ...`) by the stress harness, never by the CLI.
// On request over the IPC channel it runs a full garbage collection, then the
// trim the runtime itself runs after a collection (lib/runtime/memory-release.ts,
// at most a second later there), and answers with the process's memory: what
// the server *retains*, which (unlike a peak RSS sampled while V8 has not
// collected yet) does not depend on how busy the machine is.
//
// Request: { type: 'boxlite-test:gc', id } ('boxlite-test:peek': the same answer without collecting).
// Answer:  { type: 'boxlite-test:memory', id, rss, heapUsed, external, arrayBuffers } (bytes; rss from /proc).
const fs = require('node:fs');
const path = require('node:path');

const DIST = process.env.BOXLITE_DIST ? path.resolve(process.env.BOXLITE_DIST) : path.join(__dirname, '..', '..', '..', 'dist');

function rssNow() {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

if (typeof process.send === 'function' && typeof global.gc === 'function') {
  process.on('message', (msg) => {
    if (msg && msg.type === 'boxlite-test:peek') {
      // No collection: what is allocated right now, garbage included (diagnostics).
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send({ type: 'boxlite-test:memory', id: msg.id, rss: rssNow(), heapUsed, external, arrayBuffers });
      return;
    }
    if (!msg || msg.type !== 'boxlite-test:gc') return;
    // Twice: the first pass runs finalizers (native buffers, ObjectWrap
    // destructors) whose releases the second one sees settled.
    global.gc();
    // Let finalizer-scheduled native work (setImmediate/pool callbacks) run.
    setImmediate(async () => {
      global.gc();
      await require(path.join(DIST, 'runtime', 'native.js')).loadAddon().releaseFreedMemory();
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send({ type: 'boxlite-test:memory', id: msg.id, rss: rssNow(), heapUsed, external, arrayBuffers });
    });
  });
  // The channel must never keep a server alive that was asked to stop.
  process.channel.unref();
}
