// @ts-nocheck
// Runs boxlite-engine-check (test/engine/check/engine_check.cc): the test
// engine driven through its C ABI, independent of the addon. It checks event
// ordering, drain timing, error texts, faults, confinement and that nothing
// (fds, threads, child processes) leaks. Also under valgrind when available.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const checkBinary = path.join(root, 'build', 'Release', 'boxlite-engine-check');

// Runs the check (optionally under a wrapper such as valgrind) in a scratch dir.
function runCheck(wrapper: string[] = []): { status: number | null; output: string } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-check-'));
  const argv = [...wrapper, checkBinary, scratch];
  try {
    const r = spawnSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, LD_LIBRARY_PATH: path.dirname(checkBinary) },
    });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const hasValgrind = spawnSync('valgrind', ['--version']).status === 0;

describe('test engine, driven through the C ABI', () => {
  it('is built (npm install / cmake-js compile builds boxlite-engine-check)', () => {
    expect(fs.existsSync(checkBinary), `missing ${checkBinary}: run \`npx cmake-js compile\``).toBe(true);
  });

  it('passes every check of boxlite-engine-check', () => {
    const { status, output } = runCheck();
    expect(output).toMatch(/^1\.\.\d+$/m);
    expect(output).not.toMatch(/^not ok/m);
    expect(output).toContain('# 0 failed check(s), 0 failed assertion(s)');
    expect(status, output).toBe(0);
  }, 240_000);

  it.skipIf(!hasValgrind)('has no invalid access and no definite leak under valgrind', () => {
    const { status, output } = runCheck([
      'valgrind',
      '--leak-check=full',
      '--error-exitcode=99',
      '--errors-for-leak-kinds=definite',
    ]);
    expect(output).toContain('ERROR SUMMARY: 0 errors');
    expect(output).toContain('definitely lost: 0 bytes');
    expect(status, output).toBe(0);
  }, 240_000);
});
