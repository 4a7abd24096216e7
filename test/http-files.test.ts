// PUT/GET .../files?path= as tar over real HTTP, on the test engine (whose
// box root is a host directory we can inspect).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, request, serve } from './http-support';
// The stress scenarios' ustar header builder: one implementation of the format for both.
const { tarHeader } = require('../bench/stress/support/files-support.js') as {
  tarHeader: (name: string, size?: number, type?: string, linkname?: string) => Buffer;
};

let s: Served;
let box: string;
let root: string;
let work: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none', filesLimit: 256 << 10 } });
  box = await createBox(s.origin, { name: 'files-box' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'http-files-'));
});
afterAll(async () => {
  await s.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const filesUrl = (p: string) => `${s.origin}/v1/boxes/${box}/files?path=${encodeURIComponent(p)}`;

/** One raw ustar entry: lets the tests send archives a well-behaved packer refuses to make. */
function entry(name: string, body = '', type = '0', linkname = ''): Buffer {
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([tarHeader(name, Buffer.byteLength(body), type, linkname), data]);
}
const archive = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);

async function pack(dir: string, files: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: dir, portable: true }, files) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function put(p: string, body: Buffer): ReturnType<typeof request> {
  return request(filesUrl(p), { method: 'PUT', body, headers: { 'Content-Type': 'application/x-tar' } });
}

describe('upload (PUT)', () => {
  it('a directory archive lands in the destination; a one-file archive is written as the destination', async () => {
    const src = path.join(work, 'src');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(src, 'sub', 'b.txt'), 'beta');
    fs.symlinkSync('/usr/bin/env', path.join(src, 'abs-link'));
    const up = await put('/app', await pack(src, ['.']));
    expect(up.status).toBe(204);
    expect(up.headers['x-request-id']).toBeTruthy();
    expect(fs.readFileSync(path.join(root, 'app', 'a.txt'), 'utf8')).toBe('alpha');
    expect(fs.readFileSync(path.join(root, 'app', 'sub', 'b.txt'), 'utf8')).toBe('beta');
    // an absolute symlink target means the box's path: kept verbatim
    expect(fs.readlinkSync(path.join(root, 'app', 'abs-link'))).toBe('/usr/bin/env');

    expect((await put('/etc/motd.txt', archive(entry('whatever.txt', 'hello motd')))).status).toBe(204);
    expect(fs.readFileSync(path.join(root, 'etc', 'motd.txt'), 'utf8')).toBe('hello motd');
    expect((await put('/app', archive(entry('into-dir.txt', 'x')))).status).toBe(204);
    expect(fs.existsSync(path.join(root, 'app', 'into-dir.txt'))).toBe(true);
  });

  it('refuses hostile archives with 400 and writes nothing', async () => {
    const before = fs.readdirSync(path.dirname(root)).sort();
    const hostile: Array<[string, Buffer]> = [
      ['dot-dot', archive(entry('../escaped.txt', 'evil'))],
      ['absolute', archive(entry('/abs-escaped.txt', 'evil'))],
      ['hardlink out', archive(entry('hl', '', '1', '../../outside'))],
      ['device', archive(entry('dev', '', '3'))],
      ['not a tar', Buffer.from('this is not a tar archive at all'.repeat(20))],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, body] of hostile) {
      const err = expectEnvelope(await put('/upload', body), 400, 'invalid_argument');
      expect(err.message, what).toMatch(/tar/);
    }
    expect(fs.existsSync(path.join(root, 'upload'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(root), 'escaped.txt'))).toBe(false);
    expect(fs.readdirSync(path.dirname(root)).sort()).toEqual(before);
  });

  it('checks the path parameter and the size limit', async () => {
    const TAR = { 'Content-Type': 'application/x-tar' };
    const body = archive(entry('f.txt', 'x'));
    for (const p of ['', 'relative/path', '/a/../../etc', '/a/..']) {
      expectEnvelope(await put(p, body), 400, 'invalid_argument');
    }
    expectEnvelope(await request(`${s.origin}/v1/boxes/${box}/files`, { method: 'PUT', body, headers: TAR }), 400, 'invalid_argument');
    expectEnvelope(await request(`${filesUrl('/x')}&overwrite=maybe`, { method: 'PUT', body, headers: TAR }), 400, 'invalid_argument');
    expectEnvelope(await put('/big', archive(entry('big.bin', 'x'.repeat(300 << 10)))), 413, 'invalid_argument');
    expectEnvelope(await request(`${s.origin}/v1/boxes/no-such-box/files?path=/x`, { method: 'PUT', body, headers: TAR }), 404, 'not_found');
  });
});

describe('download (GET)', () => {
  it('a directory comes back as its contents; a file as itself', async () => {
    fs.mkdirSync(path.join(root, 'out', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out', 'one.txt'), 'one');
    fs.writeFileSync(path.join(root, 'out', 'deep', 'two.txt'), 'two');
    const res = await fetch(filesUrl('/out'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const dest = path.join(work, 'dl');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(work, 'dl.tar'), Buffer.from(await res.arrayBuffer()));
    await tar.x({ cwd: dest, file: path.join(work, 'dl.tar') });
    expect(fs.readFileSync(path.join(dest, 'one.txt'), 'utf8')).toBe('one');
    expect(fs.readFileSync(path.join(dest, 'deep', 'two.txt'), 'utf8')).toBe('two');

    const single = await fetch(filesUrl('/out/one.txt'));
    const names: string[] = [];
    const parser = new tar.Parser({ onReadEntry: (e) => { names.push(e.path); e.resume(); } });
    parser.end(Buffer.from(await single.arrayBuffer()));
    expect(names).toEqual(['one.txt']);
  });

  it('errors before the first byte use the envelope', async () => {
    expect(expectEnvelope(await request(filesUrl('/does/not/exist')), 404, 'not_found').message).toContain('/does/not/exist');
    expectEnvelope(await request(filesUrl('../etc/passwd')), 400, 'invalid_argument');
    expectEnvelope(await request(`${filesUrl('/out')}&follow_symlinks=true`), 400, 'unsupported');
  });
});
