// @ts-nocheck
import { defineConfig } from 'vitest/config';

// Suites load the native addon: forks, never threads or vm pools (native
// libraries are not safe to share across worker threads of one process, and vm
// contexts break `instanceof Error`).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
