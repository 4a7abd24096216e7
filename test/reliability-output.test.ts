// Output memory is bounded for every reader (none, never-reading, slow), and
// nothing is lost: README "Limits and guarantees". Real server child process,
// RSS from /proc/<pid>/status. (Full scale: `npm run stress`.)
//
// Memory is measured as what the server *retains*: RSS after a forced full GC
// in the child (and the allocator trim the runtime runs after one), at the
// point where the scenario's data is at its largest, over the same measure
// after the warm-up. A sampled peak would also count garbage V8 has not
// collected yet, which grows with how busy the machine is (it was the flaky
// part: 99-113 MiB against a 96 MiB bound with other work running).
import { describe, expect, it } from 'vitest';
import { runNode, childPrelude, retainedMemoryPrelude } from './native-helpers';
import { MIB, scenario } from './reliability-support';

// What the server may retain while holding an execution's output: its 8 MiB
// window (the rest is on disk), the session's 8 MiB queue, one block in
// flight, and allocator/V8 slack (measured: 13-29 MiB). It does not grow with
// the output (the full-scale run in the README shows the same for 2 GiB).
const RETAINED_LIMIT_MIB = 48;
// Once every byte is delivered, what is left over the warmed-up baseline
// (measured: 1-2 MiB): memory is given back when the work ends.
const RETAINED_AFTER_LIMIT_MIB = 12;

describe('output: bounded memory, no byte lost', () => {
  it('256 MiB nobody reads: RSS stays bounded, a late attach gets every byte, fds back to baseline', async () => {
    const row = await scenario('output-unread.js').run({ scale: 1 / 8 });
    expect(row.bytesWritten).toBe(256 * MIB);
    expect(row.statuses[0]).toBe('completed');
    expect(row.bytesReceived).toBe(row.bytesWritten);
    expect(row.statuses[1]).toBe('exit 0');
    expect(row.retainedGrowthMiB).toBeLessThan(RETAINED_LIMIT_MIB);
    expect(row.retainedAfterMiB).toBeLessThan(RETAINED_AFTER_LIMIT_MIB);
    expect(row.fdsAfter).toBeLessThanOrEqual(row.fdsBefore);
    expect(row.deletedOpenFiles).toBe(0);
  }, 60_000);

  it('past memory + spill caps the command is killed, and status, error frame and exit say why', async () => {
    const row = await scenario('output-unread.js').run({
      scale: 1 / 8,
      serverArgs: ['--max-buffered-output', '4M', '--max-spilled-output', '32M'],
    });
    expect(row.statuses[0]).toBe('killed');
    expect(row.errorMessage).toMatch(/^resource exhausted: unread output exceeded the limit of 4194304 bytes in memory \+ 33554432 bytes spilled/);
    expect(row.errorMessage).toMatch(/the execution was killed and \d+ bytes of output past the limit were discarded/);
    expect(row.errorFrames!.some((m) => m.startsWith('resource exhausted'))).toBe(true);
    expect(row.statuses[1]).toBe('exit -9');
    // Every byte kept is delivered: the engine's 4 MiB + 32 MiB, plus the
    // server's own unread queue (maxBufferedOutputBytes, 8 MiB) and at most
    // one block in flight between them; nothing beyond.
    expect(row.bytesReceived).toBeGreaterThanOrEqual(32 * MIB);
    expect(row.bytesReceived).toBeLessThanOrEqual((4 + 32 + 8 + 4) * MIB);
    expect(row.retainedGrowthMiB).toBeLessThan(RETAINED_LIMIT_MIB);
    expect(row.retainedAfterMiB).toBeLessThan(RETAINED_AFTER_LIMIT_MIB);
    expect(row.deletedOpenFiles).toBe(0);
  }, 60_000);

  it('256 MiB to a client that attached but never reads: bounded, then every byte once it reads', async () => {
    const row = await scenario('output-never-reading.js').run({ scale: 1 / 8 });
    expect(row.statuses).toEqual(['completed', 'exit 0']);
    expect(row.bytesReceived).toBe(row.bytesWritten);
    expect(row.retainedGrowthMiB).toBeLessThan(RETAINED_LIMIT_MIB);
    expect(row.retainedAfterMiB).toBeLessThan(RETAINED_AFTER_LIMIT_MIB);
    expect(row.fdsAfter).toBeLessThanOrEqual(row.fdsBefore);
  }, 60_000);

  it('a slow reader gets all 64 MiB, in full, exit last', async () => {
    const row = await scenario('output-slow-reader.js').run({ scale: 1 / 16 });
    expect(row.statuses).toEqual(['exit 0']);
    expect(row.bytesReceived).toBe(row.bytesWritten);
    expect(row.retainedGrowthMiB).toBeLessThan(RETAINED_LIMIT_MIB);
    expect(row.retainedAfterMiB).toBeLessThan(RETAINED_AFTER_LIMIT_MIB);
  }, 60_000);
});

describe('output in the embedding API: Readable backpressure, typed end', () => {
  // A child process, so its RSS is its own.
  const script = (body: string) => `${childPrelude()}
${retainedMemoryPrelude()}
(async () => {
  const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath, limits: { maxBufferedOutputBytes: 4 << 20, maxSpilledOutputBytes: 32 << 20 } });
  const box = await rt.createBox({ image: 'alpine' });
  const warm = await box.run('echo', ['warm']);
  const base = await retainedMiB();
  ${body}
  await rt.close();
})().catch((e) => { console.error(e); process.exit(1); });`;

  it('`await e.wait()` without reading `yes`: rejects with ResourceExhaustedError, RSS bounded, kept output still readable', async () => {
    const r = await runNode(['--expose-gc', '-e', script(`
  const e = await box.exec('yes');
  const err = await e.wait().then(() => null, (x) => x);
  const peak = await retainedMiB();
  let kept = 0;
  for await (const c of e.stdout) kept += c.length;
  console.log(JSON.stringify({ name: err && err.name, code: err && err.code, exitCode: err && err.exitCode,
    message: err && err.message, endReason: e.endReason, growth: peak - base, kept }));`)], { timeoutMs: 50_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.code).toBe('BOXLITE_RESOURCE_EXHAUSTED');
    expect(out.exitCode).toBe(-9);
    expect(out.message).toMatch(/^resource exhausted: unread output exceeded the limit/);
    expect(out.endReason).toBe(out.message);
    // The 4 MiB window, the kept output handed to the Readable at the kill
    // (within the window), and allocator/V8 slack.
    expect(out.growth).toBeLessThan(32);
    expect(out.kept).toBeGreaterThanOrEqual(32 * MIB);
    expect(out.kept).toBeLessThanOrEqual(36 * MIB);
  }, 60_000);

  it('a paused Readable holds no more than its highWaterMark plus one block; resumed, it gets every byte', async () => {
    const r = await runNode(['--expose-gc', '-e', script(`
  const total = 24 << 20;
  const e = await box.exec('sh', ['-c', 'head -c ' + total + ' /dev/zero | tr "\\\\0" x']);
  await e.exited();
  // Nobody read yet: what JS holds is the Readable's buffer.
  const heldBeforeReading = e.stdout.readableLength;
  let got = 0;
  for await (const c of e.stdout) got += c.length;
  const code = await e.wait();
  console.log(JSON.stringify({ heldBeforeReading, got, total, code }));`)], { timeoutMs: 50_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.code).toBe(0);
    expect(out.got).toBe(out.total);
    // At exit only the in-memory window (4 MiB here) is handed over unasked.
    expect(out.heldBeforeReading).toBeLessThanOrEqual(4 * MIB);
  }, 60_000);
});
