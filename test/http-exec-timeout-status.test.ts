// GET .../executions/{id} says `timed_out` for an exec the engine killed at
// its timeout_seconds, however long the spawn took to be answered: the
// engine's clock starts at the spawn, before POST /exec's session exists.
import { describe, expect, it } from 'vitest';
import type { Box, Runtime } from '../lib/runtime/runtime-types';
import { attach, attachUrl, createBox, request, serve, startExec } from './http-support';

/** How long the spawn's answer is held back (a busy event loop, a slow engine round trip). */
const SPAWN_ANSWER_DELAY_MS = 250;

describe('timed_out when the spawn was answered late', () => {
  it('an exec killed at its timeout reads timed_out, not killed', async () => {
    const base = await serve();
    const lateExec = (box: Box): Box => new Proxy(box, {
      get(target, prop) {
        if (prop === 'exec') {
          return async (...args: Parameters<Box['exec']>) => {
            const execution = await target.exec(...args);
            await new Promise((resolve) => setTimeout(resolve, SPAWN_ANSWER_DELAY_MS));
            return execution;
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const slow = new Proxy(base.t.runtime, {
      get(target, prop) {
        if (prop === 'getBox') return async (idOrName: string) => lateExec(await target.getBox(idOrName));
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Runtime;
    const s = await serve({ t: base.t, runtime: slow });
    try {
      const box = await createBox(s.origin);
      const eid = await startExec(s.origin, box, { command: 'sleep', args: ['10'], timeout_seconds: 0.5 });
      const at = await attach(attachUrl(s.origin, box, eid));
      expect((await at.closed).exitCode).toBe(-9);
      const st = await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`);
      expect(st.json).toMatchObject({ status: 'timed_out', exit_code: -9, error_message: 'execution timed out after 0.5s' });
      // started_at is when the exec was asked for, so duration_ms covers the whole run.
      expect(st.json.duration_ms).toBeGreaterThanOrEqual(500);
    } finally {
      await s.close();
      await base.close();
    }
  });
});
