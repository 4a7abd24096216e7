// handler.close() while a POST .../exec is between the engine's spawn and its
// answer: the execution it started must not outlive the handler (nobody
// could reach, poll or kill it any more), and the request is answered.
import { describe, expect, it } from 'vitest';
import type { Box, Execution, Runtime } from '../lib/runtime/runtime-types';
import { createBox, postJson, serve, until } from './http-support';

describe('handler.close() racing POST .../exec', () => {
  it('kills the execution spawned after close() began and answers 503', async () => {
    const base = await serve();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const spawned: Execution[] = [];
    // Holds exec's answer (the process is already running) until close() ran.
    const holdExec = (box: Box): Box => new Proxy(box, {
      get(target, prop) {
        if (prop === 'exec') {
          return async (...args: Parameters<Box['exec']>) => {
            const execution = await target.exec(...args);
            spawned.push(execution);
            await gate;
            return execution;
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const slow = new Proxy(base.t.runtime, {
      get(target, prop) {
        if (prop === 'getBox') return async (idOrName: string) => holdExec(await target.getBox(idOrName));
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Runtime;
    const s = await serve({ t: base.t, runtime: slow, handler: { maxExecutions: 1 } });
    try {
      const box = await createBox(s.origin);
      const answer = postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'sleep', args: ['100'] });
      await until(() => spawned.length === 1, 10_000, 'the exec to spawn');
      await s.handler.close();
      release();
      const a = await answer;
      expect(a.status).toBe(503);
      // Killed, not left running with nobody able to reach it.
      const code = await Promise.race([spawned[0].wait(), new Promise((r) => setTimeout(() => r('still running'), 5000))]);
      expect(code).toBe(-9);
      expect(s.handler.activeExecutions).toBe(0);
    } finally {
      release();
      await s.close();
      await base.close();
    }
  });
});
