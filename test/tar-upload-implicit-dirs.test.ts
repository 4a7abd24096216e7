// maxExtractedBytes counts 512 bytes for every entry, so that empty entries
// (inodes, blocks) are bounded too. A deep path makes every missing parent
// directory without an entry of its own: one header of 512 counted bytes made
// 200 directories here (each a block on disk, in staging and again in the
// box), and 2 million such headers fit the default 1 GiB. Now a directory
// made for a deeper entry costs what a directory entry costs.
// Real HTTP on 127.0.0.1, test engine (its box root is a host directory).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, request, serve } from './http-support';
import { type EntryHeader, TAR_END, tarEntry } from './tar-entries';

const entry = (h: EntryHeader, body?: Buffer): Buffer => tarEntry({ mode: 0o755, ...h }, body);
const END = TAR_END;

const LIMIT = 64 << 10;
let s: Served;
let box: string;
let root: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none', maxExtractedBytes: LIMIT } });
  box = await createBox(s.origin, { name: 'implicit-dirs' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
});
afterAll(async () => {
  await s.close();
});


function put(dest: string, archive: Buffer) {
  return request(`${s.origin}/v1/boxes/${box}/files?path=${encodeURIComponent(dest)}`, {
    method: 'PUT', body: archive, headers: { 'Content-Type': 'application/x-tar' },
  });
}

describe('directories made for a deeper entry count against maxExtractedBytes', () => {
  it('one empty file 200 directories deep is over 64 KiB: 413, nothing in the box', async () => {
    const deep = `${'d/'.repeat(200)}f`;
    const a = await put('/deep', Buffer.concat([entry({ path: deep, type: 'File' }), END]));
    expect(expectEnvelope(a, 413, 'invalid_argument').message).toMatch(/maxExtractedBytes/);
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
  });

  it('the same tree with its directory entries costs the same: 413 too', async () => {
    const parts = [];
    for (let i = 1; i <= 200; i++) parts.push(entry({ path: `${'d/'.repeat(i)}`, type: 'Directory' }));
    const a = await put('/listed', Buffer.concat([...parts, entry({ path: `${'d/'.repeat(200)}f`, type: 'File' }), END]));
    expectEnvelope(a, 413, 'invalid_argument');
  });

  it('a directory counts once, whether listed or made: 100 files in 10 unlisted directories fit', async () => {
    const parts = [];
    for (let i = 0; i < 100; i++) parts.push(entry({ path: `top/sub${i % 10}/f${i}`, type: 'File' }, Buffer.from(`file ${i}`)));
    // 100 entries and 11 directories: (100 + 11) * 512 + 100 * 7..8 bytes < 64 KiB.
    const a = await put('/many', Buffer.concat([...parts, END]));
    expect(a.status, a.text).toBe(204);
    expect(fs.readFileSync(path.join(root, 'many', 'top', 'sub3', 'f13'), 'utf8')).toBe('file 13');
  });
});
