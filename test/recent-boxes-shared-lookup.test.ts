// RecentBoxes: overlapping lookups of one box share one engine call, and a
// forget() while that call is in flight keeps its answer from being reused.
import { describe, expect, it } from 'vitest';
import { RecentBoxes } from '../lib/http/boxes/recent-boxes';
import { NotFoundError } from '../lib/errors/errors';
import type { Box, Runtime } from '../lib/runtime/runtime-types';

/** A runtime whose getBox calls wait until the test settles them. */
function heldRuntime() {
  const calls: Array<{ idOrName: string; resolve: (box: Box) => void; reject: (err: Error) => void }> = [];
  const runtime = {
    getBox: (idOrName: string) => new Promise<Box>((resolve, reject) => { calls.push({ idOrName, resolve, reject }); }),
  } as unknown as Runtime;
  return { runtime, calls };
}

const boxNamed = (id: string) => ({ id, name: null }) as unknown as Box;

describe('RecentBoxes lookups in flight', () => {
  it('overlapping lookups of one name make one engine call; the answer is then reused', async () => {
    const { runtime, calls } = heldRuntime();
    const recent = new RecentBoxes(runtime, 60_000);
    const a = recent.get('b1');
    const b = recent.get('b1');
    const other = recent.get('b2');
    await Promise.resolve();
    expect(calls.map((c) => c.idOrName)).toEqual(['b1', 'b2']);
    const box = boxNamed('b1');
    calls[0].resolve(box);
    calls[1].resolve(boxNamed('b2'));
    expect(await a).toEqual({ box, cached: false });
    expect(await b).toEqual({ box, cached: false });
    expect((await other).box.id).toBe('b2');
    expect(await recent.get('b1')).toEqual({ box, cached: true });
    expect(calls).toHaveLength(2);
  });

  it('a failed lookup reaches every caller waiting on it and is not kept: the next one asks again', async () => {
    const { runtime, calls } = heldRuntime();
    const recent = new RecentBoxes(runtime, 60_000);
    const a = recent.get('gone');
    const b = recent.get('gone');
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    calls[0].reject(new NotFoundError('box not found: gone'));
    await expect(a).rejects.toBeInstanceOf(NotFoundError);
    await expect(b).rejects.toBeInstanceOf(NotFoundError);
    const c = recent.get('gone');
    await Promise.resolve();
    expect(calls).toHaveLength(2);
    calls[1].resolve(boxNamed('gone'));
    expect((await c).cached).toBe(false);
  });

  it('forget() during a lookup: its callers get the answer, later requests ask the engine afresh', async () => {
    const { runtime, calls } = heldRuntime();
    const recent = new RecentBoxes(runtime, 60_000);
    const before = recent.get('name1');
    await Promise.resolve();
    recent.forget('box-id-1'); // the box behind name1, removed through the handler
    const after = recent.get('name1');
    await Promise.resolve();
    expect(calls).toHaveLength(2); // not joined to the lookup that began before the removal
    calls[0].resolve(boxNamed('box-id-1'));
    expect((await before).box.id).toBe('box-id-1');
    expect(recent.size).toBe(0); // the answer from before the removal is not kept
    calls[1].resolve(boxNamed('box-id-2'));
    expect((await after).box.id).toBe('box-id-2');
    expect(await recent.get('name1')).toEqual({ box: boxNamed('box-id-2'), cached: true });
  });

  it('clear() drops lookups in flight the same way; reuseMs 0 never shares or keeps', async () => {
    const held = heldRuntime();
    const recent = new RecentBoxes(held.runtime, 60_000);
    const first = recent.get('x');
    recent.clear();
    const second = recent.get('x');
    await Promise.resolve();
    expect(held.calls).toHaveLength(2);
    held.calls[0].resolve(boxNamed('x'));
    held.calls[1].resolve(boxNamed('x'));
    await Promise.all([first, second]);

    const uncached = heldRuntime();
    const never = new RecentBoxes(uncached.runtime, 0);
    const p = [never.get('y'), never.get('y')];
    await Promise.resolve();
    expect(uncached.calls).toHaveLength(2);
    for (const c of uncached.calls) c.resolve(boxNamed('y'));
    await Promise.all(p);
    expect(never.size).toBe(0);
  });
});
