// DELETE an execution, or force-remove its box, while it holds more unread
// output than fits in memory (so part of it is spilled to disk): its
// execution slot comes back at once and its spill file is closed. Before, the
// slot waited for a reader that could no longer come (429 for every new exec,
// still at 200 s) and the spill file stayed open.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Server, deletedOpen, srv, startExec, tryExec, waitUntil } from './load-support';

/** 40 MiB of output nobody reads (past the 8 MiB engine window + 8 MiB session queue: spilled), then a long sleep. */
const UNREAD = ['-c', 'head -c 41943040 /dev/zero; exec sleep 300'];
const SPILL = 'boxlite-output-';

describe('executions removed with unread output give back their slot and spill file at once', () => {
  let server: Server;
  beforeEach(async () => {
    server = await srv.startServer({ limits: { maxExecutions: 2, maxExecutionsPerBox: 2 } });
  });
  afterEach(async () => { await server?.stop(); });

  async function twoSpilling(box: string): Promise<string[]> {
    const ids = [await startExec(server, box, 'sh', UNREAD), await startExec(server, box, 'sh', UNREAD)];
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 2, 20_000, 'both executions to spill');
    // Both slots held: a third is refused.
    expect((await tryExec(server, box, 'true')).status).toBe(429);
    return ids;
  }

  it('DELETE .../executions/{id}', async () => {
    const box = await srv.createBox(server.origin);
    const [first, second] = await twoSpilling(box);
    expect((await srv.request(`${server.origin}/v1/boxes/${box}/executions/${first}`, { method: 'DELETE' })).status).toBe(204);
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 1, 2_000, 'the spill file of the deleted execution to close');
    await waitUntil(async () => (await tryExec(server, box, 'true')).status === 201, 2_000, 'a free execution slot');
    expect((await srv.request(`${server.origin}/v1/boxes/${box}/executions/${second}`, { method: 'DELETE' })).status).toBe(204);
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 0, 2_000, 'every spill file to close');
    // Both slots are free: two long executions start again.
    await waitUntil(async () => (await tryExec(server, box, 'sleep', ['1'])).status === 201, 2_000, 'slot 1');
    expect((await tryExec(server, box, 'sleep', ['1'])).status).toBe(201);
  });

  it('DELETE /boxes/{id}?force=true', async () => {
    const box = await srv.createBox(server.origin);
    await twoSpilling(box);
    expect((await srv.request(`${server.origin}/v1/boxes/${box}?force=true`, { method: 'DELETE' })).status).toBe(204);
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 0, 2_000, 'the spill files to close');
    const other = await srv.createBox(server.origin);
    await waitUntil(async () => (await tryExec(server, other, 'sleep', ['1'])).status === 201, 2_000, 'a free execution slot');
    expect((await tryExec(server, other, 'sleep', ['1'])).status).toBe(201);
  });
});
