// PUT .../files?path= reads "directory" from the archive itself: an archive
// rooted at `./` (what BoxLite's client, and Runtime.rest(), send for a
// directory) is a directory even when it holds one file, without the
// `source_is_dir` parameter BoxLite's OpenAPI document does not have. Real
// HTTP, test engine (whose box root is a host directory we can inspect).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, request, serve } from './http-support';

let s: Served;
let box: string;
let root: string;
let work: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'root-entry-box' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'http-root-entry-'));
  fs.mkdirSync(path.join(work, 'one'));
  fs.writeFileSync(path.join(work, 'one', 'lone.txt'), 'lone');
});
afterAll(async () => {
  await s.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function pack(cwd: string, entries: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd, portable: true }, entries) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function put(dest: string, body: Buffer, query = ''): Promise<number> {
  const a = await request(`${s.origin}/v1/boxes/${box}/files?path=${encodeURIComponent(dest)}${query}`, {
    method: 'PUT', body, headers: { 'Content-Type': 'application/x-tar' },
  });
  return a.status;
}

describe('upload of a one-file archive', () => {
  it('rooted at ./ : a directory, the file lands inside the destination', async () => {
    expect(await put('/rooted', await pack(path.join(work, 'one'), ['.']))).toBe(204);
    expect(fs.statSync(path.join(root, 'rooted')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(root, 'rooted', 'lone.txt'), 'utf8')).toBe('lone');
  });

  it('without a root entry: that file, written as the destination (docker cp)', async () => {
    expect(await put('/bare', await pack(path.join(work, 'one'), ['lone.txt']))).toBe(204);
    expect(fs.readFileSync(path.join(root, 'bare'), 'utf8')).toBe('lone');
  });

  it('an explicit source_is_dir still wins over the archive', async () => {
    expect(await put('/told-file', await pack(path.join(work, 'one'), ['.']), '&source_is_dir=false')).toBe(204);
    expect(fs.readFileSync(path.join(root, 'told-file'), 'utf8')).toBe('lone');
    expect(await put('/told-dir', await pack(path.join(work, 'one'), ['lone.txt']), '&source_is_dir=true')).toBe(204);
    expect(fs.readFileSync(path.join(root, 'told-dir', 'lone.txt'), 'utf8')).toBe('lone');
  });
});
