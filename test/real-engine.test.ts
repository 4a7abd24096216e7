// The runtime scenarios of native-scenarios.ts against a REAL libboxlite
// (boxes are micro-VMs): runs when BOXLITE_LIBRARY points at libboxlite
// 0.9.7, and skips, saying why, otherwise.
//
//   BOXLITE_LIBRARY=/path/to/libboxlite.so npx vitest run test/real-engine.test.ts
//
// Optional: BOXLITE_TEST_HOME (default: a fresh temporary home dir, so images
// are pulled into it), BOXLITE_TEST_IMAGE (default alpine:latest; needs sh,
// cat, seq, stty, sleep), BOXLITE_TEST_CONCURRENCY (default 50 executions at once).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { Runtime } from '../lib/runtime/runtime';
import { defineRuntimeScenarios } from './native-scenarios';

const library = process.env.BOXLITE_LIBRARY;
const SKIP_REASON =
  'skipped: BOXLITE_LIBRARY is not set. These scenarios need a real libboxlite 0.9.7 on a host that can boot '
  + 'BoxLite VMs; run with BOXLITE_LIBRARY=/path/to/libboxlite.so';

if (!library) console.info(`test/real-engine.test.ts ${SKIP_REASON}`);

describe.skipIf(!library)(`real libboxlite${library ? ` (${library})` : ` — ${SKIP_REASON}`}`, () => {
  const homeDir = process.env.BOXLITE_TEST_HOME || fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-real-'));

  it('loads the library named by BOXLITE_LIBRARY and reports its version', async () => {
    // No libraryPath: the BOXLITE_LIBRARY lookup itself is under test.
    const rt = await Runtime.open({ homeDir });
    try {
      expect(rt.library).toEqual({ path: library, version: '0.9.7' });
    } finally {
      await rt.close();
    }
  });

  // Nested: the scenarios' runtime (beforeAll) must not hold the home dir
  // while the test above opens its own (one runtime per home dir).
  describe('scenarios', () => {
    defineRuntimeScenarios({
      engine: 'real',
      image: process.env.BOXLITE_TEST_IMAGE || 'alpine:latest',
      concurrency: Number(process.env.BOXLITE_TEST_CONCURRENCY || 50),
      open: () => Runtime.open({ homeDir }),
      setupTimeoutMs: 600_000,
    });
  });
}, 300_000);
