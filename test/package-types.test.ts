// node10 resolution on TypeScript 5.x (its default for --module commonjs; it
// ignores "exports", so typesVersions must cover `boxlite-native/testing`).
// TypeScript 7 removed node10; the settings every current compiler has
// (node16, nodenext, bundler, on 5.9 and 7) are test/package-types-compilers.test.ts.
// The README's `bearerTokenAuth(process.env.X)` must compile under strict.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

const CONSUMER = `
import { classifyError, bearerTokenAuth, Runtime } from 'boxlite-native';
import { openTestRuntime, injectFault } from 'boxlite-native/testing';
export const status: number = classifyError(new Error('x')).status;
export const auth = bearerTokenAuth(process.env.BOXLITE_API_KEY);
export const open: typeof Runtime.open = Runtime.open;
export const t: typeof openTestRuntime = openTestRuntime;
export const f: typeof injectFault = injectFault;
`;

function typecheck(dir: string, args: string[]): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node', ...args, 'consumer.ts'], {
      cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: '' };
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

describe('types from a consumer project', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(repo, 'dist', 'testing.d.ts'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-types-'));
    fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(repo, path.join(dir, 'node_modules', 'boxlite-native'), 'dir');
    fs.symlinkSync(path.join(repo, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'dir');
    fs.symlinkSync(path.join(repo, 'node_modules', 'undici-types'), path.join(dir, 'node_modules', 'undici-types'), 'dir');
    fs.writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER);
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"consumer","private":true}');
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // node16/nodenext and bundler read "exports" (test/package-entry.test.ts
  // type-checks through it); node10 is the one that needs typesVersions.
  it('resolves both entry points and type-checks under --module commonjs --moduleResolution node10', () => {
    const r = typecheck(dir, ['--module', 'commonjs', '--moduleResolution', 'node10']);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  }, 240_000);

  it('would fail under node10 without typesVersions (the check can fail)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.typesVersions).toEqual({ '*': { testing: ['dist/testing.d.ts'] } });
    // A copy of the package without the field, to show what it fixes.
    // Its own temp dir: resolution walks up, and must not find the real package above.
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-types-bare-'));
    fs.mkdirSync(path.join(bare, 'node_modules', '@types'), { recursive: true });
    const copy = path.join(bare, 'node_modules', 'boxlite-native');
    fs.mkdirSync(copy);
    fs.symlinkSync(path.join(repo, 'dist'), path.join(copy, 'dist'), 'dir');
    const { typesVersions: _dropped, ...rest } = pkg;
    fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify(rest));
    fs.symlinkSync(path.join(repo, 'node_modules', '@types', 'node'), path.join(bare, 'node_modules', '@types', 'node'), 'dir');
    fs.symlinkSync(path.join(repo, 'node_modules', 'undici-types'), path.join(bare, 'node_modules', 'undici-types'), 'dir');
    fs.writeFileSync(path.join(bare, 'consumer.ts'), CONSUMER);
    try {
      const r = typecheck(bare, ['--module', 'commonjs', '--moduleResolution', 'node10']);
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(/Cannot find module 'boxlite-native\/testing'/);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  }, 240_000);
});
