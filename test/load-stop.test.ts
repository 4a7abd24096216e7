// POST .../boxes/{id}/stop while its executions hold more unread output than
// fits in memory (part of it spilled to disk): the engine kills them with the
// box, and their execution slots come back as soon as the processes are gone.
// Before, each slot waited until the output was read or the session reaped
// (5 min), so 429 answered every new exec on the server meanwhile. The
// unread output itself stays readable (libboxlite keeps an execution's
// received output in its channels after a stop too), held within the
// runtime-wide output budgets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Server, deletedOpen, processesWith, srv, startExec, tryExec, waitUntil } from './load-support';

const UNREAD_BYTES = 41943040;
/** 40 MiB nobody reads (past the memory windows: spilled), then a long sleep the stop cuts short. */
const NAP = 'sleep 3001';
const UNREAD = ['-c', `head -c ${UNREAD_BYTES} /dev/zero; exec ${NAP}`];
const SPILL = 'boxlite-output-';

/** Attaches and reads to the exit frame: output bytes per channel and the exit code. */
function readAll(server: Server, box: string, execId: string): Promise<{ stdout: number; stderr: number; exitCode: number }> {
  const url = `${server.origin.replace('http', 'ws')}/v1/boxes/${box}/executions/${execId}/attach`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const got = { stdout: 0, stderr: 0, exitCode: Number.NaN };
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no exit frame after 30 s (${JSON.stringify(got)})`)); }, 30_000);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data[0] === 1) got.stdout += data.length - 1;
        else got.stderr += data.length - 1;
        return;
      }
      const frame = JSON.parse(data.toString('utf8'));
      if (frame.type === 'exit') got.exitCode = frame.exit_code;
    });
    ws.on('close', () => { clearTimeout(timer); resolve(got); });
    ws.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

describe('a stopped box gives back the slots of its executions at once, their unread output stays readable', () => {
  let server: Server;
  beforeEach(async () => {
    server = await srv.startServer({ limits: { maxExecutions: 2, maxExecutionsPerBox: 2 } });
  });
  afterEach(async () => { await server?.stop(); });

  it('POST /boxes/{id}/stop', async () => {
    const box = await srv.createBox(server.origin);
    const ids = [await startExec(server, box, 'sh', UNREAD), await startExec(server, box, 'sh', UNREAD)];
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 2, 20_000, 'both executions to spill');
    // Every byte written (the engine takes output at the pace it is drained):
    // both commands are in their sleep.
    await waitUntil(() => processesWith(NAP, { prefix: true }).length === 2, 20_000, 'both commands to finish writing');
    const other = await srv.createBox(server.origin);
    // Both slots held by the unread executions: a third is refused.
    expect((await tryExec(server, other, 'true')).status).toBe(429);

    const stop = await srv.request(`${server.origin}/v1/boxes/${box}/stop`, { method: 'POST', body: '{}' });
    expect(stop.status).toBe(200);
    // Nothing was read, yet both slots are free once the processes are gone.
    await waitUntil(async () => (await tryExec(server, other, 'sleep', ['1'])).status === 201, 5_000, 'a free execution slot');
    expect((await tryExec(server, other, 'sleep', ['1'])).status).toBe(201);
    expect((await tryExec(server, other, 'true')).status).toBe(429);

    // What the stopped executions wrote is still there, every byte, then the
    // exit frame of the kill that ended them with their box.
    for (const id of ids) {
      const status = await srv.request(`${server.origin}/v1/boxes/${box}/executions/${id}`);
      expect(status.status).toBe(200);
      expect(status.json.status).toBe('killed');
      const got = await readAll(server, box, id);
      expect(got).toEqual({ stdout: UNREAD_BYTES, stderr: 0, exitCode: -9 });
    }
    // Read in full: the spill files are closed.
    await waitUntil(() => deletedOpen(server.pid, SPILL).length === 0, 5_000, 'every spill file to close');
  }, 90_000);
});
