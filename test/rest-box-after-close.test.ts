// After runtime.close(), a box's calls reject with StoppedError and send
// nothing, as embedded: in particular exec() must not start a command on the
// server that nobody would listen to.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoppedError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';

let server: http.Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ box_id: 'b1', name: null, status: 'running', created_at: '2026-01-01T00:00:00Z', image: 'alpine', execution_id: 'e1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('every box call after close() rejects with StoppedError, nothing sent', async () => {
  const rt = await Runtime.rest({ url: origin });
  const box = await rt.getBox('b1');
  await rt.close();
  const sentBefore = seen.length;
  const file = path.join(os.tmpdir(), `rest-box-after-close-${process.pid}`);
  fs.writeFileSync(file, 'x');
  try {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['start', () => box.start()],
      ['stop', () => box.stop()],
      ['info', () => box.info()],
      ['metrics', () => box.metrics()],
      ['exec', () => box.exec('true')],
      ['run', () => box.run('true')],
      ['copyIn', () => box.copyIn(file, '/tmp/x')],
      ['copyOut', () => box.copyOut('/tmp/x', `${file}.out`)],
    ];
    for (const [name, call] of calls) {
      const err = await call().then(() => null, (e: unknown) => e as Error);
      expect(err, name).toBeInstanceOf(StoppedError);
    }
    expect(seen.slice(sentBefore)).toEqual([]);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
