// A command that exits by itself with a failure code before its
// timeout_seconds is `completed`, not `timed_out`, even when its exit is
// noticed late (a busy event loop): a timeout kill is a signal death
// (negative exit code), a positive code never is.
import { describe, expect, it } from 'vitest';
import type { Box, Execution, Runtime } from '../lib/runtime/runtime-types';
import { attach, attachUrl, createBox, request, serve, startExec } from './http-support';

/** How late the exit reaches the session (ms): past timeout_seconds - 50 ms. */
const EXIT_NOTICED_LATE_MS = 400;

const bound = <T extends object>(target: T, prop: string | symbol): unknown => {
  const v = Reflect.get(target, prop, target);
  return typeof v === 'function' ? v.bind(target) : v;
};

describe('timed_out is a timeout kill only', () => {
  it('a natural exit 3 noticed after the timeout mark reads completed', async () => {
    const base = await serve();
    const lateExit = (execution: Execution): Execution => new Proxy(execution, {
      get(target, prop) {
        if (prop === 'exited') {
          return () => target.exited().then((code) => new Promise<number>((resolve) => setTimeout(resolve, EXIT_NOTICED_LATE_MS, code)));
        }
        return bound(target, prop);
      },
    });
    const withLateExit = (box: Box): Box => new Proxy(box, {
      get(target, prop) {
        if (prop === 'exec') return async (...args: Parameters<Box['exec']>) => lateExit(await target.exec(...args));
        return bound(target, prop);
      },
    });
    const runtime = new Proxy(base.t.runtime, {
      get(target, prop) {
        if (prop === 'getBox') return async (idOrName: string) => withLateExit(await target.getBox(idOrName));
        return bound(target, prop);
      },
    }) as Runtime;
    const s = await serve({ t: base.t, runtime });
    try {
      const box = await createBox(s.origin);
      // Exits by itself at ~250 ms; the engine's deadline is 500 ms.
      const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'sleep 0.25; exit 3'], timeout_seconds: 0.5 });
      const at = await attach(attachUrl(s.origin, box, eid));
      expect((await at.closed).exitCode).toBe(3);
      const st = await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`);
      expect(st.json).toMatchObject({ status: 'completed', exit_code: 3, error_message: null });
    } finally {
      await s.close();
      await base.close();
    }
  });
});
