// The embedding API under many executions at once (README "Limits and
// guarantees"): output held by Readables nobody reads counts against the
// runtime-wide memory budget, spill has a runtime-wide cap, and executions
// read in full give their memory back (no climb from round to round). A
// child process per test, so its memory is its own; memory is what it
// *retains* (full GC + the allocator trim the runtime runs after one), which
// does not depend on how busy the machine is.
import { describe, expect, it } from 'vitest';
import { childPrelude, retainedMemoryPrelude, runNode } from './native-helpers';

const script = (limits: string, body: string) => `${childPrelude()}
${retainedMemoryPrelude()}
const drain = async (readable) => { let n = 0; for await (const c of readable) n += c.length; return n; };
(async () => {
  const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath, limits: ${limits} });
  const boxes = [await rt.createBox({ image: 'alpine' }), await rt.createBox({ image: 'alpine' })];
  const warm = await boxes[0].exec('echo', ['warm']);
  await drain(warm.stdout);
  await warm.wait();
  const base = await retainedMiB();
  ${body}
  await rt.close();
})().catch((e) => { console.error(e); process.exit(1); });`;

describe('embedding API: aggregate memory', () => {
  it('3 rounds of 60 concurrent 1 MiB executions read in full: every byte, retained memory back near baseline, no climb', async () => {
    const r = await runNode(['--expose-gc', '-e', script('{}', `
  const after = [];
  let ok = true;
  for (let round = 0; round < 3; round++) {
    const got = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const e = await boxes[i % 2].exec('sh', ['-c', 'head -c 1048576 /dev/zero']);
      const n = await drain(e.stdout);
      await e.wait();
      return n;
    }));
    ok = ok && got.every((n) => n === 1048576);
    after.push(await retainedMiB() - base);
  }
  console.log(JSON.stringify({ ok, after }));`)], { timeoutMs: 100_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    // Finished executions (still referenced here) hold nothing but their
    // bookkeeping: measured 1-4 MiB over baseline.
    for (const mib of out.after) expect(mib).toBeLessThan(16);
    expect(out.after[2] - out.after[0]).toBeLessThan(8);
  }, 120_000);

  it('16 x 12 MB nobody reads, 16 MiB runtime budget: what is held stays within the budget, not 16 windows; then every byte', async () => {
    const r = await runNode(['--expose-gc', '-e', script('{ maxRuntimeBufferedOutputBytes: 16 << 20 }', `
  const size = 12000000;
  const execs = await Promise.all(Array.from({ length: 16 }, (_, i) => boxes[i % 2].exec('sh', ['-c', 'head -c ' + size + ' /dev/zero'])));
  await Promise.all(execs.map((e) => e.exited()));
  const held = await retainedMiB() - base;
  const got = [];
  for (const e of execs) { got.push(await drain(e.stdout)); await e.wait(); }
  console.log(JSON.stringify({ held, all: got.every((n) => n === size) }));`)], { timeoutMs: 100_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.all).toBe(true);
    // Per-execution windows alone would allow 16 x 8 MiB = 128 MiB.
    expect(out.held).toBeLessThan(16 + 24);
  }, 120_000);

  it('runtime-wide spill cap: an execution that would spill past it is killed with a typed reason; the others are whole', async () => {
    const r = await runNode(['--expose-gc', '-e', script('{ maxBufferedOutputBytes: 1 << 20, maxRuntimeSpilledOutputBytes: 16 << 20 }', `
  const execs = await Promise.all(Array.from({ length: 4 }, (_, i) => boxes[i % 2].exec('sh', ['-c', 'head -c 8000000 /dev/zero'])));
  // Nobody reads until every process is gone: their output is held meanwhile.
  await Promise.all(execs.map((e) => e.exited()));
  const ends = [];
  for (const e of execs) {
    const kept = await drain(e.stdout);
    const end = await e.wait().then((code) => ({ code }), (err) => ({ code: err.code, message: err.message }));
    ends.push({ ...end, kept });
  }
  console.log(JSON.stringify(ends));`)], { timeoutMs: 100_000 });
    expect(r.stderr).toBe('');
    const ends = JSON.parse(r.stdout) as { code: number | string; message?: string; kept: number }[];
    const killed = ends.filter((e) => e.code === 'BOXLITE_RESOURCE_EXHAUSTED');
    expect(killed.length).toBeGreaterThan(0);
    for (const k of killed) expect(k.message).toMatch(/^resource exhausted: unread output of all executions exceeded the runtime-wide spill limit of 16777216 bytes/);
    // The others were kept whole; everything kept fits the caps (1 MiB windows + 16 MiB spill, runtime-wide).
    for (const e of ends.filter((x) => x.code === 0)) expect(e.kept).toBe(8000000);
    expect(ends.reduce((n, e) => n + e.kept, 0)).toBeLessThanOrEqual(4 * (1 << 20) + (16 << 20) + 4 * (1 << 20));
  }, 120_000);
});
