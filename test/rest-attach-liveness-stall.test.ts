// Runtime.rest()'s attach liveness check (attachLivenessTimeoutMs) must not
// blame the server for the client's own stalls. While the client process
// cannot run (a blocked event loop, a long GC, SIGSTOP) it reads nothing, so
// the server's Pings wait unread in its socket; when it runs again its overdue
// timers fire before that socket is read. That silence is the client's: a
// live attach must stay up (no re-attach, nothing lost). So must an attach
// the client stopped reading itself (its stdout Readable is full). A server
// that really goes silent (SIGSTOP of the server) must still be given up
// within about the timeout, and so must a re-attach whose WebSocket handshake
// the stopped server never answers (before: ws's fixed 30 s handshakeTimeout),
// or whose refusal (a 503) stops halfway through its body (before: held 30 s,
// then failed for good although a 503 is retryable).
//
// Real `serve --engine test` processes on 127.0.0.1 (the server pings every
// 100 ms and, for these tests, waits 20 s for a Pong, so only the client's
// own check can end an attach here); a child process holding an attach is
// driven through dist/ (npm run build:ts).
import { spawn } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_CHANNEL } from '../lib/remote/http-client';
import type { RemoteExecution } from '../lib/remote/remote-execution';
import { OUTPUT_HIGH_WATER_MARK } from '../lib/remote/remote-execution';
import type { RemoteRuntime } from '../lib/remote/remote-runtime';
import { Runtime } from '../lib/runtime/runtime';
import { type Served, serve } from './http-support';

const load = createRequire(__filename);
const srv = load('../bench/stress/support/server-process.js');
const repo = path.resolve(__dirname, '..');

const PING_INTERVAL_MS = 100;
const SERVER_PONG_TIMEOUT_MS = 20_000;
const LIVENESS_MS = 800;
/** Each client stall: three liveness timeouts. */
const STALL_MS = 3 * LIVENESS_MS;
const REATTACH = { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 200, maxElapsedMs: 60_000 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Server = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Blocks this process's event loop for `ms` (a stand-in for a long GC or a synchronous job). */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* busy */ }
}

