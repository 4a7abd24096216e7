// runtime.close() stops listening to every execution, including one whose
// exec POST was still in flight when close() was called: once that POST
// answers, the new execution's wait() rejects with StoppedError and no attach
// socket is left open (it would keep the process alive until the command
// ends on the server).
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoppedError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';

let server: http.Server;
let origin: string;
const upgrades = new Set<Socket>();
let execPosts = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && req.url?.endsWith('/exec')) {
      execPosts++;
      // Answers once the client has been closed.
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ execution_id: 'e1' }));
      }, 300);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ box_id: 'b1', name: null, status: 'running', created_at: '2026-01-01T00:00:00Z', image: 'alpine' }));
  });
  // An attach handshake is held open, never answered: only the client can end it.
  server.on('upgrade', (_req, socket: Socket) => {
    upgrades.add(socket);
    socket.on('close', () => upgrades.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of upgrades) s.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('an exec answered after close(): its wait() rejects with StoppedError and its attach socket is closed', async () => {
  const rt = await Runtime.rest({ url: origin, attachLivenessTimeoutMs: 20_000 });
  const box = await rt.getBox('b1');
  const execution = box.exec('sleep', ['60']);
  while (execPosts === 0) await new Promise((r) => setTimeout(r, 10));
  await rt.close();
  const started = Date.now();
  const err = await (await execution).wait().then(() => null, (e: unknown) => e as Error);
  expect(err).toBeInstanceOf(StoppedError);
  expect(Date.now() - started).toBeLessThan(2000);
  const until = Date.now() + 2000;
  while (upgrades.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(upgrades.size).toBe(0);
}, 20_000);
