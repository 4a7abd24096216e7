// The server stops reading an attached socket while the engine has not yet
// taken what the client sent (16 signal/resize calls in flight, or stdin
// waiting for 'drain'). The client's Pongs then wait unread in the socket:
// that silence is the server's own, and must not get a live client dropped
// by the pong timeout. A client that is really gone is still dropped once the
// server reads again.
import { describe, expect, it } from 'vitest';
import type { Box, Execution, Runtime } from '../lib/runtime/runtime-types';
import { attach, attachUrl, createBox, serve, sleep, startExec } from './http-support';

/** How long each signal call is held before the engine is asked (a slow engine round trip). */
const HOLD_MS = 1500;
const PONG_TIMEOUT_MS = 400;

/** The runtime, with every execution's signal() answered HOLD_MS late. */
function slowSignals(runtime: Runtime): Runtime {
  const wrapExecution = (ex: Execution): Execution => new Proxy(ex, {
    get(target, prop) {
      if (prop === 'signal') {
        return async (sig: number) => {
          await sleep(HOLD_MS);
          return target.signal(sig);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const wrapBox = (box: Box): Box => new Proxy(box, {
    get(target, prop) {
      if (prop === 'exec') return async (...args: Parameters<Box['exec']>) => wrapExecution(await target.exec(...args));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return new Proxy(runtime, {
    get(target, prop) {
      if (prop === 'getBox') return async (idOrName: string) => wrapBox(await target.getBox(idOrName));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Runtime;
}

describe('attach liveness while the server itself is not reading', () => {
  it('a live client is kept through a pause longer than the pong timeout, and the command ends normally', async () => {
    const base = await serve();
    const s = await serve({
      t: base.t,
      runtime: slowSignals(base.t.runtime),
      handler: { pingIntervalMs: 100, pongTimeoutMs: PONG_TIMEOUT_MS },
    });
    try {
      const box = await createBox(s.origin);
      const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'sleep 3; echo done'] });
      const at = await attach(attachUrl(s.origin, box, eid));
      let closedAt = 0;
      void at.closed.then(() => { closedAt = Date.now(); });
      // 16 in flight: the session stops reading the socket until they are answered.
      for (let i = 0; i < 16; i++) at.ws.send(JSON.stringify({ type: 'signal', sig: 28 })); // SIGWINCH: ignored by sh
      await sleep(HOLD_MS + 500);
      expect(closedAt, 'the server dropped a live client while it was not reading it').toBe(0);
      const end = await at.closed;
      expect(end.exitCode).toBe(0);
      expect(at.stdout()).toBe('done\n');
      expect(at.control.filter((f) => f.type === 'error')).toEqual([]);
    } finally {
      await s.close();
      await base.close();
    }
  });
});
