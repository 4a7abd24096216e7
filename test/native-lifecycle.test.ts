// Runtime and box lifecycle through the addon, against the test engine (the
// scenarios shared with the real-engine suite are in native-scenarios.ts).
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { InternalError, InvalidArgumentError, NotFoundError, StoppedError, UnsupportedError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';
import { injectFault, testEngineLibraryPath } from '../lib/testing';
import { openEngineRuntime, tmpDir } from './native-helpers';

const open: Runtime[] = [];
async function runtime(homeDir?: string): Promise<{ runtime: Runtime; homeDir: string }> {
  const r = await openEngineRuntime(homeDir);
  open.push(r.runtime);
  return r;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

describe('runtime', () => {
  it('opens on the test engine and reports the library it loaded', async () => {
    const { runtime: rt } = await runtime();
    expect(rt.closed).toBe(false);
    expect(rt.library).toEqual({ path: testEngineLibraryPath(), version: '0.9.7' });
    expect(await rt.listBoxes()).toEqual([]);
    expect(await rt.metrics()).toEqual({
      boxesCreatedTotal: 0,
      boxesFailedTotal: 0,
      numRunningBoxes: 0,
      totalCommandsExecuted: 0,
      totalExecErrors: 0,
    });
  });

  it('allows one runtime per home dir; the lock is released by close()', async () => {
    const { runtime: first, homeDir } = await runtime();
    const err = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as InternalError).boxliteCode).toBe(1);
    expect((err as Error).message).toMatch(
      /^internal error: Failed to acquire runtime lock at .+: internal error: Another BoxliteRuntime is already using directory: /,
    );
    await first.close();
    const second = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() });
    open.push(second);
    expect(second.closed).toBe(false);
  });

  it('close() is idempotent, shared by concurrent callers, and works with `await using`', async () => {
    const { runtime: rt } = await runtime();
    const a = rt.close();
    const b = rt.close();
    expect(a).toBe(b);
    await Promise.all([a, b]);
    expect(rt.closed).toBe(true);
    await rt.close();

    const homeDir = tmpDir();
    {
      await using scoped = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() });
      await scoped.createBox({ image: 'alpine:latest', name: 'scoped' });
    }
    // disposed: the home dir is free again
    const again = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() });
    open.push(again);
  });

  it('calls in flight when close() starts all settle: done, or StoppedError, never pending', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', autoRemove: false });
    const inFlight: Array<Promise<unknown>> = [];
    for (let i = 0; i < 30; i++) {
      inFlight.push(rt.listBoxes(), rt.metrics(), box.info(), box.metrics(), box.exec('sleep', ['30']), box.run('echo', [String(i)]));
    }
    inFlight.push(box.stop());
    const closing = rt.close();
    const settled = await Promise.allSettled(inFlight);
    await closing;
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(StoppedError);
    }
    // Executions that did start were torn down with the runtime.
    for (const s of settled) {
      const value = s.status === 'fulfilled' ? s.value : undefined;
      if (value && typeof value === 'object' && 'wait' in value) {
        expect(await (value as { wait(): Promise<number> }).wait()).toBeLessThan(0);
      }
    }
  });

  it('Runtime.rest({ client: "libboxlite" }) builds the REST options and surfaces the engine\'s answer as a typed error', async () => {
    // The test engine has no REST client: it answers Unsupported once the
    // credential, URL and path prefix have gone through libboxlite's calls.
    const saved = process.env.BOXLITE_LIBRARY;
    process.env.BOXLITE_LIBRARY = testEngineLibraryPath();
    try {
      const err = await Runtime.rest({ client: 'libboxlite', url: 'http://127.0.0.1:9/boxlite', apiKey: 'key', pathPrefix: '/v1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedError);
      expect((err as Error).message).toMatch(/^unsupported: .*http:\/\/127\.0\.0\.1:9\/boxlite/);
    } finally {
      if (saved === undefined) delete process.env.BOXLITE_LIBRARY;
      else process.env.BOXLITE_LIBRARY = saved;
    }
  });

  it('rejects bad options with InvalidArgumentError before touching the library', async () => {
    await expect(Runtime.open({ homeDir: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Runtime.open({ homeDir: 42 as unknown as string })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Runtime.rest({ url: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('boxes', () => {
  it('stop() releases the invalidated handles; a kept box starts again', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', name: 'keep', autoRemove: false });
    const other = await rt.getBox('keep'); // a second live handle to the same box
    await box.run('true');
    await box.stop();
    expect((await rt.getBox('keep')).id).toBe(box.id);
    await box.start();
    expect((await box.run('echo', ['again'])).stdout).toBe('again\n');
    expect((await other.run('echo', ['other'])).stdout).toBe('other\n');
    expect((await box.info()).status).toBe('running');
  });

  it('a call that meets a stale handle retries on a fresh one; other Stopped errors are final', async () => {
    const { runtime: rt, homeDir } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', autoRemove: false });
    // What libboxlite answers when get() handed out the spent instance once more.
    injectFault(homeDir, {
      op: 'start', code: 11, times: 2,
      message: 'stopped: Handle invalidated after stop(). Use runtime.get() to get a new handle.',
    });
    await box.start();
    expect((await box.info()).status).toBe('running');

    injectFault(homeDir, { op: 'stop', code: 11, message: 'stopped: runtime has been shut down' });
    await expect(box.stop()).rejects.toBeInstanceOf(StoppedError);
  });

  it('stop then start through fresh getBox() handles, many times over', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', name: 'cycle', autoRemove: false });
    for (let i = 0; i < 60; i++) {
      await (await rt.getBox('cycle')).stop();
      await (await rt.getBox('cycle')).start();
    }
    expect((await box.info()).status).toBe('running');
  });

  it('an auto-removed box is gone after stop()', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    await box.stop();
    await expect(box.start()).rejects.toBeInstanceOf(NotFoundError);
    expect(await rt.listBoxes()).toEqual([]);
  });

  it('a detached box needs no explicit autoRemove (no Config error)', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', detach: true });
    expect((await box.run('echo', ['ok'])).stdout).toBe('ok\n');
  });

  it('copies files in and out', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    const host = tmpDir();
    fs.writeFileSync(path.join(host, 'in.txt'), 'payload\n');
    await box.copyIn(path.join(host, 'in.txt'), '/work/in.txt');
    expect((await box.run('cat', ['in.txt'], { workdir: '/work' })).stdout).toBe('payload\n');
    await box.copyOut('/work/in.txt', path.join(host, 'out.txt'));
    expect(fs.readFileSync(path.join(host, 'out.txt'), 'utf8')).toBe('payload\n');
  });

  it('rejects invalid box options with InvalidArgumentError', async () => {
    const { runtime: rt } = await runtime();
    for (const bad of [
      {},
      { image: 'a', rootfsPath: '/x' },
      { image: '' },
      { image: 'a', cpus: 0 },
      { image: 'a', memoryMib: 1.5 },
      { image: 'a', env: { A: 1 } },
      { image: 'a', volumes: [{ hostPath: '/x' }] },
      { image: 'a', network: { mode: 'sometimes' } },
      { image: 'a', cmd: 'echo' },
    ]) {
      const err = await rt.createBox(bad as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(/^invalid argument: /);
    }
    expect(await rt.listBoxes()).toEqual([]);
  });
});
