// The addon in worker threads: per-env state (each worker has its own error
// classes and runtimes), concurrent use with the main thread, and a worker
// terminated with live work cleans up after itself.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import { Runtime } from '../lib/runtime/runtime';
import { testEngineLibraryPath } from '../lib/testing';
import { facadePackage, tmpDir } from './native-helpers';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const bn = require(workerData.index);
(async () => {
  const rt = await bn.Runtime.open({ homeDir: workerData.home, libraryPath: workerData.lib });
  const box = await rt.createBox({ image: 'alpine:latest' });
  if (workerData.mode === 'hang') {
    const execution = await box.exec('sh', ['-c', 'echo $$; exec sleep 30']);
    execution.stdout.once('data', (d) => parentPort.postMessage({ pid: Number(String(d).trim()) }));
    return; // the parent terminates this worker with the runtime open and the command running
  }
  const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => box.run('sh', ['-c', 'echo w' + workerData.n + '-' + i])));
  const missing = await rt.getBox('missing').catch((e) => e);
  await rt.close();
  parentPort.postMessage({
    outputs: runs.map((r) => r.stdout),
    notFound: missing instanceof bn.NotFoundError && missing instanceof bn.BoxliteError,
    code: missing.boxliteCode,
  });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

function startWorker(data: Record<string, unknown>): Worker {
  const index = path.join(facadePackage(), 'dist', 'index.js');
  return new Worker(WORKER, { eval: true, workerData: { index, lib: testEngineLibraryPath(), ...data } });
}

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('worker threads', () => {
  it('runs runtimes in several workers and the main thread at once', async () => {
    const workers = [1, 2, 3].map((n) => startWorker({ n, home: tmpDir() }));
    const main = (async () => {
      const rt = await Runtime.open({ homeDir: tmpDir(), libraryPath: testEngineLibraryPath() });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const out = (await box.run('echo', ['main'])).stdout;
      await rt.close();
      return out;
    })();
    const results = await Promise.all(workers.map((w) => nextMessage<Record<string, unknown>>(w)));
    expect(await main).toBe('main\n');
    results.forEach((r, k) => {
      expect(r.error).toBeUndefined();
      expect(r.outputs).toEqual(Array.from({ length: 20 }, (_, i) => `w${k + 1}-${i}\n`));
      expect(r).toMatchObject({ notFound: true, code: 2 });
    });
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('terminating a worker with an open runtime and a running command cleans both up', async () => {
    const home = tmpDir();
    const worker = startWorker({ mode: 'hang', home });
    const { pid } = await nextMessage<{ pid: number }>(worker);
    expect(() => process.kill(pid, 0)).not.toThrow(); // the command runs
    await worker.terminate();
    // The env cleanup closed the runtime: its box's processes are gone and
    // the home dir lock is free again.
    let alive = true;
    // Bounded by time, not by tries: 100 tries of 20 ms were 2 s at best,
    // less than a loaded machine may take to end and reap the command.
    const deadline = Date.now() + 10_000;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    const again = await Runtime.open({ homeDir: home, libraryPath: testEngineLibraryPath() });
    await again.close();
    expect(fs.existsSync(home)).toBe(true);
  });
});
