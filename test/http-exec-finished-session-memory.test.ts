// A finished execution (exited, its output delivered) stays registered until
// it is reaped (execIdleTimeoutMs, 5 min) for its status and a late attach's
// exit frame. That bookkeeping must not keep the execution itself (its
// streams, its native handle) alive: under load that is thousands of them.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Box, Execution, Runtime } from '../lib/runtime/runtime-types';
import { attach, attachUrl, createBox, request, serve, startExec } from './http-support';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const bound = <T extends object>(target: T, prop: string | symbol): unknown => {
  const v = Reflect.get(target, prop, target);
  return typeof v === 'function' ? v.bind(target) : v;
};

describe('a finished REST session lets go of its execution', () => {
  it('executions whose exit frame was delivered are collectable while their sessions are still registered', async () => {
    const base = await serve();
    const spawned: Array<WeakRef<Execution>> = [];
    const watched = (box: Box): Box => new Proxy(box, {
      get(target, prop) {
        if (prop === 'exec') {
          return async (...args: Parameters<Box['exec']>) => {
            const execution = await target.exec(...args);
            spawned.push(new WeakRef(execution));
            return execution;
          };
        }
        return bound(target, prop);
      },
    });
    const runtime = new Proxy(base.t.runtime, {
      get(target, prop) {
        if (prop === 'getBox') return async (idOrName: string) => watched(await target.getBox(idOrName));
        return bound(target, prop);
      },
    }) as Runtime;
    const s = await serve({ t: base.t, runtime });
    try {
      const box = await createBox(s.origin);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const eid = await startExec(s.origin, box, { command: 'echo', args: [`run ${i}`] });
        const at = await attach(attachUrl(s.origin, box, eid));
        expect(await at.closed).toEqual({ exitCode: 0, closeCode: 1000 });
        expect(at.stdout()).toBe(`run ${i}\n`);
        ids.push(eid);
      }
      expect(spawned).toHaveLength(20);
      for (let round = 0; round < 5; round++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const alive = spawned.filter((ref) => ref.deref() !== undefined).length;
      expect(alive).toBe(0);
      // Still registered: the status and a re-attach's exit frame are answered as before.
      expect(s.handler.activeExecutions).toBe(20);
      const st = await request(`${s.origin}/v1/boxes/${box}/executions/${ids[0]}`);
      expect(st.json).toMatchObject({ status: 'completed', exit_code: 0 });
      const again = await attach(attachUrl(s.origin, box, ids[1]));
      expect(await again.closed).toEqual({ exitCode: 0, closeCode: 1000 });
    } finally {
      await s.close();
      await base.close();
    }
  });
});
