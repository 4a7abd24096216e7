// An attached client past the stdin cap that keeps sending tiny frames and
// never reads the answers: the server must not queue one error frame per
// frame (it did: 8.1 M one-byte frames took it to 4.3 GB and OOM). Error
// frames per socket are bounded (maxErrorFramesPerSocket), the last one says
// so and the socket is closed with 1008; the execution goes on.
// README "Limits and guarantees".
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Server, clientFrame, floodAndFinish, rawAttach, rssMiB, srv, startExec, waitUntil } from './load-support';

describe('error-frame flood', () => {
  let server: Server;
  let box: string;
  beforeAll(async () => {
    server = await srv.startServer({ args: ['--max-stdin', '1K'] });
    box = await srv.createBox(server.origin);
  });
  afterAll(async () => { await server?.stop(); });

  it('a reading client gets the first refusal in full, then error frames up to the cap, then close 1008; the execution goes on', async () => {
    const capped = await srv.startServer({ args: ['--max-stdin', '1K'], limits: { maxErrorFramesPerSocket: 10 } });
    try {
      const b = await srv.createBox(capped.origin);
      const id = await startExec(capped, b, 'sleep', ['300']);
      const url = `${capped.origin.replace('http', 'ws')}/v1/boxes/${b}/executions/${id}/attach`;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const errors: string[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) errors.push(JSON.parse(data.toString('utf8')).message);
      });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      ws.send(Buffer.alloc(2048, 0x61)); // past the 1 KiB cap: refused whole
      for (let i = 0; i < 50; i++) ws.send(Buffer.from('a'));
      expect(await closed).toBe(1008);
      expect(errors).toHaveLength(10);
      expect(errors[0]).toMatch(/stdin of execution .* is limited to 1024 bytes/);
      expect(errors[9]).toContain('maxErrorFramesPerSocket');
      // The command still runs and can be attached again.
      const status = await srv.request(`${capped.origin}/v1/boxes/${b}/executions/${id}`);
      expect(status.json.status).toBe('running');
      const again = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => { again.once('open', () => resolve()); again.once('error', reject); });
      again.close();
    } finally {
      await capped.stop();
    }
  });

  /**
   * Runs `send` on a raw attach to a fresh `sleep 300` execution, sampling the
   * server's RSS meanwhile; resolves its growth (MiB) and what `send` returned.
   */
  async function measured<T>(send: (sock: Socket) => Promise<T>): Promise<{ growth: number; result: T }> {
    const id = await startExec(server, box, 'sleep', ['300']);
    const before = rssMiB(server.pid);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(server.pid)); }, 20);
    try {
      const result = await send(await rawAttach(server, box, id));
      return { growth: Math.max(peak, rssMiB(server.pid)) - before, result };
    } finally {
      clearInterval(sampler);
      await srv.request(`${server.origin}/v1/boxes/${box}/executions/${id}`, { method: 'DELETE' });
    }
  }

  /** Floods a fresh execution with one refused frame then `count` one-byte frames; resolves the server's RSS growth (MiB). */
  async function flood(count: number): Promise<{ growth: number; read: number }> {
    const { growth, result } = await measured((sock) => {
      sock.write(clientFrame(Buffer.alloc(2048, 0x61)));
      return floodAndFinish(sock, clientFrame(Buffer.from('a')), count);
    });
    return { growth, read: result };
  }

  it('100k vs 1M one-byte frames never read: the server grows no more for ten times the frames, and keeps serving', async () => {
    await flood(10_000); // warm-up: first-use allocations are not what is measured
    const small = await flood(100_000);
    const large = await flood(1_000_000);
    console.log(`error-frame flood: RSS growth ${small.growth} MiB for 100k frames, ${large.growth} MiB for 1M`);
    // Before the bound: +80 MiB for 100k frames, +580 MiB for 1M (4.3 GB and OOM at 8.1M).
    expect(large.growth).toBeLessThan(small.growth + 48);
    // What the server sent back is bounded too (1024 error frames, not one per frame).
    expect(large.read).toBeLessThan(1024 * 1024);
    expect(small.read).toBeLessThan(1024 * 1024);
    const health = await srv.request(`${server.origin}/v1/config`);
    expect(health.status).toBe(200);
    await waitUntil(async () => (await srv.request(`${server.origin}/v1/boxes/${box}`)).status === 200, 5_000, 'the server to answer');
  }, 120_000);

  it('valid signal frames faster than the engine answers: engine calls in flight are bounded, not one per frame', async () => {
    /** Sends `count` signal frames (SIGWINCH: harmless to sleep) to a fresh execution; resolves the RSS growth (MiB). */
    const signalFlood = async (count: number): Promise<number> => (await measured((sock) =>
      floodAndFinish(sock, clientFrame(Buffer.from('{"type":"signal","sig":28}'), 0x1), count, 100_000))).growth;
    await signalFlood(5_000);
    const small = await signalFlood(20_000);
    const large = await signalFlood(200_000);
    console.log(`signal-frame flood: RSS growth ${small} MiB for 20k frames, ${large} MiB for 200k`);
    // Before the bound: +15 MiB for 10k frames, +81 MiB for 100k, +151 MiB for 300k.
    expect(large).toBeLessThan(small + 32);
  }, 180_000);
});
