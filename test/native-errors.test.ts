// Every failure that crosses the addon arrives as the BoxliteError subclass of
// its numeric code, message verbatim: injected engine faults for all codes
// 1..21 at sync and async call sites, the "return code wins" rule, and the
// three library-loading failures.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BoxliteError,
  EngineError,
  InvalidArgumentError,
  errorClassFor,
} from '../lib/errors/errors';
import { loadAddon } from '../lib/runtime/native';
import { Runtime } from '../lib/runtime/runtime';
import {
  clearFaults,
  injectFault as addFault,
  openTestRuntime,
  testEngineLibraryPath,
  type FaultOperation,
  type FaultRule,
} from '../lib/testing';
import { repoRoot, tmpDir } from './native-helpers';

// Rewriting the rules file restarts the counters of rules already in it, so
// each injection replaces the file: exactly one armed rule at a time.
function injectFault(home: string, rule: FaultRule): void {
  clearFaults(home);
  addFault(home, rule);
}

const CODES = Array.from({ length: 21 }, (_, i) => i + 1);

function expectTyped(err: unknown, code: number, message: string): void {
  const Ctor = errorClassFor(code)!;
  expect(err, `code ${code}`).toBeInstanceOf(Ctor);
  expect(err).toBeInstanceOf(BoxliteError);
  expect((err as BoxliteError).boxliteCode).toBe(code);
  expect(typeof (err as BoxliteError).code).toBe('string');
  expect((err as BoxliteError).code).toMatch(/^BOXLITE_[A-Z_]+$/);
  expect((err as Error).message).toBe(message);
}

describe('injected engine faults, every code', () => {
  let home: string;
  let rt: Runtime;
  beforeAll(async () => {
    home = tmpDir();
    rt = await Runtime.open({ homeDir: home, libraryPath: testEngineLibraryPath() });
  });
  afterAll(async () => {
    await rt?.close();
  });

  // One message per case, with text that must survive verbatim (UTF-8, quotes).
  const msg = (code: number, op: string) => `fault ${code} at ${op}: «ünïcode» "quoted" ✓`;

  it.each(CODES)('code %i: sync and async runtime/box calls', async (code) => {
    injectFault(home, { op: 'create_box', code, when: 'sync', message: msg(code, 'create_box') });
    expectTyped(await rt.createBox({ image: 'alpine:latest' }).catch((e: unknown) => e), code, msg(code, 'create_box'));

    injectFault(home, { op: 'create_box', code, when: 'async', message: msg(code, 'create_box async') });
    expectTyped(await rt.createBox({ image: 'alpine:latest' }).catch((e: unknown) => e), code, msg(code, 'create_box async'));

    injectFault(home, { op: 'list_info', code, when: 'async', message: msg(code, 'list_info') });
    expectTyped(await rt.listBoxes().catch((e: unknown) => e), code, msg(code, 'list_info'));

    injectFault(home, { op: 'runtime_metrics', code, when: 'sync', message: msg(code, 'runtime_metrics') });
    expectTyped(await rt.metrics().catch((e: unknown) => e), code, msg(code, 'runtime_metrics'));
  });

  it.each(CODES)('code %i: box, exec and execution calls', async (code) => {
    const name = `faulty-${code}`;
    const box = await rt.createBox({ image: 'alpine:latest', name });
    const at = (op: FaultOperation, when: 'sync' | 'async' = 'sync') => {
      injectFault(home, { op, code, when, box: name, message: msg(code, `${op} ${when}`) });
      return msg(code, `${op} ${when}`);
    };

    let m = at('box_info', 'async');
    expectTyped(await box.info().catch((e: unknown) => e), code, m);
    m = at('box_metrics');
    expectTyped(await box.metrics().catch((e: unknown) => e), code, m);
    m = at('get', 'async'); // `box=` also matches the id_or_name of get()
    expectTyped(await rt.getBox(`${name}`).catch((e: unknown) => e), code, m);
    m = at('exec');
    expectTyped(await box.exec('true').catch((e: unknown) => e), code, m);

    // Ignores stdin: a failed write destroys the Writable, which closes stdin.
    const execution = await box.exec('sleep', ['30']);
    m = at('kill', 'async');
    expectTyped(await execution.kill().catch((e: unknown) => e), code, m);
    m = at('stdin_write');
    const writeError = await new Promise<unknown>((resolve) => {
      execution.stdin.once('error', resolve);
      execution.stdin.write('x');
    });
    expectTyped(writeError, code, m);
    await execution.kill();
    expect(await execution.wait()).toBe(-9);
  });

  it('runtime_new faults reject Runtime.open() with the right class, for every code', async () => {
    for (const code of CODES) {
      const message = msg(code, 'runtime_new');
      const err = await openTestRuntime({ faults: [{ op: 'runtime_new', code, message }] }).catch((e: unknown) => e);
      expectTyped(err, code, message);
    }
  });
});

// ---- fixture libraries: small shared objects with the libboxlite ABI -----------

const fixtureDir = tmpDir('bn-fixtures-');

/** Weak do-nothing definitions of every ABI symbol; a fixture overrides some. */
const STUBS = `
#include "boxlite_abi.h"
template <class R> static R stub() { return R(); }
#define DEF(ret, name, params) extern "C" __attribute__((weak)) ret name params { return stub<ret>(); }
BL_ABI_FUNCTIONS(DEF)
`;

