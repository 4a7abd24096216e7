import { defineConfig } from 'vitest/config';

// The suites StrykerJS runs against each mutant (stryker.config.mjs). Only
// fast ones that exercise the mutated files through their public behaviour:
// the pure classifier/error suites, and the HTTP suites that answer in well
// under a second against the test engine. The slow end-to-end suites (exec
// sessions, the official client, the CLI) stay in `npm test` only.
//
// Stryker's vitest runner forces `pool: 'threads'` with one worker; the test
// engine tolerates that because each suite opens and closes its own runtime.
export default defineConfig({
  test: {
    pool: 'forks',
    include: [
      'test/classify-*.test.ts',
      'test/errors.test.ts',
      'test/error-response.test.ts',
      'test/http-routes.test.ts',
      'test/http-auth.test.ts',
      'test/http-mounting.test.ts',
      'test/http-faults.test.ts',
      'test/http-decisions.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
