// Archives whose entries the upload cannot write as sent: each is refused with
// a 400 naming the entry, and nothing of it reaches the box. Before: an entry
// type node-tar skips on its own (a GNU sparse file, a tape volume header, an
// unknown type flag) vanished and the upload answered 204 without it; an
// extended header past node-tar's 1 MiB was skipped the same way, and the
// file after it was written under its truncated ustar name; a name the host
// cannot hold (a segment over 255 bytes, a path over 4095) and a hardlink to
// itself (its target removed before the link was made) answered 500 internal.
// Real HTTP on 127.0.0.1, test engine (its box root is a host directory).
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, request, serve } from './http-support';
import { TAR_END, tarEntry } from './tar-entries';

const entry = tarEntry;
const END = TAR_END;

let s: Served;
let box: string;
let root: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'tar-upload-entries' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
});
afterAll(async () => {
  await s.close();
});

/** A PAX extended header whose records hold `bytes` bytes (a comment record of that size). */
function bigPaxHeader(bytes: number): Buffer {
  const value = 'c'.repeat(bytes);
  let record = '';
  for (let len = value.length + 12; ; len++) { // "<len> comment=<value>\n", its length counting itself
    record = `${len} comment=${value}\n`;
    if (Buffer.byteLength(record) === len) break;
  }
  const body = Buffer.from(record);
  const header = new tar.Header({ path: 'PaxHeader/x', type: 'ExtendedHeader', size: body.length, mode: 0o644, mtime: new Date(0) } as tar.HeaderData);
  header.encode();
  return Buffer.concat([header.block as Buffer, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

async function refused(dest: string, archive: Buffer, mentions: RegExp): Promise<void> {
  const a = await request(`${s.origin}/v1/boxes/${box}/files?path=${encodeURIComponent(dest)}`, {
    method: 'PUT', body: archive, headers: { 'Content-Type': 'application/x-tar' },
  });
  const err = expectEnvelope(a, 400, 'invalid_argument');
  expect(err.message).toMatch(mentions);
  expect(err.message).not.toContain('<staging>');
  expect(fs.existsSync(path.join(root, dest.slice(1)))).toBe(false);
}

describe('entries node-tar skips on its own are refused, not dropped', () => {
  it('a GNU sparse file beside a regular one', async () => {
    const archive = Buffer.concat([entry({ path: 'a.txt', type: 'File' }, Buffer.from('a')), entry({ path: 'sparse.bin', type: 'SparseFile' }, Buffer.from('data')), END]);
    await refused('/sparse', archive, /"sparse\.bin".*SparseFile/);
  });

  it('a tape volume header', async () => {
    const archive = Buffer.concat([entry({ path: 'vol', type: 'TapeVolumeHeader' }), entry({ path: 'a.txt', type: 'File' }, Buffer.from('a')), END]);
    await refused('/volume', archive, /"vol".*TapeVolumeHeader/);
  });

  it('an extended header over 1 MiB: the next file is not written under its ustar name', async () => {
    const archive = Buffer.concat([bigPaxHeader((1 << 20) + 10), entry({ path: 'short.txt', type: 'File' }, Buffer.from('s')), END]);
    await refused('/bigpax', archive, /extended header/);
  });
});

describe('names the host cannot hold are the caller\'s mistake (400, not 500)', () => {
  it('a file name of 300 bytes', async () => {
    await refused('/longname', Buffer.concat([entry({ path: 'x'.repeat(300), type: 'File' }, Buffer.from('a')), END]), /255 bytes/);
  });

  it('a directory name of 300 bytes', async () => {
    await refused('/longdir', Buffer.concat([entry({ path: `${'d'.repeat(300)}/`, type: 'Directory' }), END]), /255 bytes/);
  });

  it('a path of 4400 bytes', async () => {
    await refused('/deep', Buffer.concat([entry({ path: `${'abcdefghij/'.repeat(400)}f`, type: 'File' }, Buffer.from('a')), END]), /4095 bytes/);
  });
});

describe('hardlinks', () => {
  it('a hardlink to itself is refused (400), not a 500 after its target was removed', async () => {
    const archive = Buffer.concat([entry({ path: 'a', type: 'File' }, Buffer.from('a')), entry({ path: 'a', type: 'Link', linkpath: './a' }), END]);
    await refused('/selflink', archive, /hardlink/);
  });

  it('a hardlink to another earlier file still works', async () => {
    const archive = Buffer.concat([entry({ path: 'a', type: 'File' }, Buffer.from('hello')), entry({ path: 'b', type: 'Link', linkpath: 'a' }), END]);
    const a = await request(`${s.origin}/v1/boxes/${box}/files?path=/links`, {
      method: 'PUT', body: archive, headers: { 'Content-Type': 'application/x-tar' },
    });
    expect(a.status).toBe(204);
    expect(fs.readFileSync(path.join(root, 'links', 'b'), 'utf8')).toBe('hello');
  });
});
