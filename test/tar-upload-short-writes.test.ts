// A write(2) may write fewer bytes than asked (POSIX allows it for regular
// files too: a signal, a quota or filesystem near its limit), and FileHandle.write
// reports how many in bytesWritten without retrying. extractTar took every
// chunk as written whole: a short write left the rest of that chunk out and
// shifted everything after it, and the upload still answered 204. Here every
// write to an extracted file writes at most half of what it is given.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTar } from '../lib/http/files/tar-transfer';

let work: string;
let archive: Buffer;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'short-writes-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  for (const [name, size] of [['big.bin', 300 << 10], ['small.txt', 7], ['empty', 0]] as const) {
    const data = crypto.randomBytes(size);
    fs.writeFileSync(path.join(src, name), data);
    files.set(name, data);
  }
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: src, portable: true }, [...files.keys()]) as AsyncIterable<Buffer>) chunks.push(c);
  archive = Buffer.concat(chunks);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('extractTar and short writes', () => {
  it('writes the rest of a chunk a write left out: every file byte for byte', async () => {
    // FileHandle's class is not exported: reached through a handle.
    const probe = await fsp.open(__filename, 'r');
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
    await probe.close();
    const write = proto.write;
    let shortened = 0;
    proto.write = function halfWrite(this: object, buffer: unknown, offset?: unknown, length?: unknown, position?: unknown) {
      if (!Buffer.isBuffer(buffer)) return write.call(this, buffer, offset, length, position);
      const off = typeof offset === 'number' ? offset : 0;
      const len = typeof length === 'number' ? length : buffer.length - off;
      const half = Math.max(1, Math.ceil(len / 2));
      if (half < len) shortened++;
      return write.call(this, buffer, off, Math.min(len, half), position ?? null);
    };
    const dir = path.join(work, 'out');
    fs.mkdirSync(dir);
    try {
      await extractTar(Readable.from([archive], { objectMode: false }), dir, 1 << 30);
    } finally {
      proto.write = write;
    }
    expect(shortened).toBeGreaterThan(0);
    for (const [name, data] of files) {
      expect(fs.readFileSync(path.join(dir, name)).equals(data), name).toBe(true);
    }
  }, 30_000);
});
