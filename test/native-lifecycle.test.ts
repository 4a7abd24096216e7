// Runtime and box lifecycle through the addon, against the test engine.
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  StoppedError,
  isBoxliteError,
} from '../lib/errors';
import { Runtime } from '../lib/runtime';
import { testEngineLibraryPath } from '../lib/testing';
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
    expect((err as Error).message).toMatch(/^internal error: Another BoxliteRuntime is already using directory: /);
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

  it('rejects bad options with InvalidArgumentError before touching the library', async () => {
    await expect(Runtime.open({ homeDir: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Runtime.open({ homeDir: 42 as unknown as string })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Runtime.rest({ url: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('boxes', () => {
  it('creates, finds, lists, inspects and removes a box', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', name: 'web', cpus: 1, memoryMib: 256, env: { A: '1' } });
    expect(box.id).toMatch(/^\S+$/);
    expect(box.name).toBe('web');

    const byName = await rt.getBox('web');
    const byId = await rt.getBox(box.id);
    expect([byName.id, byName.name, byId.id, byId.name]).toEqual([box.id, 'web', box.id, 'web']);
    expect(await rt.findBox('nope')).toBeNull();
    const missing = await rt.getBox('nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).message).toBe('box not found: Box not found: nope');

    const info = await box.info();
    expect(info).toMatchObject({ id: box.id, name: 'web', image: 'alpine:latest', cpus: 1, memoryMib: 256 });
    expect(typeof info.createdAt).toBe('number');
    const list = await rt.listBoxes();
    expect(list.map((b) => b.id)).toEqual([box.id]);

    const run = await box.run('sh', ['-c', 'echo "$A"']);
    expect(run).toEqual({ exitCode: 0, stdout: '1\n', stderr: '' });
    expect((await box.metrics()).commandsExecuted).toBe(1);
    expect((await rt.metrics()).boxesCreatedTotal).toBe(1);

    await rt.removeBox('web', { force: true });
    expect(await rt.listBoxes()).toEqual([]);
    await expect(rt.removeBox('web')).rejects.toBeInstanceOf(NotFoundError);
  });

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

  it('after close every call rejects with StoppedError', async () => {
    const { runtime: rt } = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    await rt.close();
    const calls: Array<Promise<unknown>> = [
      rt.createBox({ image: 'alpine:latest' }),
      rt.getBox(box.id),
      rt.listBoxes(),
      rt.removeBox(box.id),
      rt.metrics(),
      box.start(),
      box.info(),
      box.metrics(),
      box.exec('true'),
      box.run('true'),
    ];
    for (const call of calls) {
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoppedError);
      expect(isBoxliteError(err, 11)).toBe(true);
      expect((err as Error).message).toBe('stopped: runtime is closed');
    }
  });
});
