// Linux counts every argument and environment entry of an execve twice: its
// bytes with the NUL, and the 8-byte pointer to it, all within a quarter of
// the stack limit. The pre-check counted only the strings, so 250000 empty
// arguments (750 KB of JSON, under 1 MiB) passed it and the spawn failed deep
// in the engine (E2BIG, "internal error: spawn_failed"). Now the pointers
// count too and the caller is told the rule. Real HTTP, test engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, postJson, serve } from './http-support';

let s: Served;
let box: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'exec-argv-pointers' });
});
afterAll(async () => {
  await s.close();
});

describe('argv and env count their pointers', () => {
  it('250000 empty arguments: 400 naming ARG_MAX, before the engine is called', async () => {
    const a = await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'true', args: Array.from({ length: 250_000 }, () => '') });
    const err = expectEnvelope(a, 400, 'invalid_argument');
    expect(err.message).toMatch(/ARG_MAX/);
    expect(err.message).not.toMatch(/spawn_failed/);
  });

  it('100000 empty arguments still run', async () => {
    const a = await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'true', args: Array.from({ length: 100_000 }, () => '') });
    expect(a.status, a.text).toBe(201);
  });
});
