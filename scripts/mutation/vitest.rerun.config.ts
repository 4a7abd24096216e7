import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.mutation.config';

// Runs the mutation suites against ONE mutant, outside StrykerJS, in the
// project's own pool (forks) and without Stryker's instrumentation: used by
// scripts/mutation/run.js to re-check the mutants Stryker reports as
// survived. The mutant's source text is served in place of the file on disk
// (a Vite `load` hook), so nothing in the worktree is ever modified.
//   MUTANT_TARGET  absolute path of the mutated file (e.g. .../lib/http/routing/router.ts)
//   MUTANT_SOURCE  a file holding the mutated text of MUTANT_TARGET
const target = process.env.MUTANT_TARGET;
const source = process.env.MUTANT_SOURCE;
if (!target || !source) throw new Error('vitest.rerun.config.ts: set MUTANT_TARGET and MUTANT_SOURCE');
const mutated = readFileSync(source, 'utf8');
const resolvedTarget = path.resolve(target);

export default mergeConfig(base, defineConfig({
  root: path.resolve(__dirname, '../..'),
  plugins: [{
    name: 'boxlite-mutant',
    enforce: 'pre',
    load(id: string) {
      return path.resolve(id.split('?')[0]) === resolvedTarget ? mutated : undefined;
    },
  }],
  // No `bail`: a run vitest cancels at the first failure may end without
  // its JSON report, and the report is how a load failure is told apart.
}));
