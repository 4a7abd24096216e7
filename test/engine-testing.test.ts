// The public `boxlite-native/testing` helpers: locating the test engine,
// writing fault rules, and opening a runtime on the engine through the addon.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  BoxliteErrorCode,
  EngineError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  SessionReapedError,
} from '../lib/errors/errors';
import {
  clearFaults,
  injectFault,
  openTestRuntime,
  testEngineLibraryPath,
  type FaultRule,
  type TestRuntime,
} from '../lib/testing';

const homes: string[] = [];
function tempHome(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-testing-'));
  homes.push(dir);
  return dir;
}
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

const rulesOf = (home: string) => fs.readFileSync(path.join(home, '.test-engine', 'faults'), 'utf8');

describe('testEngineLibraryPath', () => {
  it('finds the built engine beside the package', () => {
    const p = testEngineLibraryPath();
    expect(path.isAbsolute(p)).toBe(true);
    expect(path.basename(p)).toBe('libboxlite-test-engine.so');
    expect(fs.statSync(p).isFile()).toBe(true);
  });
});

describe('injectFault / clearFaults', () => {
  it('writes one rule per call, message last, and clears them', () => {
    const home = tempHome();
    injectFault(home, { op: 'exec', code: BoxliteErrorCode.ResourceExhausted, box: 'w1', command: 'python3', message: 'resource exhausted: a b  c' });
    injectFault(home, { op: 'start', code: 21, when: 'async', times: 'forever' });
    expect(rulesOf(home)).toBe(
      'op=exec code=20 when=sync times=1 box=w1 command=python3 message=resource exhausted: a b  c\n' +
        'op=start code=21 when=async times=forever\n',
    );
    clearFaults(home);
    expect(fs.existsSync(path.join(home, '.test-engine', 'faults'))).toBe(false);
    clearFaults(home); // idempotent
  });

  it.each<[string, unknown]>([
    ['unknown op', { op: 'explode', code: 1 }],
    ['code 0', { op: 'get', code: 0 }],
    ['code 22', { op: 'get', code: 22 }],
    ['fractional code', { op: 'get', code: 1.5 }],
    ['times 0', { op: 'get', code: 1, times: 0 }],
    ['bad when', { op: 'get', code: 1, when: 'later' }],
    ['box with a space', { op: 'get', code: 1, box: 'a b' }],
    ['multi-line message', { op: 'get', code: 1, message: 'a\nop=get code=2' }],
  ])('rejects a rule with %s as InvalidArgumentError, writing nothing', (_why, rule) => {
    const home = tempHome();
    expect(() => injectFault(home, rule as FaultRule)).toThrow(InvalidArgumentError);
    expect(fs.existsSync(path.join(home, '.test-engine', 'faults'))).toBe(false);
  });
});

describe('openTestRuntime (through the addon)', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('runs commands in a box of a temporary home, deleted on close', async () => {
    t = await openTestRuntime();
    const home = t.homeDir;
    expect(fs.existsSync(path.join(home, '.lock'))).toBe(true);
    const box = await t.runtime.createBox({ image: 'alpine:latest', name: 'tb' });
    const r = await box.run('sh', ['-c', 'echo out; echo err >&2; exit 7']);
    expect(r).toEqual({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
    await t.close();
    t = undefined;
    expect(fs.existsSync(home)).toBe(false);
  });

  it('injected faults surface as typed errors with the numeric code and verbatim message', async () => {
    t = await openTestRuntime();
    const box = await t.runtime.createBox({ image: 'alpine:latest', name: 'fb' });
    t.injectFault({ op: 'get', code: 21, when: 'async', message: 'session reaped: box evicted' });
    const reaped = await t.runtime.getBox('fb').catch((e: unknown) => e);
    expect(reaped).toBeInstanceOf(SessionReapedError);
    expect(reaped).toMatchObject({ boxliteCode: 21, message: 'session reaped: box evicted' });
    t.injectFault({ op: 'exec', code: 20, command: 'echo' });
    const exhausted = await box.run('echo', ['x']).catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(ResourceExhaustedError);
    expect((exhausted as Error).message).toBe('resource exhausted: injected fault at exec');
    t.clearFaults();
    expect((await box.run('echo', ['x'])).stdout).toBe('x\n');
    await expect(t.runtime.getBox('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('applies runtime_new faults before the runtime exists, and cleans up its home', async () => {
    // A private TMPDIR: other test processes create temp homes concurrently.
    const privateTmp = tempHome();
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const err = await openTestRuntime({
        faults: [{ op: 'runtime_new', code: 12, message: 'engine reported an error: hypervisor unavailable' }],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as Error).message).toBe('engine reported an error: hypervisor unavailable');
      expect(fs.readdirSync(privateTmp)).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });

  it('a second runtime on the same home fails like libboxlite', async () => {
    t = await openTestRuntime();
    const err = await openTestRuntime({ homeDir: t.homeDir }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      boxliteCode: BoxliteErrorCode.Internal,
      message: `internal error: Failed to acquire runtime lock at ${t.homeDir}: internal error: `
        + `Another BoxliteRuntime is already using directory: ${t.homeDir}\n`
        + 'Only one runtime instance can use a BOXLITE_HOME directory at a time.',
    });
    expect(fs.existsSync(t.homeDir)).toBe(true); // a given home dir is never deleted
  });
});
