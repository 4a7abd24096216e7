// A compressed upload is inflated by node-tar synchronously, one input chunk
// at a time, into the entry being written; the entry waits for the disk, so
// everything one chunk inflates to sits in its buffer. node-tar stops a
// stream past 1000:1, so a 64 KiB chunk (an HTTP/1.1 socket read) could put
// ~64 MiB in memory at once (a 290 KB gzip upload peaked at 112 MiB of
// buffers). The bound checked here: what one entry holds unwritten stays
// within INFLATE_BUFFER_BOUND, whatever the chunk size and the compression;
// and the files still come out byte for byte.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTar } from '../lib/http/files/tar-transfer';

const FILE_BYTES = 64 << 20;
/** 2 MiB: node-tar's 1000:1 times a 1 KiB slice, plus what one inflate step may overshoot. */
const INFLATE_BUFFER_BOUND = 2 << 20;

let work: string;
let plain: Buffer;
let fileHash: string;

/** A file that deflates about 700:1 (a few random bytes every 16 KiB), under node-tar's 1000:1. */
function sparseish(): Buffer {
  const b = Buffer.alloc(FILE_BYTES);
  for (let k = 0; k < b.length; k += 16384) crypto.randomFillSync(b, k, 4);
  return b;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'inflate-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  const data = sparseish();
  fileHash = crypto.createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(path.join(src, 'big.bin'), data);
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: src, portable: true }, ['big.bin']) as AsyncIterable<Buffer>) chunks.push(c);
  plain = Buffer.concat(chunks);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function inChunks(body: Buffer, size: number): Readable {
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += size) out.push(body.subarray(off, off + size));
  return Readable.from(out, { objectMode: false });
}

/** Extracts `body` (sent in `chunk`-byte pieces) and returns the most bytes any entry held unwritten. */
async function mostBuffered(body: Buffer, chunk: number, out: string): Promise<number> {
  const proto = tar.ReadEntry.prototype as unknown as { write: (data: Buffer) => boolean };
  const write = proto.write;
  let most = 0;
  proto.write = function watchedWrite(this: { bufferLength: number }, data: Buffer) {
    const r = write.call(this, data);
    most = Math.max(most, this.bufferLength);
    return r;
  };
  try {
    fs.mkdirSync(out);
    await extractTar(inChunks(body, chunk), out, 1 << 30);
  } finally {
    proto.write = write;
  }
  const got = crypto.createHash('sha256').update(fs.readFileSync(path.join(out, 'big.bin'))).digest('hex');
  expect(got).toBe(fileHash);
  fs.rmSync(out, { recursive: true });
  return most;
}

describe('what a compressed upload inflates into memory is bounded', () => {
  it.each([
    ['64 KiB chunks (an HTTP/1.1 socket read)', 64 << 10],
    ['16 KiB chunks (an HTTP/2 DATA frame)', 16 << 10],
  ])('gzip, sent in %s', async (name, chunk) => {
    const body = zlib.gzipSync(plain, { level: 9 });
    expect(FILE_BYTES / body.length).toBeGreaterThan(100); // it is a high-ratio archive
    const most = await mostBuffered(body, chunk, path.join(work, `out-gzip-${chunk}`));
    console.log(`${name}: at most ${most} bytes held by one entry`);
    expect(most).toBeLessThanOrEqual(INFLATE_BUFFER_BOUND);
  }, 60_000);

  it('a plain archive in 64 KiB chunks buffers at most one chunk per entry', async () => {
    const most = await mostBuffered(plain, 64 << 10, path.join(work, 'out-plain'));
    expect(most).toBeLessThanOrEqual(64 << 10);
  }, 60_000);
});
