// @ts-nocheck
// The shared runtime scenarios (native-scenarios.ts: boxes, streaming, stdin,
// kill/signal/timeout/abort, spawn failures, misuse, concurrency, close)
// against the test engine. real-engine.test.ts runs the same ones against a
// real libboxlite.
import { describe } from 'vitest';

import { openEngineRuntime } from './native-helpers';
import { defineRuntimeScenarios } from './native-scenarios';

describe('runtime scenarios on the test engine', () => {
  defineRuntimeScenarios({
    engine: 'test',
    image: 'alpine:latest',
    concurrency: 200,
    open: async () => (await openEngineRuntime()).runtime,
  });
});
