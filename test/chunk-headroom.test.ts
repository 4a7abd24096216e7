// Output chunks carry a spare byte before their data so the REST attach frames
// them without copying (lib/runtime/chunk-headroom.ts, src/runtime_core.cc).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOfChunk, prependByte } from '../lib/runtime/chunk-headroom';
import { outputFrame } from '../lib/http/exec/attach-frames';
import { openTestRuntime, type TestRuntime } from '../lib/testing';

describe('prependByte', () => {
  it('frames a chunk with a spare byte in place: same memory, header then the data', () => {
    const data = dataOfChunk(Buffer.from([0, 10, 20, 30]));
    expect([...data]).toEqual([10, 20, 30]);
    const frame = prependByte(2, data);
    expect([...frame]).toEqual([2, 10, 20, 30]);
    expect(frame.buffer).toBe(data.buffer);
    expect(frame.byteOffset).toBe(data.byteOffset - 1);
    expect([...data]).toEqual([10, 20, 30]); // the reader's view is untouched
  });

  it('copies any other buffer, leaving the bytes in front of it alone', () => {
    const backing = Buffer.from([99, 1, 2]);
    const data = backing.subarray(1);
    const frame = prependByte(1, data);
    expect([...frame]).toEqual([1, 1, 2]);
    expect(backing[0]).toBe(99);
    frame[1] = 55; // a copy: writing to it leaves the data as it was
    expect(data[0]).toBe(1);
  });

  it('uses the spare byte once: a second frame of the same chunk is a copy', () => {
    const data = dataOfChunk(Buffer.from([0, 7]));
    const first = prependByte(1, data);
    const second = prependByte(2, data);
    expect([...first]).toEqual([1, 7]);
    expect([...second]).toEqual([2, 7]);
    expect(first[0]).toBe(1); // not overwritten by the second header
    second[1] = 0;
    expect(data[0]).toBe(7);
  });
});

describe('execution output from the addon', () => {
  let t: TestRuntime;
  beforeAll(async () => { t = await openTestRuntime(); });
  afterAll(async () => { await t.close(); });

  it('arrives as views over a spare leading byte, and frames without a copy', async () => {
    const box = await t.runtime.createBox({ image: 'alpine:latest' });
    const ex = await box.exec('sh', ['-c', 'printf abc; head -c 200000 /dev/zero']);
    const chunks: Buffer[] = [];
    ex.stdout.on('data', (c: Buffer) => chunks.push(c));
    ex.stderr.resume();
    await new Promise((resolve) => ex.stdout.on('end', resolve));
    expect(await ex.wait()).toBe(0);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(200_003);
    expect(all.subarray(0, 3).toString()).toBe('abc');
    for (const c of chunks) {
      expect(c.byteOffset).toBeGreaterThanOrEqual(1);
      const frame = outputFrame(1, c);
      expect(frame.buffer).toBe(c.buffer);
      expect(frame[0]).toBe(1);
      expect(frame.subarray(1).equals(c)).toBe(true);
    }
  });
});
