// copyIn() streams a tar of the host path; when the upload stops early (the
// caller aborts, or the server refuses and drops the connection without
// reading the rest) every host file the packer had open is closed: counted in
// /proc/self/fd, by the descriptors that point at the uploaded files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted, openDescriptors } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;
let dir: string;
/** What the server does with an upload: 'stall' never reads it; 'refuse' answers 413 and drops the connection. */
let mode: 'stall' | 'refuse' = 'stall';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-copyin-release-'));
  fs.mkdirSync(path.join(dir, 'tree'));
  // Larger than every socket and stream buffer between the packer and the server.
  for (const name of ['a.bin', 'b.bin', 'c.bin']) fs.writeFileSync(path.join(dir, 'tree', name), Buffer.alloc(24 << 20, 7));
  scripted = await listenScripted((req, res) => {
    if (req.method === 'GET') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ box_id: 'b1', name: null, status: 'running', created_at: '2026-01-01T00:00:00Z', image: 'alpine' }));
      return;
    }
    if (mode === 'stall') return; // the body is never read: the client's writes back up
    res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
    res.end(JSON.stringify({ error: { message: 'resource exhausted: upload too large', type: 'ResourceExhaustedError', code: 'resource_exhausted' } }),
      () => req.socket.destroy());
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** This process's descriptors open on a file under the test directory. */
function openUploads(): string[] {
  return openDescriptors((target) => target.startsWith(dir));
}

/** The open uploads once none is left, or what is still open after `ms`. */
async function settledUploads(ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const open = openUploads();
    if (open.length === 0 || Date.now() > until) return open;
    await new Promise((r) => setTimeout(r, 20));
  }
}

it.each([
  ['one file', 'node:http', 'tree/a.bin'],
  ['a directory', 'node:http', 'tree'],
  ['a directory', 'the fetch option', 'tree'],
])('an aborted upload of %s closes every host file it opened (%s)', async (_name, transport, rel) => {
  mode = 'stall';
  const rt = await Runtime.rest({ url: origin, retry: false, ...(transport === 'node:http' ? {} : { fetch: globalThis.fetch }) });
  try {
    const box = await rt.getBox('b1');
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const copy = box.copyIn(path.join(dir, rel), '/dst', { signal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      const err = await copy.catch((e: unknown) => e as Error);
      expect((err as Error).name).toBe('AbortError');
    }
    expect(await settledUploads(2000)).toEqual([]);
  } finally {
    await rt.close();
  }
}, 30_000);

it('an upload the server refuses mid-body closes every host file it opened, and says what the server said', async () => {
  mode = 'refuse';
  const rt = await Runtime.rest({ url: origin, retry: false });
  try {
    const box = await rt.getBox('b1');
    const err = await box.copyIn(path.join(dir, 'tree'), '/dst').catch((e: unknown) => e as Error & { status?: number });
    expect(err.name).toBe('ResourceExhaustedError');
    expect(err.status).toBe(413);
    expect(await settledUploads(2000)).toEqual([]);
  } finally {
    await rt.close();
  }
}, 30_000);
