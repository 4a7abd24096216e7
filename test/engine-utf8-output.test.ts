// The test engine decodes output as UTF-8 the way libboxlite does (invalid
// bytes become U+FFFD, one per maximal invalid subpart; a sequence split
// between two reads is carried over). The oracle is the WHATWG decoder
// (TextDecoder), which replaces maximal subparts the same way and whose
// result does not depend on where the input is split. Each command writes
// its bytes in two parts with a pause between them, so the pump's first read
// ends exactly at the split; large inputs also cross the engine's 64 KiB read
// size at positions the generator picks.
import fs from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Box, Runtime } from '../lib/runtime/runtime';
import { openEngineRuntime, tmpDir } from './native-helpers';

const oracle = new TextDecoder('utf-8', { ignoreBOM: true });
function decodedLikeLibboxlite(bytes: Uint8Array): Buffer {
  return Buffer.from(oracle.decode(bytes), 'utf8');
}

// Pieces output is made of: ASCII runs (the fast path), valid sequences of
// every length, and the invalid cases of each kind (stray continuation
// bytes, bad leads, overlongs, surrogates, past U+10FFFF, truncated sequences).
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40, min: 0x20, max: 0x7e }) },
  { weight: 3, arbitrary: fc.constantFrom('é', '€', 'ह', '😀', '\u{10FFFF}', '\u{FEFF}').map((s) => new Uint8Array(Buffer.from(s))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      [0x80], [0xbf], [0xc0], [0xc1, 0x80], [0xf5], [0xff], // never valid
      [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], // cut short
    ).map((b) => new Uint8Array(b)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 16 }) },
);
const text = (maxPieces: number) => fc.array(piece, { minLength: 1, maxLength: maxPieces }).map((parts) => new Uint8Array(Buffer.concat(parts)));

describe('test engine: UTF-8 decoding of output matches the WHATWG decoder, wherever reads split it', () => {
  let runtime: Runtime;
  let box: Box;
  const dir = tmpDir('bn-utf8-');
  let files = 0;

  beforeAll(async () => {
    ({ runtime } = await openEngineRuntime());
    box = await runtime.createBox({ image: 'alpine:latest' });
  });
  afterAll(async () => {
    await runtime?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Runs a command that prints bytes[0..split), pauses, then the rest.
  async function printInTwoParts(bytes: Uint8Array, split: number): Promise<{ out: Buffer; code: number }> {
    const file = path.join(dir, `out-${files++}`);
    fs.writeFileSync(file, bytes);
    const script = `head -c ${split} "$1"; sleep 0.05; tail -c +${split + 1} "$1"`;
    const execution = await box.exec('sh', ['-c', script, 'sh', file]);
    const chunks: Buffer[] = [];
    execution.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    execution.stderr.resume();
    const code = await execution.wait();
    fs.rmSync(file);
    return { out: Buffer.concat(chunks), code };
  }

  it('short output split anywhere, including inside a sequence', async () => {
    await fc.assert(
      fc.asyncProperty(text(30).chain((bytes) => fc.tuple(fc.constant(bytes), fc.integer({ min: 0, max: bytes.length }))),
        async ([bytes, split]) => {
          const { out, code } = await printInTwoParts(bytes, split);
          expect(code).toBe(0);
          expect(out.equals(decodedLikeLibboxlite(bytes))).toBe(true);
        }),
      { numRuns: 40 },
    );
  });

  it('output larger than one read, split near a read boundary', async () => {
    const big = fc.tuple(text(8), fc.integer({ min: 0, max: 3 })).chain(([tail, extra]) => {
      // ASCII up to just before 64 KiB (or twice that), then the tail: the
      // read boundary falls inside the tail.
      const lead = new Uint8Array(64 * 1024 * (1 + (extra % 2)) - 3 + extra).fill(0x61);
      const bytes = new Uint8Array(Buffer.concat([lead, tail, lead]));
      return fc.tuple(fc.constant(bytes), fc.integer({ min: lead.length - 4, max: lead.length + tail.length }));
    });
    await fc.assert(
      fc.asyncProperty(big, async ([bytes, split]) => {
        const { out, code } = await printInTwoParts(bytes, split);
        expect(code).toBe(0);
        expect(out.equals(decodedLikeLibboxlite(bytes))).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('a sequence cut off by the end of the output becomes U+FFFD', async () => {
    for (const bytes of [[0x61, 0xe2, 0x82], [0xf0, 0x9f], [0xc3]]) {
      const { out } = await printInTwoParts(new Uint8Array(bytes), 1);
      expect(out.equals(decodedLikeLibboxlite(new Uint8Array(bytes)))).toBe(true);
      expect(out.subarray(-3).equals(Buffer.from('\uFFFD', 'utf8'))).toBe(true);
    }
  });
});
