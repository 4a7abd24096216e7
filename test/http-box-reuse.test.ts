// The exec path reuses a box it looked up a moment ago (recent-boxes.ts,
// option boxReuseMs): POST exec and the attach that follows ask the engine
// once, not twice. What reuse must never change: a removed box answers 404,
// a name taken over by another box execs in that box, and 0 turns it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, attach, attachUrl, createBox, postJson, request, serve, startExec } from './http-support';

let s: Served;

beforeAll(async () => {
  s = await serve({ handler: { boxReuseMs: 60_000 } });
});
afterAll(async () => { await s.close(); });

/** Runs `echo <word>` over POST exec + attach; the stdout and exit code. */
async function echo(box: string, word: string): Promise<{ out: string; exitCode: number | null }> {
  const eid = await startExec(s.origin, box, { command: 'echo', args: [word] });
  const a = await attach(attachUrl(s.origin, box, eid));
  const { exitCode } = await a.closed;
  return { out: a.stdout(), exitCode };
}

describe('box reuse on the exec path', () => {
  it('the attach after POST exec does not ask the engine for the box again', async () => {
    const box = await createBox(s.origin, { name: 'reuse-attach' });
    const eid = await startExec(s.origin, box, { command: 'echo', args: ['one'] });
    // Any engine lookup of this box fails from now on: only a reused box attaches.
    s.t.injectFault({ op: 'get', code: 12, box, times: 'forever' });
    try {
      const a = await attach(attachUrl(s.origin, box, eid));
      expect((await a.closed).exitCode).toBe(0);
      expect(a.stdout()).toBe('one\n');
    } finally {
      s.t.clearFaults();
    }
  });

  it('a box removed through the handler is forgotten at once: exec answers 404', async () => {
    const box = await createBox(s.origin, { name: 'reuse-removed' });
    expect((await echo('reuse-removed', 'x')).out).toBe('x\n');
    expect((await request(`${s.origin}/v1/boxes/${box}?force=true`, { method: 'DELETE' })).status).toBe(204);
    const a = await postJson(`${s.origin}/v1/boxes/reuse-removed/exec`, { command: 'true' });
    expect(a.status).toBe(404);
    expect(a.json.error.code).toBe('not_found');
  });

  it('a box removed behind the handler (on the runtime itself) answers 404, as an uncached lookup does', async () => {
    const box = await createBox(s.origin, { name: 'reuse-behind' });
    expect((await echo('reuse-behind', 'x')).out).toBe('x\n');
    await s.t.runtime.removeBox(box, { force: true });
    const a = await postJson(`${s.origin}/v1/boxes/reuse-behind/exec`, { command: 'true' });
    expect(a.status).toBe(404);
    expect(a.json.error.message).toBe('box not found: Box not found: reuse-behind');
  });

  it('a name taken over behind the handler execs in the box that holds it now', async () => {
    const first = await createBox(s.origin, { name: 'reuse-renamed' });
    expect((await echo('reuse-renamed', 'x')).out).toBe('x\n');
    await s.t.runtime.removeBox(first, { force: true });
    const second = await s.t.runtime.createBox({ image: 'alpine:latest', name: 'reuse-renamed' });
    const a = await postJson(`${s.origin}/v1/boxes/reuse-renamed/exec`, { command: 'true' });
    expect(a.status).toBe(201);
    expect(a.headers.location).toContain(`/boxes/${second.id}/executions/`);
  });

  it('an engine NotFound on exec for a box that still exists is answered as it is', async () => {
    const box = await createBox(s.origin, { name: 'reuse-fault' });
    expect((await echo('reuse-fault', 'x')).out).toBe('x\n');
    s.t.injectFault({ op: 'exec', code: 2, box, message: 'injected not found' });
    try {
      const a = await postJson(`${s.origin}/v1/boxes/reuse-fault/exec`, { command: 'true' });
      expect(a.status).toBe(404);
      expect(a.json.error.message).toContain('injected not found');
    } finally {
      s.t.clearFaults();
    }
  });

  it('boxReuseMs: 0 asks the engine on every attach; a negative value is refused', async () => {
    const fresh = await serve({ t: s.t, handler: { boxReuseMs: 0 } });
    try {
      const box = await createBox(fresh.origin, { name: 'no-reuse' });
      const eid = await startExec(fresh.origin, box, { command: 'sleep', args: ['5'] });
      s.t.injectFault({ op: 'get', code: 12, box });
      const refused = await attach(attachUrl(fresh.origin, box, eid)).then(() => null, (e) => e);
      expect(refused?.status).toBe(503);
      await request(`${fresh.origin}/v1/boxes/${box}/executions/${eid}`, { method: 'DELETE' });
    } finally {
      s.t.clearFaults();
      await fresh.close();
    }
    await expect(serve({ t: s.t, handler: { boxReuseMs: -1 } })).rejects.toThrow(/boxReuseMs must be a number >= 0/);
  });
});
