// What a command leaves behind, through the embedding API on the test engine
// (test/engine/exec.cc, release_exec_process): like processes in a real box,
// a background child outlives its command and dies when the box stops; a
// command that leaves nothing is reaped when its execution is released (no
// zombie kept until the box stops). The engine decides between the two by
// looking for other members of the command's process group at every exit.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../lib/runtime/runtime-types';
import { openTestRuntime } from '../lib/testing';
import { isRunning } from './process-state';

type TestRuntime = Awaited<ReturnType<typeof openTestRuntime>>;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `script` under sh, reads the pids it prints, waits for its exit. */
async function pidsOf(box: Box, script: string): Promise<number[]> {
  const ex = await box.exec('sh', ['-c', script]);
  let out = '';
  ex.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  ex.stderr.resume();
  expect(await ex.wait()).toBe(0);
  const pids = out.trim().split(/\s+/).map(Number);
  expect(pids.every((p) => Number.isInteger(p) && p > 1)).toBe(true);
  return pids;
}

const exists = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);

describe('processes a command leaves behind (test engine)', () => {
  let t: TestRuntime;

  beforeAll(async () => {
    t = await openTestRuntime();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a command that leaves nothing behind is reaped once it exits: no zombie is kept', async () => {
    const box = await t.runtime.createBox({ image: 'alpine:latest', autoRemove: false });
    // Several, so one reaped by luck of timing proves nothing alone.
    const leaders = [];
    for (let i = 0; i < 5; i++) leaders.push(...await pidsOf(box, 'echo $$'));
    await until(() => leaders.every((pid) => !exists(pid)), 10_000, `commands ${leaders.join(', ')} to be reaped`);
    await box.stop();
  });

  it('a background child outlives its command and is killed when the box stops', async () => {
    const box = await t.runtime.createBox({ image: 'alpine:latest', autoRemove: false });
    const [leader, child] = await pidsOf(box, 'sleep 60 >/dev/null 2>&1 & echo $$ $!');
    // The leader stays a zombie (its process group still has a member), the child runs on.
    await until(() => !isRunning(leader), 10_000, `command ${leader} to exit`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the release of the execution runs meanwhile
    expect(isRunning(child)).toBe(true);
    // A command that leaves nothing, run after it, is still reaped at once.
    const [plain] = await pidsOf(box, 'echo $$');
    await until(() => !exists(plain), 10_000, `command ${plain} to be reaped`);
    expect(isRunning(child)).toBe(true);
    await box.stop();
    await until(() => !isRunning(child), 10_000, `background child ${child} to be killed by the stop`);
  });
});
