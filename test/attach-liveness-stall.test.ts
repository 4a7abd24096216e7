// The attach's liveness check must not blame clients for the server's own
// stalls. While the server process cannot run (a long GC, a blocked loop, here
// SIGSTOP) it sends no Ping and reads no Pong; when it runs again, its overdue
// check comes before the Pong waiting in the socket is read. That silence is
// the server's: a live client must stay attached, and a dead one must still be
// dropped once it has been silent for the pong timeout while the server ran.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import WebSocket from 'ws';

const load = createRequire(__filename);
const srv = load('../bench/stress/support/server-process.js');

const PING_INTERVAL_MS = 100;
const PONG_TIMEOUT_MS = 800;
const STALL_MS = 2_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Server = any;

async function attachTo(server: Server, box: string, options: WebSocket.ClientOptions): Promise<WebSocket> {
  const started = await srv.request(`${server.origin}/v1/boxes/${box}/exec`, { method: 'POST', body: JSON.stringify({ command: 'sleep', args: ['600'] }) });
  expect(started.status).toBe(201);
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/v1/boxes/${box}/executions/${started.json.execution_id}/attach`, options);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function closedAt(ws: WebSocket): { at: number | null } {
  const state: { at: number | null } = { at: null };
  ws.once('close', () => { state.at = Date.now(); });
  return state;
}

it('a server stall longer than the pong timeout keeps a live client attached, and still drops a dead one', async () => {
  const server = await srv.startServer({ limits: { pingIntervalMs: PING_INTERVAL_MS, pongTimeoutMs: PONG_TIMEOUT_MS } });
  try {
    const box = await srv.createBox(server.origin);
    const live = await attachTo(server, box, {});
    const dead = await attachTo(server, box, { autoPong: false });
    const liveClosed = closedAt(live);
    const deadClosed = closedAt(dead);
    let pingsAfterStall = 0;

    await new Promise((r) => setTimeout(r, 200));
    process.kill(server.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, STALL_MS));
    process.kill(server.pid, 'SIGCONT');
    live.on('ping', () => { pingsAfterStall++; });

    // Several pong timeouts after the server runs again: the live client is
    // still attached and pinged; the dead one is gone.
    await new Promise((r) => setTimeout(r, 3 * PONG_TIMEOUT_MS));
    expect(liveClosed.at).toBeNull();
    expect(pingsAfterStall).toBeGreaterThan(3);
    expect(deadClosed.at).not.toBeNull();
    live.close();
  } finally {
    try { process.kill(server.pid, 'SIGCONT'); } catch { /* already gone */ }
    await server.stop();
  }
}, 60_000);
