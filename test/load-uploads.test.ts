// Uploads under production load, on a real `serve --engine test` child:
//  - 30 uploads aborted 10 at a time, cut at every stage (before the body,
//    right after the tar header, mid-entry): no staging directory left, no
//    transfer slot held (before: 16 directories left and all 16 slots held,
//    so every upload answered 429 for minutes);
//  - hardlink amplification: one file plus 100 hardlinks to it never writes
//    past maxExtractedBytes (a link counts as the bytes the copy writes);
//  - a start sweeps the staging a dead server left, never a live one's.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Server, MIB, files, srv, waitUntil } from './load-support';

/** PUT an upload and cut the connection after `cutAfterMs`, having sent the tar header and `bodyBytes` of the entry. */
function cutUpload(server: Server, box: string, cutAfterMs: number, bodyBytes: number, sendHeader: boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${server.origin}/v1/boxes/${box}/files?path=/cut-${Math.random().toString(36).slice(2)}`, {
      method: 'PUT', agent: false, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' },
    });
    req.on('error', () => undefined); // we cut it
    req.on('response', (res) => res.resume());
    if (sendHeader) req.write(files.tarHeader('big.bin', 32 * MIB));
    const chunk = Buffer.alloc(64 << 10, 0x61);
    let sent = 0;
    const send = () => {
      while (sent < bodyBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) { req.once('drain', send); return; }
      }
    };
    if (sendHeader) send();
    else req.flushHeaders();
    setTimeout(() => { req.destroy(); resolve(); }, cutAfterMs);
  });
}

function put(server: Server, box: string, guestPath: string, body: Buffer): Promise<{ status: number; text: string }> {
  return files.putTolerant(`${server.origin}/v1/boxes/${box}/files?path=${guestPath}`, body);
}

describe('aborted uploads leave nothing behind', () => {
  let server: Server;
  let box: string;
  beforeAll(async () => {
    server = await srv.startServer({ limits: { filesLimit: 64 * MIB } });
    box = await srv.createBox(server.origin);
    expect((await put(server, box, '/warm', files.tarArchive([{ name: 'w', body: 'w' }]))).status).toBe(204);
  });
  afterAll(async () => { await server?.stop(); });

  it('30 uploads aborted 10 at a time: no staging directory, no transfer slot, no descriptor left', async () => {
    const fdsBefore = srv.openFds(server.pid).count;
    for (let round = 0; round < 3; round++) {
      const batch: Array<Promise<void>> = [];
      for (let i = 0; i < 10; i++) {
        // Every stage: cut before any body byte, right after the header, and
        // mid-entry after 64 KiB..3 MiB, at 2..65 ms.
        batch.push(cutUpload(server, box, 2 + i * 7, (i % 4) * MIB, i % 5 !== 0));
      }
      await Promise.all(batch);
    }
    await waitUntil(() => srv.stagingDirs(server).length === 0, 10_000, 'every staging directory to go');
    // All 16 transfer slots are free: 16 uploads at once all succeed.
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      put(server, box, `/after-${i}`, files.tarArchive([{ name: `f${i}`, body: `file ${i}` }])).then((r) => r.status)));
    expect(statuses).toEqual(Array(16).fill(204));
    expect(srv.stagingDirs(server)).toEqual([]);
    await waitUntil(() => srv.openFds(server.pid).count <= fdsBefore + 2, 10_000, 'descriptors back to their baseline');
    expect(srv.openFds(server.pid).deleted).toEqual([]);
  }, 60_000);
});

describe('hardlink amplification', () => {
  let server: Server;
  let box: string;
  beforeAll(async () => {
    server = await srv.startServer({ limits: { filesLimit: 32 * MIB, maxExtractedBytes: 24 * MIB } });
    box = await srv.createBox(server.origin);
  });
  afterAll(async () => { await server?.stop(); });

  /** A tar of `target` (`size` bytes) and `links` hardlinks to it. */
  function linkBomb(size: number, links: number): Buffer {
    const parts = [files.tarHeader('target.bin', size), Buffer.alloc(size, 0x62)];
    for (let i = 0; i < links; i++) parts.push(files.tarHeader(`link-${i}`, 0, '1', 'target.bin'));
    parts.push(Buffer.alloc(1024));
    return Buffer.concat(parts);
  }

  it('one 8 MiB file + 100 hardlinks (8.5 MB on the wire) is refused with 413; nothing lands in the box', async () => {
    const before = srv.allocatedBytes(server.home);
    const bomb = linkBomb(8 * MIB, 100);
    expect(bomb.length).toBeLessThan(9 * MIB);
    const r = await put(server, box, '/bomb', bomb);
    expect(r.status).toBe(413);
    expect(r.text).toContain('maxExtractedBytes');
    // Before: 204 and 808 MiB written into the box.
    expect(srv.allocatedBytes(server.home) - before).toBeLessThan(24 * MIB);
    await waitUntil(() => srv.stagingDirs(server).length === 0, 5_000, 'the staging directory to go');
  });

  it('links within the cap still work and count what they write: 1 MiB + 3 links is 4 MiB', async () => {
    expect((await put(server, box, '/links', linkBomb(MIB, 3))).status).toBe(204);
    // 1 MiB + 22 links = 23 MiB + headers: under 24 MiB; 23 links: over.
    expect((await put(server, box, '/links22', linkBomb(MIB, 22))).status).toBe(204);
    expect((await put(server, box, '/links23', linkBomb(MIB, 23))).status).toBe(413);
  });
});

describe('a start sweeps staging left by a dead server, never a live one', () => {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-sweep-'));
  afterAll(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

  function pidNamespace(): string {
    return /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))![1];
  }
  function startTime(pid: number): string {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  }
  function stage(name: string): string {
    fs.mkdirSync(path.join(tmpDir, name, 'in'), { recursive: true });
    fs.writeFileSync(path.join(tmpDir, name, 'in', 'partial.bin'), Buffer.alloc(4096));
    return name;
  }

  it('dead owner and reused pid: swept; live owner, other pid namespace, unknown names: kept', async () => {
    const ns = pidNamespace();
    const deadPid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const live = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const livePid = live.pid!;
      const dead = stage(`boxlite-files-p${deadPid}s123n${ns}-AAAAAA`);
      const reused = stage(`boxlite-files-p${livePid}s${Number(startTime(livePid)) + 1}n${ns}-BBBBBB`);
      const alive = stage(`boxlite-files-p${livePid}s${startTime(livePid)}n${ns}-CCCCCC`);
      const otherNs = stage(`boxlite-files-p${deadPid}s123n${Number(ns) + 1}-DDDDDD`);
      const legacy = stage('boxlite-files-EEEEEE');
      const server = await srv.startServer({ env: { TMPDIR: tmpDir } });
      try {
        const left = fs.readdirSync(tmpDir).filter((n) => n.startsWith('boxlite-files-')).sort();
        expect(left).toEqual([alive, otherNs, legacy].sort());
        expect(left).not.toContain(dead);
        expect(left).not.toContain(reused);
      } finally {
        await server.stop();
      }
    } finally {
      live.kill('SIGKILL');
    }
  });
});
