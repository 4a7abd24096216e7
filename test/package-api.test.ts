// Behaviour the README documents for package users (issue 10, items 4 and 8):
// the missing-token error, cancellation answers of classifyError, and the
// lifecycle of a Box after stop() and of executions across runtime.close().
import { describe, expect, it } from 'vitest';
import { BoxliteError, NotFoundError, StoppedError, classifyError } from '../lib';
import { bearerTokenAuth } from '../lib/http';
import { openTestRuntime } from '../lib/testing';

describe('bearerTokenAuth', () => {
  it('names the problem when the token is undefined (an unset BOXLITE_API_KEY), and accepts it in the type', () => {
    const unset: string | undefined = undefined;
    expect(() => bearerTokenAuth(unset)).toThrow(TypeError);
    expect(() => bearerTokenAuth(unset)).toThrow(/no token given.*BOXLITE_API_KEY.*not set/s);
    expect(() => bearerTokenAuth(null as unknown as string)).toThrow(/no token given/);
    expect(() => bearerTokenAuth(42 as unknown as string)).toThrow(/must be a string or an array of strings, got number/);
    expect(() => bearerTokenAuth([])).toThrow(/at least one non-empty token/);
    expect(typeof bearerTokenAuth('k')).toBe('function');
  });
});

describe('classifyError: cancellations are never a 500', () => {
  it('AbortError -> 409 invalid_state; TimeoutError -> 504 timeout (DOMException, Node AbortError, wrapped)', () => {
    const abort = classifyError(new DOMException('This operation was aborted', 'AbortError'));
    expect(abort).toEqual({ status: 409, type: 'InvalidStateError', code: 'invalid_state', message: 'This operation was aborted', retryable: false });
    const timeout = classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(timeout).toMatchObject({ status: 504, type: 'TimeoutError', code: 'timeout', retryable: false });

    // What a pre-aborted AbortSignal really throws, and Node's own AbortError.
    const controller = new AbortController();
    controller.abort();
    let thrown: unknown;
    try { controller.signal.throwIfAborted(); } catch (e) { thrown = e; }
    expect(classifyError(thrown).status).toBe(409);
    const nodeAbort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    expect(classifyError(nodeAbort).status).toBe(409);
    expect(classifyError(new Error('wrapper', { cause: new DOMException('x', 'TimeoutError') })).status).toBe(504);
    // A status or a BoxLite code set on purpose still wins.
    expect(classifyError(Object.assign(new DOMException('x', 'AbortError'), { status: 400 })).status).toBe(400);
    expect(classifyError(Object.assign(BoxliteError.fromCode(2, 'box not found: x'), { name: 'AbortError' })).status).toBe(404);
  });
});

describe('lifecycle (test engine)', () => {
  it('a Box outlives stop(): the next call starts it again (autoRemove: false)', async () => {
    const t = await openTestRuntime();
    try {
      const box = await t.runtime.createBox({ image: 'alpine', autoRemove: false });
      expect((await box.run('echo', ['one'])).stdout).toBe('one\n');
      await box.stop();
      expect((await box.info()).status).not.toBe('running');
      expect(await box.run('echo', ['two'])).toEqual({ exitCode: 0, stdout: 'two\n', stderr: '' });
      expect((await box.info()).status).toBe('running');
    } finally {
      await t.close();
    }
  });

  it('with autoRemove (the default) the box is gone after stop(): NotFoundError', async () => {
    const t = await openTestRuntime();
    try {
      const box = await t.runtime.createBox({ image: 'alpine' });
      await box.stop();
      await expect(box.run('echo', ['x'])).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await t.close();
    }
  });

  it('close() resolves a pending wait() with a negative code; later calls reject with StoppedError', async () => {
    const t = await openTestRuntime();
    try {
      const box = await t.runtime.createBox({ image: 'alpine' });
      const ex = await box.exec('sleep', ['30']);
      const waited = ex.wait();
      const second = await box.exec('sh', ['-c', 'echo started; exec sleep 30']);
      await t.runtime.close();
      const code = await waited;
      expect(code).toBeLessThan(0);
      expect([-9, -129]).toContain(code);
      expect(await second.wait()).toBeLessThan(0);
      await expect(box.info()).rejects.toBeInstanceOf(StoppedError);
      await expect(t.runtime.listBoxes()).rejects.toBeInstanceOf(StoppedError);
      await expect(t.runtime.close()).resolves.toBeUndefined(); // idempotent
    } finally {
      await t.close();
    }
  });

  it('an exec signal: abort kills (-9); an already-aborted signal rejects with its reason, classified 409 / 504', async () => {
    const t = await openTestRuntime();
    try {
      const box = await t.runtime.createBox({ image: 'alpine' });
      const controller = new AbortController();
      const ex = await box.exec('sleep', ['30'], { signal: controller.signal });
      controller.abort();
      expect(await ex.wait()).toBe(-9);

      const aborted = await box.exec('echo', ['x'], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect((aborted as Error).name).toBe('AbortError');
      expect(classifyError(aborted).status).toBe(409);
      const reason = new DOMException('deadline', 'TimeoutError');
      const timedOut = await box.exec('echo', ['x'], { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
      expect(timedOut).toBe(reason);
      expect(classifyError(timedOut).status).toBe(504);
    } finally {
      await t.close();
    }
  });
});
