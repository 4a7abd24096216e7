// Linux file names are bytes, not text: a box may hold a name that is not
// UTF-8 (Latin-1 "caf\xe9", from an old archive or a program). The download
// packer read directory names as UTF-8 strings, so such a name came back with
// U+FFFD in it, its lstat failed (ENOENT) after the 200 was sent, and the
// client saw the connection cut with no answer (nothing was logged either).
// Now names travel as their bytes: as GNU tar writes them (a GNU long-name
// record when the name is not UTF-8), which GNU tar reads back byte for byte.
// Real HTTP on 127.0.0.1, test engine; the archive is listed by GNU tar.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, serve } from './http-support';

let s: Served;
let box: string;
let root: string;
let work: string;
const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8
const LONG_RAW = Buffer.concat([Buffer.from('l'.repeat(150)), LATIN1]);
const LONG_UTF8 = `${'\u00e9'.repeat(80)}-link`;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'raw-names' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'raw-names-'));
  const dl = path.join(root, 'dl');
  fs.mkdirSync(path.join(dl, 'sub'), { recursive: true });
  const raw = (...parts: Buffer[]) => Buffer.concat([Buffer.from(`${dl}/`), ...parts]);
  fs.writeFileSync(raw(LATIN1), 'latin1 name');
  fs.mkdirSync(raw(Buffer.from('dir-'), LATIN1));
  fs.writeFileSync(raw(Buffer.from('dir-'), LATIN1, Buffer.from('/inner.txt')), 'inside');
  fs.symlinkSync(raw(LATIN1), raw(Buffer.from('link-'), LATIN1));
  fs.writeFileSync(path.join(dl, 'sub', 'ok.txt'), 'ok');
  // Past ustar's 100 bytes: a long name that is not UTF-8, and a long UTF-8 name linking to one.
  fs.writeFileSync(raw(LONG_RAW), 'long latin1 name');
  fs.symlinkSync(LATIN1, path.join(dl, LONG_UTF8));
  fs.writeFileSync(path.join(dl, 'caf\u00e9-utf8.txt'), 'utf8 name');
});
afterAll(async () => {
  await s.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function download(url: string): Promise<{ status: number; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: res.complete }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('a download holding names that are not UTF-8', () => {
  it('is answered whole, and GNU tar extracts every name byte for byte', async () => {
    const a = await download(`${s.origin}/v1/boxes/${box}/files?path=/dl`);
    expect(a.status).toBe(200);
    expect(a.complete).toBe(true);
    const archive = path.join(work, 'dl.tar');
    fs.writeFileSync(archive, a.body);
    const out = path.join(work, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    const rawOut = (...parts: Buffer[]) => Buffer.concat([Buffer.from(`${out}/`), ...parts]);
    expect(fs.readFileSync(rawOut(LATIN1), 'utf8')).toBe('latin1 name');
    expect(fs.readFileSync(rawOut(Buffer.from('dir-'), LATIN1, Buffer.from('/inner.txt')), 'utf8')).toBe('inside');
    expect(fs.readlinkSync(rawOut(Buffer.from('link-'), LATIN1), { encoding: 'buffer' }).equals(Buffer.concat([Buffer.from(`${root}/dl/`), LATIN1]))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'sub', 'ok.txt'), 'utf8')).toBe('ok');
    expect(fs.readFileSync(rawOut(LONG_RAW), 'utf8')).toBe('long latin1 name');
    expect(fs.readlinkSync(path.join(out, LONG_UTF8), { encoding: 'buffer' }).equals(LATIN1)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'caf\u00e9-utf8.txt'), 'utf8')).toBe('utf8 name');
    expect(s.errors).toEqual([]);
  });
});
