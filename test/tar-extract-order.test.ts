// extractTar writes each file's chunks one at a time, in order. Writes go to
// the file's current offset, so two in flight at once may land swapped: a
// 1 MiB upload came out with a few KiB moved (over HTTP/1.1 and HTTP/2 alike)
// when the first chunk's write was still running as the entry was resumed a
// second time. Here every write to an extracted file is watched: never more
// than one in flight per file, and every byte where it belongs.
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
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-extract-order-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  for (const [name, size] of [['a.bin', 700 << 10], ['sub/b.bin', 300 << 10], ['c.txt', 5]] as const) {
    const data = crypto.randomBytes(size);
    fs.writeFileSync(path.join(src, name), data);
    files.set(name, data);
  }
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: src, portable: true }, ['.']) as AsyncIterable<Buffer>) chunks.push(c);
  archive = Buffer.concat(chunks);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The archive in pieces of 1..32 KiB, all available at once (the entries buffer them while a file is opened). */
function pieces(): Readable {
  const out: Buffer[] = [];
  for (let off = 0; off < archive.length;) {
    const n = 1 + crypto.randomInt(32 << 10);
    out.push(archive.subarray(off, off + n));
    off += n;
  }
  return Readable.from(out, { objectMode: false });
}

describe('extractTar writes in order', () => {
  it('one write in flight per file, and every file byte for byte', async () => {
    // FileHandle's class is not exported: reached through a handle.
    const probe = await fsp.open(__filename, 'r');
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const write = proto.write;
    const inFlight = new WeakMap<object, number>();
    let most = 0;
    proto.write = async function watchedWrite(this: object, ...args: unknown[]) {
      const now = (inFlight.get(this) ?? 0) + 1;
      inFlight.set(this, now);
      most = Math.max(most, now);
      try {
        return await write.apply(this, args);
      } finally {
        inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      }
    };
    try {
      for (let i = 0; i < 20; i++) { // bounded; each run buffers several chunks per entry
        const dir = path.join(work, `out-${i}`);
        fs.mkdirSync(dir);
        await extractTar(pieces(), dir, 1 << 30);
        for (const [name, data] of files) {
          expect(fs.readFileSync(path.join(dir, name)).equals(data), `run ${i}: ${name}`).toBe(true);
        }
        fs.rmSync(dir, { recursive: true });
      }
    } finally {
      proto.write = write;
    }
    expect(most).toBe(1);
  }, 60_000);
});
