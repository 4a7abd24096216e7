// Files routes under careless and hostile clients, measured on a real
// `boxlite-native serve --engine test` child process: descriptors from
// /proc/<pid>/fd (deleted-but-open files included), staging directories under
// the server's private TMPDIR, disk used while a download is staged.
// 2-core scale; bench/stress/ runs the same scenarios at full scale.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const load = createRequire(__filename);
const srv = load('../bench/stress/support/server-process.js');
const files = load('../bench/stress/support/files-support.js');

const MIB = 1 << 20;
/** Descriptors a quiet server may open or close by itself (timers, lazily loaded modules). */
const FD_SLACK = 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let server: any;
let box: string;
let root: string;
beforeAll(async () => {
  server = await srv.startServer({
    limits: { filesLimit: 32 * MIB, maxExtractedBytes: 16 * MIB, maxDownloadStagingBytes: 16 * MIB },
  });
  box = await srv.createBox(server.origin);
  root = path.join(server.home, 'boxes', box, 'rootfs');
});
afterAll(async () => {
  await server?.stop();
});

const filesUrl = (p: string) => `${server.origin}/v1/boxes/${box}/files?path=${encodeURIComponent(p)}`;
const put = (p: string, body: Buffer) => srv.request(filesUrl(p), { method: 'PUT', body, headers: { 'Content-Type': 'application/x-tar' } });

async function settledFds(baseline: number): Promise<{ count: number; deleted: string[] }> {
  // Closing is asynchronous (the route's finally runs after the socket is gone): poll, bounded.
  const settled = await srv.waitFor(() => {
    const now = srv.openFds(server.pid);
    return now.count <= baseline + FD_SLACK && now.deleted.length === 0 ? now : null;
  }, { timeoutMs: 10_000 });
  return settled ?? srv.openFds(server.pid);
}