async function until(probe: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Every attach handshake this process starts (first attach and re-attaches), with when it started. */
function watchHandshakes(): { at: number[]; stop: () => void } {
  const at: number[] = [];
  const onRequest = (msg: unknown) => {
    const { method, url } = msg as { method: string; url: string };
    if (method === 'GET' && url.startsWith('ws') && url.endsWith('/attach')) at.push(performance.now());
  };
  diagnostics_channel.subscribe(REQUEST_CHANNEL, onRequest);
  return { at, stop: () => diagnostics_channel.unsubscribe(REQUEST_CHANNEL, onRequest) };
}

function collect(ex: RemoteExecution): { text: () => string } {
  let text = '';
  ex.stdout.setEncoding('utf8');
  ex.stdout.on('data', (c: string) => { text += c; });
  return { text: () => text };
}

describe('attach liveness: the client\'s own stalls are not the server\'s silence', () => {
  let server: Server;
  let rt: RemoteRuntime;

  beforeAll(async () => {
    server = await srv.startServer({ limits: { pingIntervalMs: PING_INTERVAL_MS, pongTimeoutMs: SERVER_PONG_TIMEOUT_MS } });
    rt = await Runtime.rest({ url: server.origin, attachLivenessTimeoutMs: LIVENESS_MS, reattach: REATTACH });
  });

  afterAll(async () => {
    await rt?.close();
    if (server) {
      try { process.kill(server.pid, 'SIGCONT'); } catch { /* already gone */ }
      await server.stop();
    }
  });

  it('a blocked event loop (twice, 3x the timeout each) keeps a live attach: no re-attach, nothing lost', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const handshakes = watchHandshakes();
    try {
      const ex = await box.exec('cat');
      const out = collect(ex);
      ex.stdin.write('start\n');
      await until(() => out.text() === 'start\n', 'the first echo');
      // The server keeps pinging every 100 ms meanwhile; its Pings wait in the socket.
      blockLoop(STALL_MS);
      await sleep(50);
      blockLoop(STALL_MS);
      ex.stdin.end('end\n');
      expect(await ex.wait()).toBe(0);
      expect(out.text()).toBe('start\nend\n');
      expect(ex.reattaches).toBe(0);
      expect(handshakes.at.length).toBe(1);
    } finally {
      handshakes.stop();
    }
  }, 60_000);

  it('an attach the client stopped reading (stdout full) for 3x the timeout stays up and loses nothing', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const TOTAL = 3 * OUTPUT_HIGH_WATER_MARK;
    // More than the Readable holds, then it waits for a line on stdin.
    const ex = await box.exec('sh', ['-c', `head -c ${TOTAL} /dev/zero; read line; echo "$line"`]);
    // Nobody reads stdout: it fills to its high-water mark and the socket is paused.
    await until(() => ex.stdout.readableLength >= OUTPUT_HIGH_WATER_MARK, 'stdout to fill');
    await sleep(STALL_MS);
    let bytes = 0;
    let tail = '';
    ex.stdout.on('data', (c: Buffer) => { bytes += c.length; tail = (tail + c.toString('latin1')).slice(-16); });
    ex.stdin.end('go\n');
    expect(await ex.wait()).toBe(0);
    expect(bytes).toBe(TOTAL + 'go\n'.length);
    expect(tail.endsWith('\0go\n')).toBe(true);
    expect(ex.reattaches).toBe(0);
  }, 60_000);

  it('SIGSTOP of a child process holding the attach (3x the timeout) keeps it attached', async () => {
    const script = `
      const { Runtime } = require(${JSON.stringify(path.join(repo, 'dist', 'index.js'))});
      (async () => {
        const rt = await Runtime.rest({ url: process.env.SERVER, attachLivenessTimeoutMs: ${LIVENESS_MS}, reattach: ${JSON.stringify(REATTACH)} });
        const box = await rt.createBox({ image: 'alpine:latest' });
        const ex = await box.exec('cat');
        let text = '';
        ex.stdout.on('data', (c) => {
          text += c;
          if (text === 'start\\n') console.log('attached');
        });
        ex.stdin.write('start\\n');
        // The parent says when to finish (a line on this process's stdin).
        process.stdin.once('data', () => ex.stdin.end('end\\n'));
        const code = await ex.wait();
        console.log(JSON.stringify({ code, text, reattaches: ex.reattaches }));
        process.stdin.destroy();
        await rt.close();
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, SERVER: server.origin }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { errText += c; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await until(() => out.includes('attached\n') || child.exitCode !== null, 'the child to attach', 30_000);
      expect(errText).toBe('');
      process.kill(child.pid!, 'SIGSTOP');
      await sleep(STALL_MS);
      process.kill(child.pid!, 'SIGCONT');
      // Long enough after the stall for a wrongly dropped attach to be noticed.
      await sleep(LIVENESS_MS);
      child.stdin.write('finish\n');
      expect(await exited).toBe(0);
      expect(errText).toBe('');
      const result = JSON.parse(out.trim().split('\n').pop()!);
      expect(result).toEqual({ code: 0, text: 'start\nend\n', reattaches: 0 });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
  }, 60_000);

  it('a server that goes silent (SIGSTOP) is given up within about the timeout, and so is every re-attach handshake it never answers', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const handshakes = watchHandshakes();
    const SERVER_STOP_MS = 6_000;
    try {
      const ex = await box.exec('cat');
      const out = collect(ex);
      ex.stdin.write('start\n');
      await until(() => out.text() === 'start\n', 'the first echo');
      expect(handshakes.at.length).toBe(1);
      const stoppedAt = performance.now();
      process.kill(server.pid, 'SIGSTOP');
      try {
        await sleep(SERVER_STOP_MS);
      } finally {
        process.kill(server.pid, 'SIGCONT');
      }
      const during = handshakes.at.filter((t) => t < stoppedAt + SERVER_STOP_MS).slice(1);
      // The open socket: silent from the stop on, given up after the timeout
      // plus a backoff wait (generous slack for a busy machine).
      const slack = 1_500;
      expect(during.length).toBeGreaterThanOrEqual(1);
      expect(during[0] - stoppedAt).toBeLessThan(LIVENESS_MS + REATTACH.maxDelayMs + slack);
      // Each re-attach handshake the stopped server never answers is given up
      // after the timeout too (not ws's 30 s handshake timeout), so several
      // tries fit in the stop.
      expect(during.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < during.length; i++) expect(during[i] - during[i - 1]).toBeLessThan(LIVENESS_MS + REATTACH.maxDelayMs + slack);
      console.log(`server stopped ${SERVER_STOP_MS} ms: open attach given up after ${Math.round(during[0] - stoppedAt)} ms; `
        + `handshake tries ${during.length}, gaps ${during.slice(1).map((t, i) => Math.round(t - during[i])).join(', ')} ms`);
      // Once the server runs again, a re-attach gets through and nothing was lost.
      ex.stdin.end('end\n');
      expect(await ex.wait()).toBe(0);
      expect(out.text()).toBe('start\nend\n');
      expect(ex.reattaches).toBeGreaterThanOrEqual(during.length);
    } finally {
      handshakes.stop();
    }
  }, 60_000);
});

describe('attach liveness: a refused upgrade whose answer stalls', () => {
  let s: Served;
  let proxy: net.Server;
  const held = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  let stallNextUpgrade = false;
  let stalled = 0;
  let origin = '';

  beforeAll(async () => {
    s = await serve({ handler: { allowedHosts: '*' } });
    const target = Number(new URL(s.origin).port);
    // Plain requests pass; the next WebSocket upgrade gets the head of a 503
    // and half its body, then nothing more (the peer stops answering, the
    // connection stays open).
    proxy = net.createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => {});
      client.once('data', (first: Buffer) => {
        if (stallNextUpgrade && /^upgrade:\s*websocket/im.test(first.toString('latin1'))) {
          stallNextUpgrade = false;
          stalled++;
          held.add(client);
          client.on('close', () => held.delete(client));
          client.write('HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"error":');
          return;
        }
        const upstream = net.connect(target, '127.0.0.1');
        upstream.on('error', () => client.destroy());
        upstream.write(first);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const c of sockets) c.destroy();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await s?.close();
  });

  it('is given up after the timeout and retried (a 503 is retryable), not held for good', async () => {
    const rt = await Runtime.rest({ url: origin, attachLivenessTimeoutMs: LIVENESS_MS, reattach: REATTACH });
    const handshakes = watchHandshakes();
    try {
      const box = await rt.createBox({ image: 'alpine:latest' });
      stallNextUpgrade = true;
      const ex = await box.exec('sh', ['-c', 'echo ok']);
      const out = collect(ex);
      expect(await ex.wait()).toBe(0);
      expect(out.text()).toBe('ok\n');
      expect(stalled).toBe(1);
      expect(handshakes.at.length).toBe(2);
      const gap = handshakes.at[1] - handshakes.at[0];
      expect(gap).toBeGreaterThanOrEqual(LIVENESS_MS * 0.9);
      expect(gap).toBeLessThan(LIVENESS_MS + REATTACH.maxDelayMs + 1_500);
      console.log(`refused upgrade stalled mid-answer: retried after ${Math.round(gap)} ms`);
      // The stalled connection was let go.
      await until(() => held.size === 0, 'the stalled connection to close', 5_000);
    } finally {
      handshakes.stop();
      await rt.close();
    }
  }, 30_000);
});
