// A deep directory tree through the files routes. The test engine's copy
// (test/engine/fsutil.cc copy_tree) recursed once per level with a 64 KiB
// copy buffer and a 4 KiB link buffer in every frame: about 115 levels filled
// an 8 MiB thread stack and the whole server died (SIGSEGV) on a 150-level
// upload. Linux allows about 2000 levels within PATH_MAX; 600 are used here,
// in and out. Real HTTP on 127.0.0.1, test engine.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, request, serve } from './http-support';
import { type EntryHeader, tarEntry } from './tar-entries';

const entry = (h: EntryHeader, body?: Buffer): Buffer => tarEntry({ mode: 0o755, ...h }, body);

const LEVELS = 600;
let s: Served;
let box: string;
let root: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'files-deep-tree' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
});
afterAll(async () => {
  await s.close();
});


describe(`a tree ${LEVELS} directories deep`, () => {
  const deep = `${'d/'.repeat(LEVELS)}leaf.txt`;

  it('uploads: every level and the file land in the box', async () => {
    const parts = [];
    for (let i = 1; i <= LEVELS; i++) parts.push(entry({ path: 'd/'.repeat(i), type: 'Directory' }));
    parts.push(entry({ path: deep, type: 'File' }, Buffer.from('deep')));
    const a = await request(`${s.origin}/v1/boxes/${box}/files?path=/tree`, {
      method: 'PUT', body: Buffer.concat([...parts, Buffer.alloc(1024)]), headers: { 'Content-Type': 'application/x-tar' },
    });
    expect(a.status, a.text).toBe(204);
    expect(fs.readFileSync(path.join(root, 'tree', deep), 'utf8')).toBe('deep');
  });

  it('downloads: the archive holds the file at the bottom', async () => {
    const { status, body } = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      http.get(`${s.origin}/v1/boxes/${box}/files?path=/tree`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      }).on('error', reject);
    });
    expect(status).toBe(200);
    const names: string[] = [];
    const parser = new tar.Parser({ onReadEntry: (e) => { names.push(e.path); e.resume(); } });
    parser.end(body);
    expect(names.some((n) => n.endsWith(`${'d/'.repeat(LEVELS - 1)}d/leaf.txt`))).toBe(true);
  });
});