function buildFixture(name: string, sources: Record<string, string>): string {
  const dir = path.join(fixtureDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const files = Object.entries(sources).map(([file, text]) => {
    fs.writeFileSync(path.join(dir, file), text);
    return path.join(dir, file);
  });
  const out = path.join(dir, 'libboxlite.so');
  execFileSync('c++', ['-shared', '-fPIC', '-std=c++17', '-w', '-I', path.join(repoRoot, 'src'), '-o', out, ...files]);
  return out;
}

describe('loading libboxlite', () => {
  it('not found: EngineError listing the configured path and its dlerror()', async () => {
    const missing = path.join(tmpDir(), 'libboxlite.so');
    const err = await Runtime.open({ homeDir: tmpDir(), libraryPath: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).boxliteCode).toBe(12);
    const text = (err as Error).message;
    expect(text).toContain(`${missing} (libraryPath option): ${missing}: cannot open shared object file`);
    expect(text).toContain('no other location was searched');
    expect(text).toContain('BOXLITE_LIBRARY');
    expect(text).toContain('0.9.7');
  });

  it('not found via BOXLITE_LIBRARY, and via the default search (addon dir, then the loader)', async () => {
    const saved = process.env.BOXLITE_LIBRARY;
    try {
      process.env.BOXLITE_LIBRARY = '/nonexistent/dir/libboxlite.so';
      const viaEnv = await Runtime.open({ homeDir: tmpDir() }).catch((e: unknown) => e);
      expect(viaEnv).toBeInstanceOf(EngineError);
      expect((viaEnv as Error).message).toContain('/nonexistent/dir/libboxlite.so (BOXLITE_LIBRARY): ');

      delete process.env.BOXLITE_LIBRARY;
      const viaSearch = await Runtime.open({ homeDir: tmpDir() }).catch((e: unknown) => e);
      expect(viaSearch).toBeInstanceOf(EngineError);
      const text = (viaSearch as Error).message;
      expect(text).toContain(`${path.join(repoRoot, 'build', 'Release', 'libboxlite.so')} (next to the addon): `);
      expect(text).toContain('libboxlite.so (dynamic loader search path): libboxlite.so: cannot open shared object file');
      expect(text).not.toContain('no other location was searched');
    } finally {
      if (saved === undefined) delete process.env.BOXLITE_LIBRARY;
      else process.env.BOXLITE_LIBRARY = saved;
    }
  });

  it('an explicit libraryPath wins over BOXLITE_LIBRARY', async () => {
    const saved = process.env.BOXLITE_LIBRARY;
    try {
      process.env.BOXLITE_LIBRARY = '/nonexistent/libboxlite.so';
      const rt = await Runtime.open({ homeDir: tmpDir(), libraryPath: testEngineLibraryPath() });
      expect(rt.library.path).toBe(testEngineLibraryPath());
      await rt.close();
    } finally {
      if (saved === undefined) delete process.env.BOXLITE_LIBRARY;
      else process.env.BOXLITE_LIBRARY = saved;
    }
  });

  it('symbol missing: EngineError naming the symbol and the file', async () => {
    const lib = buildFixture('partial', {
      'partial.cc': `extern "C" const char* boxlite_version(void) { return "0.9.7"; }
                     extern "C" void boxlite_error_free(void*) {}
                     extern "C" void boxlite_free_string(char*) {}`,
    });
    const err = await Runtime.open({ homeDir: tmpDir(), libraryPath: lib }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(
      new RegExp(`^libboxlite at ${lib} does not export the symbol 'boxlite_runtime_new' \\(.*undefined symbol: boxlite_runtime_new\\)`),
    );
  });

  it('version not supported: EngineError with the found and the supported versions', async () => {
    const lib = buildFixture('old', {
      'stubs.cc': STUBS,
      'version.cc': 'extern "C" const char* boxlite_version(void) { return "0.9.6"; }',
    });
    const err = await Runtime.open({ homeDir: tmpDir(), libraryPath: lib }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(
      new RegExp(`^libboxlite at ${lib} reports version 0\\.9\\.6, which boxlite-native does not support \\(supported: 0\\.9\\.5, 0\\.9\\.7;`),
    );
    expect((err as Error).message).toContain('BOXLITE_ALLOW_UNTESTED_VERSION=1');
  });

  it('a synchronous failure takes its code from the return value, not out_error (ABI §1)', async () => {
    // libboxlite's string parsing quirk: out_error says Internal, the call returns InvalidArgument.
    const lib = buildFixture('quirk', {
      'stubs.cc': STUBS,
      'quirk.cc': `#include <cstdlib>
        #include <cstring>
        #include "boxlite_abi.h"
        extern "C" const char* boxlite_version(void) { return "0.9.7"; }
        extern "C" void boxlite_error_free(bl_error* e) { if (e) { free(e->message); e->message = nullptr; e->code = 0; } }
        extern "C" bl_code boxlite_runtime_new(const char*, const bl_image_registry*, int, bl_runtime**, bl_error* err) {
          err->code = BL_INTERNAL; err->message = strdup("internal error: null pointer"); return BL_INVALID_ARGUMENT; }`,
    });
    const err = await Runtime.open({ homeDir: tmpDir(), libraryPath: lib }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe('internal error: null pointer');
  });
});

describe('the native error path itself', () => {
  it('createError / rejectWithError build the subclass of every code through the JS factory', async () => {
    const addon = loadAddon();
    for (const code of CODES) {
      expectTyped(addon.createError(code, `m${code}`), code, `m${code}`);
      expectTyped(await addon.rejectWithError(code, `r${code}`).catch((e: unknown) => e), code, `r${code}`);
    }
    const unknown = addon.createError(99, 'future code');
    expect(unknown).toBeInstanceOf(BoxliteError);
    expect((unknown as BoxliteError).boxliteCode).toBe(99);
    expect(() => addon.createError('x' as never, 'm')).toThrow(InvalidArgumentError);
  });
});
