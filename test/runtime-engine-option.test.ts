// Runtime.open({ engine: 'test' }): the README's quick start on a machine
// without libboxlite. It must load the bundled engine whatever BOXLITE_LIBRARY
// says, warn once that nothing is isolated, keep out of ~/.boxlite (a
// temporary home, removed by close()), and refuse contradictory options.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../lib/errors/errors';
import { Runtime } from '../lib/runtime/runtime';
import { TEST_ENGINE_WARNING } from '../lib/runtime/test-engine';
import { testEngineLibraryPath } from '../lib/testing';

const savedLibrary = process.env.BOXLITE_LIBRARY;
afterEach(() => {
  if (savedLibrary === undefined) delete process.env.BOXLITE_LIBRARY;
  else process.env.BOXLITE_LIBRARY = savedLibrary;
});

function captureWarnings(): { warnings: Error[]; stop: () => void } {
  const warnings: Error[] = [];
  const listener = (w: Error) => warnings.push(w);
  process.on('warning', listener);
  return { warnings, stop: () => process.off('warning', listener) };
}

describe("Runtime.open({ engine: 'test' })", () => {
  it('runs a command on the bundled engine even when BOXLITE_LIBRARY points elsewhere, in a temporary home removed by close()', async () => {
    process.env.BOXLITE_LIBRARY = '/nonexistent/libboxlite.so';
    const { warnings, stop } = captureWarnings();
    const runtime = await Runtime.open({ engine: 'test' });
    let home: string;
    try {
      expect(runtime.library.path).toBe(testEngineLibraryPath());
      const box = await runtime.createBox({ image: 'alpine:latest' });
      const info = await box.info();
      const result = await box.run('echo', ['hello']);
      expect(result).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
      // The engine keeps each box under <home>/boxes/<id>: the home is a fresh temp dir, not ~/.boxlite.
      const boxesDir = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('boxlite-test-engine-'))
        .map((d) => path.join(os.tmpdir(), d)).filter((d) => fs.existsSync(path.join(d, 'boxes', info.id)));
      expect(boxesDir).toHaveLength(1);
      home = boxesDir[0]!;
    } finally {
      await runtime.close();
      stop();
    }
    expect(fs.existsSync(home)).toBe(false);
    // Warned once (this process may have warned before the listener: then not again).
    const ours = warnings.filter((w) => (w as NodeJS.ErrnoException).code === 'BOXLITE_TEST_ENGINE');
    expect(ours.length).toBeLessThanOrEqual(1);
    if (ours.length === 1) expect(ours[0]!.message).toBe(TEST_ENGINE_WARNING);
    expect(TEST_ENGINE_WARNING).toMatch(/NOTHING IS ISOLATED/);

    // A second runtime does not warn again.
    const again = captureWarnings();
    const second = await Runtime.open({ engine: 'test' });
    await second.close();
    await new Promise((r) => setImmediate(r));
    again.stop();
    expect(again.warnings.filter((w) => (w as NodeJS.ErrnoException).code === 'BOXLITE_TEST_ENGINE')).toEqual([]);
  }, 60_000);

  it('keeps a homeDir the caller gave', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-option-'));
    try {
      const runtime = await Runtime.open({ engine: 'test', homeDir: home });
      await runtime.createBox({ image: 'alpine', name: 'kept' });
      await runtime.close();
      expect(fs.existsSync(home)).toBe(true);
      expect(fs.readdirSync(path.join(home, 'boxes'))).toHaveLength(1);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses libraryPath with it, and an unknown engine', async () => {
    await expect(Runtime.open({ engine: 'test', libraryPath: '/x/libboxlite.so' })).rejects.toThrow(InvalidArgumentError);
    await expect(Runtime.open({ engine: 'test', libraryPath: '/x/libboxlite.so' })).rejects.toThrow(/exclude each other/);
    await expect(Runtime.open({ engine: 'qemu' as 'test' })).rejects.toThrow(/engine must be 'libboxlite' or 'test'/);
  });

  it("engine: 'libboxlite' (the default) uses the library search, and its error names both ways forward", async () => {
    process.env.BOXLITE_LIBRARY = '/nonexistent/libboxlite.so';
    const err = await Runtime.open({ engine: 'libboxlite' }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/\/nonexistent\/libboxlite\.so/);
    expect(err?.message).toMatch(/github\.com\/boxlite-ai\/boxlite\/releases/);
    expect(err?.message).toMatch(/engine: 'test'/);
    expect(err?.message).toMatch(/isolates nothing/i);
  });
});
