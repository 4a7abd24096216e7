// StrykerJS: mutation testing of the code that decides what a caller gets (a
// status code, an error class, an authorization). Run with
// `npm run test:mutation` (scripts/mutation/run.js), not `npx stryker run`
// directly: the wrapper corrects the vitest runner's miscount of mutants that
// break module loading and applies `thresholds.break` to the corrected scores.
// See README.md, "Mutation testing".

/**
 * The gated files. Add a file here when it starts deciding a status code, an
 * error class or an authorization (new guards in lib/http/ belong here), and
 * add its fast test suite to vitest.mutation.config.ts.
 */
export const MUTATED_FILES = [
  'lib/classify.ts',
  'lib/errors.ts',
  'lib/http-table.ts',
  'lib/error-response.ts',
  'lib/http/auth.ts',
  'lib/http/router.ts',
  'lib/http/validate.ts',
  'lib/http/body.ts',
  'lib/http/prefix.ts',
  'lib/http/request-id.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Each mutant runs only the tests that executed its code in the dry run.
  coverageAnalysis: 'perTest',
  mutate: MUTATED_FILES,
  // Two workers at most: CI machines have 2 cores.
  concurrency: 2,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  // Only what the suites need is copied into the sandbox.
  ignorePatterns: ['dist', 'prebuilds', 'coverage', 'reports', 'bench', 'examples', '.http-dist', '*.tgz', 'build/CMakeFiles'],
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Re-test only mutants whose code or covering tests changed since the last
  // run (reports/stryker-incremental.json); `--force` re-tests everything.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
};