describe('uploads release everything on every path', () => {
  it('50 uploads cut off mid-entry, a 413, a refused archive and a success: fds back to baseline, no deleted-but-open file, no staging left', async () => {
    // Warm-up: one upload of each kind so lazily opened descriptors are counted in the baseline.
    expect((await put('/warm.txt', files.tarArchive([{ name: 'w.txt', body: 'warm' }]))).status).toBe(204);
    const baseline = srv.openFds(server.pid).count;

    let heldMidEntry = 0;
    for (let i = 0; i < 50; i++) {
      if (await files.abortedUpload(server.origin, box, { pid: server.pid, announced: 8 * MIB, sendBytes: 256 << 10 })) heldMidEntry++;
    }
    // The aborts really happened while a staging file was open.
    expect(heldMidEntry).toBe(50);
    const afterAborts = await settledFds(baseline);
    expect(afterAborts.deleted).toEqual([]);
    expect(afterAborts.count).toBeLessThanOrEqual(baseline + FD_SLACK);

    // 413 on the wire: more than filesLimit bytes.
    const tooBig = await files.putTolerant(filesUrl('/too-big'), Buffer.concat([files.tarHeader('big.bin', 40 * MIB), Buffer.alloc(40 * MIB)]));
    expect(tooBig.status).toBe(413);
    // A refused archive (conflicting entries), answered 400 without the host staging path.
    const conflict = await put('/conflict', files.tarArchive([
      { name: 's', type: '2', linkname: '/etc' }, { name: 's/', type: '5' }, { name: 's/f', body: 'x' },
    ]));
    expect(conflict.status).toBe(400);
    expect(conflict.json.error.code).toBe('invalid_argument');
    expect(conflict.text).not.toMatch(/boxlite-files-|\/tmp\//);
    // A truncated archive: the body ends mid-entry.
    const truncated = await put('/trunc', Buffer.concat([files.tarHeader('t.bin', MIB), Buffer.alloc(4096)]));
    expect(truncated.status).toBe(400);
    // And a success.
    expect((await put('/ok.txt', files.tarArchive([{ name: 'ok.txt', body: 'fine' }]))).status).toBe(204);
    expect(fs.readFileSync(path.join(root, 'ok.txt'), 'utf8')).toBe('fine');

    const after = await settledFds(baseline);
    expect(after.deleted).toEqual([]);
    expect(after.count).toBeLessThanOrEqual(baseline + FD_SLACK);
    expect(srv.stagingDirs(server)).toEqual([]);
    // The server still serves.
    expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(200);
  });

  it('a gzip bomb is refused by the extracted-size bound, whatever its ratio, before the bound is written', async () => {
    const bomb: Buffer = await files.gzipBomb(256 * MIB); // ~1.1 MB on the wire, 230:1
    expect(bomb.length).toBeLessThan(2 * MIB);
    let peakStaged = 0;
    const poll = setInterval(() => { peakStaged = Math.max(peakStaged, srv.stagingBytes(server)); }, 5);
    const r = await files.putTolerant(filesUrl('/bomb'), bomb);
    clearInterval(poll);
    expect(r.status).toBe(413);
    expect(r.json.error.message).toMatch(/maxExtractedBytes/);
    // Refused from the header, before any of the file is written.
    expect(peakStaged).toBeLessThan(MIB);
    expect(fs.existsSync(path.join(root, 'bomb'))).toBe(false);
    expect(srv.stagingDirs(server)).toEqual([]);
    // Under the bound, a compressed upload still works.
    const small: Buffer = await files.gzipBomb(4 * MIB);
    expect((await put('/small.bin', small)).status).toBe(204);
    expect(fs.statSync(path.join(root, 'small.bin')).size).toBe(4 * MIB);
  });

  it('many small files count toward the same bound', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.bin`, body: 'x'.repeat(MIB) }));
    const r = await put('/many', files.tarArchive(entries));
    expect(r.status).toBe(413);
    expect(srv.stagingDirs(server)).toEqual([]);
  });
});

describe('downloads stream from bounded staging', () => {
  it('a sparse file past maxDownloadStagingBytes is refused with 413 and never fills the disk', async () => {
    const sparse = path.join(root, 'sparse.img');
    const fd = fs.openSync(sparse, 'w');
    fs.ftruncateSync(fd, 512 * MIB); // no block allocated
    fs.closeSync(fd);
    let peakStaged = 0;
    const poll = setInterval(() => { peakStaged = Math.max(peakStaged, srv.stagingBytes(server)); }, 5);
    const r = await files.streamedDownload(server.origin, box, '/sparse.img');
    clearInterval(poll);
    expect(r.status).toBe(413);
    expect(r.head).toMatch(/maxDownloadStagingBytes/);
    expect(r.head).not.toMatch(/boxlite-files-/);
    // Budget 16 MiB; what the engine writes in one watch interval comes on top.
    // The file is 512 MiB: staging it whole is what this bound prevents.
    expect(peakStaged).toBeLessThan(128 * MIB);
    expect(srv.stagingDirs(server)).toEqual([]);
    fs.rmSync(sparse);
  });

  it('a file under the bound streams whole; 20 downloads dropped mid-stream leave no descriptor or staging behind', async () => {
    fs.writeFileSync(path.join(root, 'data.bin'), Buffer.alloc(8 * MIB, 0x5a));
    const whole = await files.streamedDownload(server.origin, box, '/data.bin');
    expect(whole.status).toBe(200);
    expect(whole.bytes).toBe(512 + 8 * MIB + 1024);
    const baseline = srv.openFds(server.pid).count;
    for (let i = 0; i < 20; i++) await files.abortedDownload(server.origin, box, '/data.bin', { readBytes: 256 << 10 });
    const after = await settledFds(baseline);
    expect(after.deleted).toEqual([]);
    expect(after.count).toBeLessThanOrEqual(baseline + FD_SLACK);
    expect(await srv.waitFor(() => srv.stagingDirs(server).length === 0)).toBe(true);
  });
});

describe('caller mistakes are 4xx', () => {
  it('archives whose entries conflict are refused with 400, nothing written, no staging path shown', async () => {
    const conflicting = [
      [{ name: 's', type: '2', linkname: 'target' }, { name: 's/', type: '5' }],
      [{ name: 's', type: '2', linkname: '/etc' }, { name: 's/passwd', body: 'x' }],
      [{ name: 'a/f', body: 'x' }, { name: 'a', body: 'y' }],
      [{ name: 'a/f', body: 'x' }, { name: 'a', type: '2', linkname: '/etc' }],
      [{ name: 'f', body: 'x' }, { name: 'f', type: '5' }],
      [{ name: 'h', type: '1', linkname: 'not-in-archive' }],
    ];
    for (const entries of conflicting) {
      const r = await put('/conflicts', files.tarArchive(entries));
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_argument');
      expect(r.text).not.toMatch(/boxlite-files-/);
    }
    expect(fs.existsSync(path.join(root, 'conflicts'))).toBe(false);
    // Same names, same kinds: a later file overwrites, as tar does.
    expect((await put('/same', files.tarArchive([{ name: 'f', body: 'one' }, { name: 'f', body: 'two' }]))).status).toBe(204);
    expect(fs.readFileSync(path.join(root, 'same'), 'utf8')).toBe('two');
  });

  it('a FIFO, a 300-byte name, a 900 KB argument: 400 with the envelope, never 500', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const fifo = await srv.request(filesUrl('/fifo'));
    expect(fifo.status).toBe(400);
    expect(fifo.json.error.message).toMatch(/not a regular file, directory or symlink/);
    const longName = `/tmp/${'n'.repeat(300)}`;
    expect((await srv.request(filesUrl(longName))).status).toBe(400);
    expect((await put(longName, files.tarArchive([{ name: 'a.txt', body: 'a' }]))).status).toBe(400);
    const exec = await srv.request(`${server.origin}/v1/boxes/${box}/exec`, {
      method: 'POST', body: JSON.stringify({ command: 'echo', args: ['x'.repeat(900_000)] }),
    });
    expect(exec.status).toBe(400);
    expect(exec.json.error.message).toMatch(/MAX_ARG_STRLEN/);
  });
});
