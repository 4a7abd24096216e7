// A server that stops sending (it never answers, or its answer's body stalls
// halfway) does not hold a call, and one of the runtime's 64 connections to
// its origin, forever: the default transport gives up after
// INACTIVITY_TIMEOUT_MS of silence (undici's 300 s headers/body timeouts,
// what the fetch transport does), as a network failure. Here with a 300 ms
// timeout so the test is quick.
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INACTIVITY_TIMEOUT_MS, NodeHttpTransport } from '../lib/remote/node-http-transport';

let server: http.Server;
let origin: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/half') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"boxes":['); // and nothing more
    }
    // '/silent': no answer at all
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function allClosed(ms: number): Promise<number> {
  const until = Date.now() + ms;
  while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return sockets.size;
}

it('defaults to fetch\'s 300 s', () => {
  expect(INACTIVITY_TIMEOUT_MS).toBe(300_000);
});

it('a server that never answers: the request fails after the timeout and its connection is closed', async () => {
  const t = new NodeHttpTransport({ inactivityTimeoutMs: 300 });
  try {
    const started = Date.now();
    const err = await t.request({ method: 'GET', url: `${origin}/silent`, headers: {}, body: undefined, signal: undefined })
      .then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await allClosed(2000)).toBe(0);
  } finally {
    t.close();
  }
}, 20_000);

it('an answer whose body stalls: reading it fails after the timeout and its connection is closed', async () => {
  const t = new NodeHttpTransport({ inactivityTimeoutMs: 300 });
  try {
    const res = await t.request({ method: 'GET', url: `${origin}/half`, headers: {}, body: undefined, signal: undefined });
    expect(res.status).toBe(200);
    const started = Date.now();
    const err = await res.text().then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await allClosed(2000)).toBe(0);
  } finally {
    t.close();
  }
}, 20_000);
