// StrykerJS: mutation testing of the code that decides what a caller gets (a
// status code, an error class or an authorization). Run it with
// `npm run test:mutation` (scripts/mutation/run.js), not `npx stryker run`:
// the wrapper runs one Stryker pass per group below, corrects the vitest
// runner's miscount of mutants that break module loading, prints one table
// per file and applies `thresholds.break` to the corrected scores.
// See docs/mutation-testing.md.

/**
 * What is mutated, and which suites judge it. Each group is one Stryker pass
 * over `mutate`, run against `tests` only (their own fast suites: a mutant of
 * the classifier is judged by the classifier's suites, not by every HTTP
 * suite that happens to import it, which keeps a pass within CI's budget).
 *
 * To gate a new file: add it to the `mutate` list of its group (new guards in
 * lib/http/ go to `http`), and its suite to `tests` if it has its own.
 */
export const GROUPS = {
  core: {
    mutate: [
      'lib/errors/classify.ts',
      'lib/errors/errors.ts',
      'lib/errors/http-table.ts',
      'lib/errors/error-response.ts',
    ],
    tests: [
      'test/classify-*.test.ts',
      'test/errors.test.ts',
      'test/error-response.test.ts',
    ],
  },
  http: {
    mutate: [
      'lib/http/guards/auth.ts',
      'lib/http/routing/router.ts',
      'lib/http/protocol/validate.ts',
      'lib/http/protocol/body.ts',
      'lib/http/routing/prefix.ts',
      'lib/http/protocol/request-id.ts',
    ],
    // Over real HTTP against the test engine; each answers in seconds. The
    // slow end-to-end suites (exec sessions, the official client, the CLI)
    // stay in `npm test` only.
    tests: [
      'test/http-decisions.test.ts',
      'test/http-routes.test.ts',
      'test/http-auth.test.ts',
      'test/http-mounting.test.ts',
      'test/http-faults.test.ts',
      // validate.ts: lone surrogates refused in every string reader.
      'test/http-request-values.test.ts',
    ],
  },
  // The guards in front of the routes: 415, 400 (dot segments), 403 (origin),
  // 421 (host), 429/503 (limits), page tokens, Idempotency-Key replays.
  guards: {
    mutate: [
      'lib/http/guards/content-type.ts',
      'lib/http/guards/dot-segments.ts',
      'lib/http/guards/origin-guard.ts',
      'lib/http/guards/host-guard.ts',
      'lib/http/guards/request-guard.ts',
      'lib/http/guards/limits.ts',
      'lib/http/protocol/pagination.ts',
      'lib/http/guards/idempotency.ts',
    ],
    tests: [
      'test/http-guards.test.ts',
      'test/http-security.test.ts',
      'test/http-pagination.test.ts',
      'test/http-idempotency.test.ts',
      'test/http-reliability-limits.test.ts',
      'test/http-decisions.test.ts',
      // Direct tests of each guard's decisions (no server needed).
      'test/guard-decisions.test.ts',
      'test/host-guard-memo.test.ts',
      'test/http2-guard-decisions.test.ts',
      'test/limits-decisions.test.ts',
      'test/observability-limits.test.ts',
      'test/pagination-decisions.test.ts',
      'test/idempotency-decisions.test.ts',
      'test/idempotency-replay-observed.test.ts',
    ],
  },
};

/** Where a group's incremental results live (committed: see `incremental` below). */
export function incrementalFileOf(name) {
  return `test/mutation-baseline/${name}.json`;
}

/** The group of this pass (MUTATION_GROUP, set by scripts/mutation/run.js). */
export function currentGroup() {
  const name = process.env.MUTATION_GROUP ?? 'core';
  const group = GROUPS[name];
  if (!group) throw new Error(`MUTATION_GROUP=${name}: no such group (${Object.keys(GROUPS).join(', ')})`);
  return { name, ...group };
}

const group = currentGroup();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Each mutant runs only the tests that executed its code in the dry run
  // (mutants in code that runs at load time run all of the group's tests).
  coverageAnalysis: 'perTest',
  mutate: group.mutate,
  // Two workers at most: CI machines have 2 cores.
  concurrency: 2,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  // Only what the suites need is copied into the sandbox.
  ignorePatterns: ['.stryker-tmp*', 'dist', 'prebuilds', 'coverage', 'reports', 'bench', 'examples', '.http-dist', '*.tgz', 'build/CMakeFiles'],
  // Generous: a loaded machine must not turn a slow run into a "timeout"
  // (which counts as detected). The wrapper re-checks timeouts anyway.
  timeoutMS: 30_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Re-test only mutants whose code or covering tests changed since the last
  // pass of this group; `npm run test:mutation -- --force` re-tests all.
  // The results of the last pass are committed (test/mutation-baseline/):
  // CI re-tests what a change touched instead of every mutant (a full pass
  // takes most of an hour on 2 cores). Stryker cannot see changes to files
  // outside `mutate` and the test files (helpers, config): after such a
  // change, run with --force and commit the refreshed baseline.
  incremental: true,
  incrementalFile: incrementalFileOf(group.name),
};
