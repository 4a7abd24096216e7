// Misuse never crashes: each case ends in a typed error or a documented no-op.
import { finished } from 'node:stream/promises';

import { afterEach, describe, expect, it } from 'vitest';

import {
  BoxliteError,
  InvalidArgumentError,
  InvalidStateError,
  NotFoundError,
  StoppedError,
} from '../lib/errors';
import { loadAddon } from '../lib/native';
import type { Runtime } from '../lib/runtime';
import { openEngineRuntime } from './native-helpers';

const open: Runtime[] = [];
async function runtime(): Promise<Runtime> {
  const { runtime: rt } = await openEngineRuntime();
  open.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

describe('executions', () => {
  it('wait() twice gives the same code; kill/signal/resize after exit are no-ops', async () => {
    const box = await (await runtime()).createBox({ image: 'alpine:latest' });
    const execution = await box.exec('sh', ['-c', 'exit 3']);
    expect(await execution.wait()).toBe(3);
    expect(await execution.wait()).toBe(3);
    expect(execution.wait()).toBe(execution.wait());
    await expect(execution.kill()).resolves.toBeUndefined();
    await expect(execution.signal(15)).resolves.toBeUndefined();
    await expect(execution.resize(80, 24)).resolves.toBeUndefined();
    expect(await execution.wait()).toBe(3);
  });

  it('stdin after end() fails like any Node stream; after exit it is InvalidStateError', async () => {
    const box = await (await runtime()).createBox({ image: 'alpine:latest' });
    const execution = await box.exec('cat');
    execution.stdin.end('last\n');
    const afterEnd = await new Promise<Error>((resolve) => {
      execution.stdin.once('error', resolve);
      execution.stdin.write('more');
    });
    expect((afterEnd as NodeJS.ErrnoException).code).toBe('ERR_STREAM_WRITE_AFTER_END');
    expect(await execution.wait()).toBe(0);

    const exited = await box.exec('true');
    await exited.wait();
    const afterExit = await new Promise<Error>((resolve) => {
      exited.stdin.once('error', resolve);
      exited.stdin.write('too late');
    });
    expect(afterExit).toBeInstanceOf(InvalidStateError);
    expect(afterExit.message).toBe('invalid state: the execution has exited; its stdin is closed');
  });

  it('invalid signal numbers and sizes are InvalidArgumentError with the engine\'s text', async () => {
    const box = await (await runtime()).createBox({ image: 'alpine:latest' });
    const execution = await box.exec('sleep', ['30'], { tty: true });
    const sig = await execution.signal(0).catch((e: unknown) => e);
    expect(sig).toBeInstanceOf(InvalidArgumentError);
    expect((sig as Error).message).toBe('invalid argument: signal must be in 1..=64, got 0');
    await expect(execution.signal(65)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(execution.signal(1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(execution.resize(0, 24)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(execution.resize(80, Number.NaN)).rejects.toBeInstanceOf(InvalidArgumentError);
    await execution.kill();
    expect(await execution.wait()).toBe(-9);
  });

  it('closing the runtime ends running executions; their wait() resolves and streams end', async () => {
    const rt = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    const running = await Promise.all([box.exec('sleep', ['30']), box.exec('cat'), box.exec('sh', ['-c', 'echo partial; sleep 30'])]);
    let partial = '';
    running[2].stdout.on('data', (d: Buffer) => (partial += d.toString()));
    while (!partial) await new Promise((r) => setTimeout(r, 10));
    await rt.close();
    const codes = await Promise.all(running.map((e) => e.wait()));
    for (const code of codes) expect(code).toBeLessThan(0); // killed by the box stop, or -129 torn down
    expect(partial).toBe('partial\n');
    // Both streams of each execution end (they were never read: resume drains them).
    await Promise.all(running.flatMap((e) => [finished(e.stdout.resume()), finished(e.stderr.resume())]));
    // Everything on them is now a no-op or StoppedError, never a crash.
    await expect(running[0].kill()).resolves.toBeUndefined();
    const write = await new Promise<unknown>((resolve) => {
      running[1].stdin.once('error', resolve);
      running[1].stdin.write('x');
    });
    expect(write).toBeInstanceOf(StoppedError);
  });
});

describe('boxes', () => {
  it('exec on a removed box is a typed error', async () => {
    const rt = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest', name: 'gone' });
    await rt.removeBox('gone', { force: true });
    const err = await box.exec('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BoxliteError);
    expect([NotFoundError, StoppedError].some((C) => err instanceof C)).toBe(true);
  });

  it('a released native handle reports InvalidStateError', async () => {
    const rt = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    const native = await rt._nativeBox(box.id);
    native.release();
    native.release(); // twice is fine
    for (const call of [native.start(), native.info(), native.exec({ command: 'true' }, () => {})]) {
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidStateError);
    }
    expect((await box.run('echo', ['still works'])).stdout).toBe('still works\n'); // the Box's own handle
  });
});

describe('the raw addon', () => {
  it('rejects garbage arguments with typed errors instead of crashing', async () => {
    const addon = loadAddon();
    const rejects = async (p: Promise<unknown>, Ctor: typeof BoxliteError) =>
      expect(await p.catch((e: unknown) => e)).toBeInstanceOf(Ctor);
    await rejects(addon.openRuntime(42 as never), InvalidArgumentError);
    await rejects(addon.openRuntime({ homeDir: 42 } as never), InvalidArgumentError);
    await rejects(addon.openRestRuntime({} as never), InvalidArgumentError);
    await rejects(addon.openRestRuntime(undefined as never), InvalidArgumentError);
    expect(() => addon.setErrorFactory('nope' as never)).toThrow(InvalidArgumentError);

    const rt = await runtime();
    const box = await rt.createBox({ image: 'alpine:latest' });
    const native = await rt._nativeBox(box.id);
    await rejects(native.exec(null as never, () => {}), InvalidArgumentError);
    await rejects(native.exec({ command: 'true' }, 'not a function' as never), InvalidArgumentError);
    await rejects(native.exec({ command: 'true', args: [1] } as never, () => {}), InvalidArgumentError);
    await rejects(native.copyIn(1 as never, 2 as never), InvalidArgumentError);
    const execution = await native.exec({ command: 'cat' }, () => {});
    expect(() => execution.writeStdin('text' as never)).toThrow(InvalidArgumentError);
    expect(() => execution.writeStdin(new Uint16Array(2) as never)).toThrow(InvalidArgumentError);
    await rejects(execution.signal('TERM' as never), InvalidArgumentError);
    await execution.kill();
    native.release();
  });
});
