// Every supported libboxlite version's code path, on the test engine: the
// classic build (CBoxInfo of 0.9.5 and the 0.9.7 release, synchronous
// boxlite_box_info, no lifecycle setters) and the newest build (0.9.7 main
// since #1031), each reporting the version under test
// ($BOXLITE_TEST_ENGINE_VERSION). Each case loads its own copy of the engine
// file: the addon validates a library once per dlopen handle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { EngineError, UnsupportedError } from '../lib/errors/errors';
import { loadAddon } from '../lib/runtime/native';
import { Runtime } from '../lib/runtime/runtime';
import { testEngineLibraryPath, type TestEngineLayout } from '../lib/testing';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-versions-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A private copy of an engine build (a new dlopen handle), reporting `version`. */
function engineCopy(layout: TestEngineLayout): string {
  const dir = path.join(scratch, `engine-${copies++}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, path.basename(testEngineLibraryPath(layout)));
  fs.copyFileSync(testEngineLibraryPath(layout), file);
  return file;
}

function home(): string {
  return fs.mkdtempSync(path.join(scratch, 'home-'));
}

/** Opens `libraryPath` with the engine reporting `version` (read at load time). */
async function openAs(libraryPath: string, version: string, env: Record<string, string> = {}): Promise<Runtime> {
  const saved = { ...process.env };
  process.env.BOXLITE_TEST_ENGINE_VERSION = version;
  Object.assign(process.env, env);
  try {
    return await Runtime.open({ homeDir: home(), libraryPath });
  } finally {
    for (const key of ['BOXLITE_TEST_ENGINE_VERSION', ...Object.keys(env)]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

interface Case {
  name: string;
  layout: TestEngineLayout;
  version: string;
  expected: { layout: string; build: string; lifecycle: boolean; network: boolean; byHandle: boolean };
}

const CASES: Case[] = [
  {
    name: 'libboxlite 0.9.5',
    layout: 'classic',
    version: '0.9.5',
    expected: { layout: 'classic', build: 'release', lifecycle: false, network: false, byHandle: false },
  },
  {
    name: 'libboxlite 0.9.7, the release (boxlite-c-v0.9.7)',
    layout: 'classic',
    version: '0.9.7',
    expected: { layout: 'classic', build: 'release', lifecycle: false, network: false, byHandle: false },
  },
  {
    name: 'libboxlite 0.9.7, main since #1031',
    layout: 'newest',
    version: '0.9.7',
    expected: { layout: 'network', build: 'main since 2026-07-28 (#1031)', lifecycle: true, network: true, byHandle: true },
  },
];

describe('supported versions', () => {
  it('the addon lists them', () => {
    expect(loadAddon().supportedLibraryVersions).toEqual(['0.9.5', '0.9.7']);
    expect(loadAddon().supportedLibraryVersion).toBe('0.9.7');
  });

  for (const c of CASES) {
    describe(c.name, () => {
      it('loads, reports its capabilities, and create / info / list / get / exec / remove work', async () => {
        const rt = await openAs(engineCopy(c.layout), c.version);
        try {
          expect(rt.library.version).toBe(c.version);
          expect(rt.capabilities).toMatchObject({
            version: c.version,
            layout: c.expected.layout,
            build: c.expected.build,
            untested: false,
            features: {
              boxInfoNetwork: c.expected.network,
              boxInfoLifecycle: c.expected.lifecycle,
              boxInfoByHandle: c.expected.byHandle,
              autoStop: c.expected.lifecycle,
              autoDelete: c.expected.lifecycle,
              autoResume: c.expected.lifecycle,
            },
          });
          expect(rt.capabilities.symbols.boxlite_options_add_volume).toBe('boxlite_options_add_volume');

          const box = await rt.createBox({
            image: 'alpine:latest',
            name: 'v',
            cpus: 2,
            memoryMib: 512,
            network: { mode: 'enabled', allowNet: ['example.com'] },
          });
          const info = await box.info();
          // The fields every layout has, read at the right offsets.
          expect(info).toMatchObject({ id: box.id, name: 'v', image: 'alpine:latest', status: 'configured', cpus: 2, memoryMib: 512 });
          expect(info.createdAt).toBeGreaterThan(1_600_000_000);
          if (c.expected.lifecycle) {
            expect(info).toMatchObject({ autoStop: 0, autoDelete: 1, autoResume: true });
          } else {
            expect(info).toMatchObject({ autoStop: null, autoDelete: null, autoResume: null });
          }
          expect(info.network).toEqual(c.expected.network ? { mode: 'enabled', allowNet: ['example.com'] } : null);

          const second = await rt.createBox({ image: 'busybox', cpus: 3 });
          // A list strides by the layout's struct size: a wrong one garbles the second entry.
          const list = await rt.listBoxes();
          expect(list.map((i) => [i.id, i.image, i.cpus]).sort()).toEqual(
            [[box.id, 'alpine:latest', 2], [second.id, 'busybox', 3]].sort(),
          );
          expect((await rt.getBox('v')).id).toBe(box.id);

          const run = await box.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
          expect(run).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
          expect((await box.info()).status).toBe('running');

          await rt.removeBox(second.id);
          await rt.removeBox('v', { force: true });
          expect(await rt.listBoxes()).toEqual([]);
        } finally {
          await rt.close();
        }
      });

      it(`lifecycle options: ${c.expected.lifecycle ? 'applied' : 'refused with UnsupportedError naming the version'}`, async () => {
        const rt = await openAs(engineCopy(c.layout), c.version);
        try {
          if (c.expected.lifecycle) {
            const box = await rt.createBox({ image: 'alpine:latest', autoDelete: 30, autoResume: false });
            expect(await box.info()).toMatchObject({ autoStop: 0, autoDelete: 30, autoResume: false });
            // libboxlite's local runtime has no AutoStop sweeper
            const err = await rt.createBox({ image: 'alpine:latest', autoStop: 5 }).catch((e: unknown) => e);
            expect(err).toBeInstanceOf(UnsupportedError);
            expect((err as Error).message).toBe('unsupported: AutoPause is only supported by REST runtimes');
          } else {
            for (const [option, value] of [['autoStop', 0], ['autoDelete', 30], ['autoResume', true]] as const) {
              const err = await rt.createBox({ image: 'alpine:latest', [option]: value }).catch((e: unknown) => e);
              expect(err, option).toBeInstanceOf(UnsupportedError);
              expect((err as Error).message).toMatch(
                new RegExp(`^unsupported: the box option ${option} needs boxlite_options_set_\\w+, which the loaded libboxlite ${c.version.replace(/\./g, '\\.')} \\(release\\) does not have`),
              );
            }
            expect(await rt.listBoxes()).toEqual([]); // nothing was created
          }
        } finally {
          await rt.close();
        }
      });
    });
  }
});

describe('unknown versions', () => {
  it('are refused with an EngineError listing the supported versions', async () => {
    const err = await openAs(engineCopy('newest'), '0.10.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(
      /reports version 0\.10\.0, which boxlite-native does not support \(supported: 0\.9\.5, 0\.9\.7;/,
    );
    expect((err as Error).message).toContain('boxlite-c-v<version>-<platform>');
  });

  it('BOXLITE_ALLOW_UNTESTED_VERSION=1 loads one with the newest known layout, and only with it', async () => {
    const lib = engineCopy('newest');
    const rt = await openAs(lib, '0.10.0', { BOXLITE_ALLOW_UNTESTED_VERSION: '1' });
    try {
      expect(rt.capabilities).toMatchObject({ version: '0.10.0', layout: 'network', untested: true });
      const box = await rt.createBox({ image: 'alpine:latest', name: 'u' });
      expect(await box.info()).toMatchObject({ id: box.id, name: 'u', status: 'configured', autoResume: true });
    } finally {
      await rt.close();
    }
    // The same (already loaded) library without the permission: refused again.
    const err = await openAs(lib, '0.10.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(/reports version 0\.10\.0, which boxlite-native does not support/);
  });

  it('BOXLITE_ALLOW_UNTESTED_VERSION other than 1 does not count', async () => {
    const err = await openAs(engineCopy('newest'), '0.11.0', { BOXLITE_ALLOW_UNTESTED_VERSION: 'true' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
  });
});
