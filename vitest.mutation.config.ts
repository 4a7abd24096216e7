import { defineConfig } from 'vitest/config';
import { currentGroup } from './stryker.config.mjs';

// The suites StrykerJS runs against the mutants of one group
// (stryker.config.mjs, GROUPS; MUTATION_GROUP selects it).
//
// Stryker's vitest runner overrides the pool with `threads` (one worker); the
// suites listed there tolerate it (each opens and closes its own runtime).
// scripts/mutation/run.js re-checks survivors with this config as written,
// in forks, like `npm test`.
export default defineConfig({
  test: {
    pool: 'forks',
    include: currentGroup().tests,
    // Every test here answers in well under a second; a mutant that makes a
    // request hang fails its test after 20 s instead of a minute.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
