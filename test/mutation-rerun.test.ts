// The correction `npm run test:mutation` applies to StrykerJS's vitest runner
// (scripts/mutation/run.js): a mutant reported "survived" is re-run outside
// Stryker; one that makes a test module fail to load must come out killed,
// one the suites cannot tell from the original must stay survived. Real
// vitest runs against real mutated text; the worktree is never written.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mutation-rerun-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

it('reclassifies a mutant that breaks loading as killed, keeps an unnoticed one survived, and gates on the score', () => {
  const file = 'lib/errors/errors.ts';
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const at = { line: 1, column: 1 };
  const mutant = (id: string, replacement: string) => ({
    id, mutatorName: 'Synthetic', replacement, location: { start: at, end: at }, status: 'Survived', coveredBy: ['t1'],
  });
  const report = {
    schemaVersion: '2',
    thresholds: { high: 95, low: 90 },
    files: {
      [file]: {
        language: 'typescript',
        source,
        mutants: [
          mutant('load', 'throw new Error("this mutant breaks loading");\n'),
          mutant('noop', '// a comment changes nothing\n'),
          // Settled by an earlier re-run (the mark survives Stryker's reuse): not re-run again.
          { ...mutant('settled', 'throw new Error("would break loading");\n'), statusReason: '[settled by a re-run outside Stryker] the suites pass against it outside Stryker too' },
        ],
      },
    },
    testFiles: { 'test/errors.test.ts': { tests: [{ id: 't1', name: 'any test of the file' }] } },
  };
  const input = path.join(scratch, 'report.json');
  const out = path.join(scratch, 'corrected.json');
  const summary = path.join(scratch, 'summary.json');
  fs.writeFileSync(input, JSON.stringify(report));

  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/mutation/run.js'), '--report', input, '--out', out, '--summary', summary, '--jobs', '2'], {
    cwd: ROOT, encoding: 'utf8', timeout: 240_000,
  });
  const corrected = JSON.parse(fs.readFileSync(out, 'utf8'));
  const byId = Object.fromEntries(corrected.files[file].mutants.map((m: { id: string }) => [m.id, m]));
  expect(byId.load.status).toBe('Killed');
  expect(byId.load.statusReason).toMatch(/test file failed to load: test\/errors\.test\.ts: .*this mutant breaks loading/);
  expect(byId.noop.status).toBe('Survived');
  expect(byId.noop.statusReason).toMatch(/^\[settled by a re-run outside Stryker\] /);
  expect(byId.settled.status).toBe('Survived');
  expect(r.stdout).toContain('re-running 2 survived or timed-out mutant(s)');
  // One of three detected: 33%, under the 90% break threshold, so the gate fails and says why.
  expect(r.stdout).toMatch(/lib\/errors\/errors\.ts\s+\|\s+33\.33 \|\s+1 \|\s+0 \|\s+2 \|/);
  expect(r.stdout).toContain('mutation: FAILED: below 90%: lib/errors/errors.ts (33.33%)');
  expect(r.status).toBe(1);
  // The per-file summary CI counts: the file fails the 90% threshold.
  expect(JSON.parse(fs.readFileSync(summary, 'utf8'))).toEqual({
    threshold: 90,
    files: [{ file, score: 33.33, survived: 2, noCoverage: 0, passed: false }],
  });
}, 300_000);
