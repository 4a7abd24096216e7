// Stdin to a command that never reads it cannot grow the server or an
// embedding process without limit: README "Limits and guarantees".
import { describe, expect, it } from 'vitest';
import { childPrelude, runNode } from './native-helpers';
import { MIB, scenario } from './reliability-support';

describe('stdin: bounded', () => {
  it('128 MiB over the WebSocket to a command that never reads: 16 MiB accepted, every other frame answered with an error, RSS bounded', async () => {
    const row = await scenario('stdin-unread.js').run({ scale: 1 / 8, serverArgs: ['--max-stdin', '16M'] });
    expect(row.bytesWritten).toBe(128 * MIB);
    expect(row.bytesReceived).toBe(16 * MIB);
    expect(row.statuses[0]).toBe('running');
    // One error frame per refused 1 MiB frame: nothing dropped silently.
    expect(row.statuses[1]).toBe(`${128 - 16} error frames`);
    expect(row.errorFrames![0]).toMatch(/^stdin: resource exhausted: stdin of execution .* is limited to 16777216 bytes/);
    // The accepted 16 MiB sit in the engine's stdin queue (as in libboxlite);
    // the refused 112 MiB are not kept anywhere. Retained memory (after a
    // forced GC in the server), not a sampled peak: see reliability-output.
    expect(row.retainedGrowthMiB).toBeLessThan(16 + 24);
    expect(row.fdsAfter).toBeLessThanOrEqual(row.fdsBefore);
  }, 60_000);

  it('embedding API: write() past maxStdinBytes fails with ResourceExhaustedError; nothing beyond the cap is queued', async () => {
    const r = await runNode(['-e', `${childPrelude()}
(async () => {
  const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath, limits: { maxStdinBytes: 1 << 20 } });
  const box = await rt.createBox({ image: 'alpine' });
  const e = await box.exec('sleep', ['30']);
  const chunk = Buffer.alloc(256 << 10, 0x61);
  const results = [];
  for (let i = 0; i < 6; i++) {
    results.push(await new Promise((resolve) => e.stdin.write(chunk, (err) => resolve(err ? err.code : 'ok'))));
  }
  await e.kill();
  await e.wait();
  console.log(JSON.stringify(results));
  await rt.close();
})().catch((x) => { console.error(x); process.exit(1); });`], { timeoutMs: 40_000 });
    expect(r.stderr).toBe('');
    const results = JSON.parse(r.stdout);
    expect(results.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results[4]).toBe('BOXLITE_RESOURCE_EXHAUSTED');
    expect(results[5]).not.toBe('ok');
  }, 60_000);
});
