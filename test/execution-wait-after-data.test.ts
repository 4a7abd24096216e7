// wait() must not resume its caller before the 'data' events of output that
// was already pushed: the common pattern
//
//   const ex = await box.exec(...); ex.stdout.on('data', f); await ex.wait();
//
// must see every byte in f. Output that arrived before the caller held the
// Execution sits in the Readable, and attaching 'data' flows it on the next
// tick, while an await on an already settled promise continues in a
// microtask, before that tick (lib/runtime/settle-after-ticks.ts). Both the
// embedded runtime and Runtime.rest() are checked, through the same API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputLimitError } from '../lib/runtime/output-limit-error';
import { Runtime } from '../lib/runtime/runtime';
import type { Box, Execution, Runtime as RuntimeApi } from '../lib/runtime/runtime-types';
import { openTestRuntime, testEngineLibraryPath } from '../lib/testing';
import { type RunningCli, startCli, stopCli } from './cli-support';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The usual caller: 'data' attached, then wait() awaited, in one go. What the listener had got by then. */
async function dataThenWait(ex: Execution): Promise<{ code: number; text: string }> {
  let text = '';
  ex.stdout.on('data', (c: Buffer) => { text += c.toString(); });
  ex.stderr.resume();
  const code = await ex.wait();
  return { code, text };
}

/** The same, right after exec resolved. */
async function echoCollectedByData(box: Box): Promise<string> {
  return (await dataThenWait(await box.exec('echo', ['hi']))).text;
}

/** Resolves once `ex` has pushed all its output (3 bytes of `echo hi`) and ended. */
async function allPushed(ex: Execution): Promise<void> {
  await ex.exited();
  await until(() => ex.stdout.readableLength === 3, 10_000, 'the output to be pushed');
  // the end of the streams (and so wait()'s own settling) follows the last push
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe.each(['embedded', 'rest'] as const)('wait() after the data events (%s)', (mode) => {
  let rt: RuntimeApi;
  let box: Box;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (mode === 'embedded') {
      const t = await openTestRuntime();
      rt = t.runtime;
      close = t.close;
    } else {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-wait-data-'));
      const cli: RunningCli = await startCli(['--engine', 'test', '--home', home, '--auth', 'none']);
      rt = await Runtime.rest({ url: cli.origin });
      close = async () => {
        await rt.close();
        await stopCli(cli);
        fs.rmSync(home, { recursive: true, force: true });
      };
    }
    box = await rt.createBox({ image: 'alpine:latest' });
  });

  afterAll(async () => {
    await close?.();
  });

  it('output pushed before the caller listened is in its data events when wait() resolves', async () => {
    const ex = await box.exec('echo', ['hi']);
    await allPushed(ex);
    expect(await dataThenWait(ex)).toEqual({ code: 0, text: 'hi\n' });
  });

  it('the same when wait() was asked for before the output arrived', async () => {
    const ex = await box.exec('echo', ['hi']);
    const waited = ex.wait();
    await allPushed(ex);
    expect(await dataThenWait(ex)).toEqual({ code: 0, text: 'hi\n' });
    expect(await waited).toBe(0);
  });

  it('400 executions, 10 at a time, collected by data events then wait(): every byte', async () => {
    const texts: string[] = [];
    for (let i = 0; i < 40; i++) {
      texts.push(...await Promise.all(Array.from({ length: 10 }, () => echoCollectedByData(box))));
    }
    expect(texts.filter((t) => t !== 'hi\n')).toEqual([]);
  });
});

describe('wait() rejections', () => {
  it('still reject with OutputLimitError, and a wait() nobody handles crashes nothing', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-wait-limit-'));
    const runtime = await Runtime.open({
      homeDir: home, libraryPath: testEngineLibraryPath(),
      limits: { maxBufferedOutputBytes: 64 * 1024, maxSpilledOutputBytes: 0 },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const box = await runtime.createBox({ image: 'alpine:latest' });
      const ex = await box.exec('head', ['-c', String(4 << 20), '/dev/zero']);
      void ex.wait(); // dropped: must not become an unhandled rejection
      await expect(ex.wait()).rejects.toBeInstanceOf(OutputLimitError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await runtime.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
