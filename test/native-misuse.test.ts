// Misuse never crashes: each case ends in a typed error or a documented no-op.
// (Execution misuse shared with the real-engine suite: native-scenarios.ts.)
import { afterEach, describe, expect, it } from 'vitest';

import { InvalidArgumentError, InvalidStateError } from '../lib/errors/errors';
import { loadAddon } from '../lib/runtime/native';
import type { Runtime } from '../lib/runtime/runtime';
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

describe('boxes', () => {
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
    const rejects = async (p: Promise<unknown>, Ctor: new (...args: never[]) => Error) =>
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
