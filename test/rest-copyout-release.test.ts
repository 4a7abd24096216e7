// copyOut() unpacks the downloaded tar into a private staging directory; when
// the download stops midway (the caller aborts, the server drops the
// connection) the file being written is closed and the staging directory
// removed: counted in /proc/self/fd (a deleted but open file still holds its
// disk space) and in the temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Runtime } from '../lib/runtime/runtime';
import { type ScriptedServer, listenScripted, openDescriptors } from './scripted-server';

let scripted: ScriptedServer;
let origin: string;
let dir: string;
let archive: Buffer;
/** What the server does after the first part of the archive: 'stall' sends nothing more; 'drop' resets the connection. */
let mode: 'stall' | 'drop' = 'stall';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-copyout-release-'));
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(8 << 20, 7));
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c({ cwd: dir }, ['big.bin']) as AsyncIterable<Buffer>) chunks.push(chunk);
  archive = Buffer.concat(chunks);
  scripted = await listenScripted((req, res) => {
    req.resume();
    if (req.url?.includes('/files')) {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      // The header and 3 MiB of the file's 8: the client is in the middle of writing it.
      res.write(archive.subarray(0, 3 << 20), () => {
        if (mode === 'drop') setTimeout(() => req.socket.resetAndDestroy(), 100);
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ box_id: 'b1', name: null, status: 'running', created_at: '2026-01-01T00:00:00Z', image: 'alpine' }));
  });
  origin = scripted.origin;
});

afterAll(async () => {
  await scripted.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** This process's descriptors open on a copyOut staging file. */
function openStagingFiles(): string[] {
  return openDescriptors((target) => target.includes('boxlite-copyout-'));
}

async function settledStagingFiles(ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const open = openStagingFiles();
    if (open.length === 0 || Date.now() > until) return open;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stagingDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('boxlite-copyout-'));
}

it.each([
  ['aborted by the caller', 'stall' as const],
  ['dropped by the server', 'drop' as const],
])('a download %s midway closes the file it was writing and removes its staging directory', async (_name, how) => {
  mode = how;
  const rt = await Runtime.rest({ url: origin, retry: false });
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-copyout-dst-'));
  try {
    const stagedBefore = stagingDirs();
    const box = await rt.getBox('b1');
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const timer = how === 'stall' ? setTimeout(() => ac.abort(), 300) : undefined;
      const err = await box.copyOut('/big.bin', path.join(dst, 'out.bin'), { signal: ac.signal }).catch((e: unknown) => e as Error);
      clearTimeout(timer);
      expect(err).toBeInstanceOf(Error);
      if (how === 'stall') expect((err as Error).name).toBe('AbortError');
      // No answer to the end: a typed NetworkError, as for any request cut off.
      else expect(err).toMatchObject({ name: 'NetworkError', status: null });
    }
    expect(await settledStagingFiles(2000)).toEqual([]);
    expect(stagingDirs().filter((name) => !stagedBefore.includes(name))).toEqual([]);
  } finally {
    await rt.close();
    fs.rmSync(dst, { recursive: true, force: true });
  }
}, 30_000);
