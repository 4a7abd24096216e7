// A tar.gz of a mostly-zero file (a preallocated image, a sparse file read
// as zeros) deflates at about 1026:1, near deflate's ceiling (~1032:1).
// node-tar's default stop at 1000:1 refused it as "not a valid tar archive"
// (400), where BoxLite's own server takes it. What is written is bounded by
// maxExtractedBytes from the headers, and what is held in memory by the
// 1 KiB inflate pieces, so the ratio stop only has to catch codecs that go
// past anything gzip can do. Real HTTP on 127.0.0.1, test engine.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, request, serve } from './http-support';

const SIZE = 32 << 20;
let s: Served;
let box: string;
let root: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'gzip-ratio' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
});
afterAll(async () => {
  await s.close();
});

describe('gzip at any ratio gzip can reach', () => {
  it('a 32 MiB zero file as tar.gz (about 1026:1) is extracted whole', async () => {
    const header = new tar.Header({ path: 'zeros.img', type: 'File', size: SIZE, mode: 0o644, mtime: new Date(0) });
    header.encode();
    const body = zlib.gzipSync(Buffer.concat([header.block as Buffer, Buffer.alloc(SIZE), Buffer.alloc(1024)]), { level: 9 });
    expect(SIZE / body.length).toBeGreaterThan(1000);
    const a = await request(`${s.origin}/v1/boxes/${box}/files?path=/img`, {
      method: 'PUT', body, headers: { 'Content-Type': 'application/gzip' },
    });
    expect(a.status, a.text).toBe(204);
    const got = fs.readFileSync(path.join(root, 'img'));
    expect(got.length).toBe(SIZE);
    expect(got.every((b) => b === 0)).toBe(true);
  }, 60_000);

});
