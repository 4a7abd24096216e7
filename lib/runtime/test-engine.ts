// Where the bundled test engine library is. Its own file because both the
// public `boxlite-native/testing` entry and `Runtime.open({ engine: 'test' })`
// need it, and testing.ts itself imports the runtime.
import fs from 'node:fs';
import path from 'node:path';

import { EngineError } from '../errors/errors';
import { packageRoot } from './native';

/**
 * Which build of the test engine: 'newest' has the newest known libboxlite
 * layout (0.9.7 main since #1031); 'classic' the layout and symbols of 0.9.5
 * and the 0.9.7 release. Either reports $BOXLITE_TEST_ENGINE_VERSION as its
 * version when set (default 0.9.7).
 */
export type TestEngineLayout = 'newest' | 'classic';

function engineFileName(layout: TestEngineLayout): string {
  const base = layout === 'classic' ? 'libboxlite-test-engine-classic' : 'libboxlite-test-engine';
  return process.platform === 'darwin' ? `${base}.dylib` : `${base}.so`;
}

/**
 * Absolute path of the test engine library: `build/Release/` of this package
 * (built from source), else `prebuilds/<platform>-<arch>/`.
 * Throws an `EngineError` listing the paths tried when neither exists.
 */
export function testEngineLibraryPath(layout: TestEngineLayout = 'newest'): string {
  const name = engineFileName(layout);
  const candidates = [
    path.join(packageRoot(), 'build', 'Release', name),
    path.join(packageRoot(), 'prebuilds', `${process.platform}-${process.arch}`, name),
  ];
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new EngineError(
    `boxlite-native: the test engine library (${name}) was not found. Tried:\n` +
      candidates.map((c) => `  - ${c}`).join('\n') +
      '\nBuild it from the package directory with `npx cmake-js compile` (CMake target boxlite-test-engine).',
  );
}

/** What every user of the test engine is told once per process. */
export const TEST_ENGINE_WARNING = 'the boxlite-native TEST ENGINE runs every command as a HOST PROCESS with your '
  + 'privileges, environment, files and network: NOTHING IS ISOLATED. For tests and local development only; '
  + 'install libboxlite for real boxes (README: "Finding libboxlite").';

let warned = false;

/** Emits TEST_ENGINE_WARNING as a process warning, once per process (`--no-warnings` silences it). */
export function warnTestEngineOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(TEST_ENGINE_WARNING, { code: 'BOXLITE_TEST_ENGINE' });
}
