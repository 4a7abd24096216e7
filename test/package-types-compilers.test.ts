// The published declarations as a strict consumer meets them with no extra
// configuration: `tsc --strict --noEmit`, only @types/node installed, no
// --types, no --lib, no --target, no --skipLibCheck. Under TypeScript 5.9 and
// 7.x (devDependency alias `typescript7`), for module/moduleResolution node16,
// nodenext and bundler, each for a CommonJS and an ESM consumer.
//
// What this guards: TypeScript 6+ loads no @types by itself (the entry
// declarations must reference Node's types), `AsyncDisposable` must resolve
// without esnext.disposable in the consumer's lib, and the declarations must
// not contain `#private` (an error under TypeScript 5.9's default target).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');

const COMPILERS = {
  'TypeScript 5.9': path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
  'TypeScript 7': path.join(repo, 'node_modules', 'typescript7', 'bin', 'tsc'),
} as const;

const FIXTURES = path.join(__dirname, 'fixtures', 'types-consumer');
const ESM = fs.readFileSync(path.join(FIXTURES, 'esm.ts'), 'utf8');
const CJS = fs.readFileSync(path.join(FIXTURES, 'cjs.ts'), 'utf8');

interface Setting {
  name: string;
  type: 'commonjs' | 'module';
  flags: string[];
  source: string;
}

const SETTINGS: Setting[] = [
  { name: 'node16, CommonJS', type: 'commonjs', flags: ['--module', 'node16', '--moduleResolution', 'node16'], source: CJS },
  { name: 'node16, ESM', type: 'module', flags: ['--module', 'node16', '--moduleResolution', 'node16'], source: ESM },
  { name: 'nodenext, CommonJS', type: 'commonjs', flags: ['--module', 'nodenext', '--moduleResolution', 'nodenext'], source: CJS },
  { name: 'nodenext, ESM', type: 'module', flags: ['--module', 'nodenext', '--moduleResolution', 'nodenext'], source: ESM },
  // A bundler consumer writes import syntax whatever its output format.
  { name: 'bundler (module esnext), ESM', type: 'module', flags: ['--module', 'esnext', '--moduleResolution', 'bundler'], source: ESM },
  { name: 'bundler (module preserve), CommonJS package', type: 'commonjs', flags: ['--module', 'preserve', '--moduleResolution', 'bundler'], source: ESM },
];

function compile(tsc: string, dir: string, flags: string[]): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [tsc, '--strict', '--noEmit', ...flags, 'consumer.ts'], {
      cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: '' };
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

/** A consumer project: the package as a dependency (dist/ + package.json), @types/node, nothing else. */
function makeConsumer(type: Setting['type'], source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-consumer-'));
  const pkg = path.join(dir, 'node_modules', 'boxlite-native');
  fs.mkdirSync(pkg, { recursive: true });
  // A copy, not a link to the repo: resolution from a linked package would
  // walk up into the repo's own node_modules and find what a consumer lacks.
  fs.cpSync(path.join(repo, 'dist'), path.join(pkg, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'));
  fs.cpSync(path.join(repo, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), { recursive: true });
  fs.cpSync(path.join(repo, 'node_modules', 'undici-types'), path.join(dir, 'node_modules', 'undici-types'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  fs.writeFileSync(path.join(dir, 'consumer.ts'), source);
  return dir;
}

describe('a strict consumer compiles the shipped declarations with no extra configuration', () => {
  const dirs = new Map<string, string>();
  beforeAll(() => {
    if (!fs.existsSync(path.join(repo, 'dist', 'testing.d.ts'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
    for (const s of SETTINGS) dirs.set(s.name, makeConsumer(s.type, s.source));
  });
  afterAll(() => {
    for (const dir of dirs.values()) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [compiler, tsc] of Object.entries(COMPILERS)) {
    for (const s of SETTINGS) {
      it(`${compiler}: ${s.name}`, () => {
        const r = compile(tsc, dirs.get(s.name)!, s.flags);
        expect(r.output).toBe('');
        expect(r.ok).toBe(true);
      }, 240_000);
    }
  }

  it('the check can fail: a consumer error is reported by both compilers', () => {
    const dir = makeConsumer('module', `${ESM}\nexport const wrong: string = classifyError(new Error('x')).status;\n`);
    try {
      for (const tsc of Object.values(COMPILERS)) {
        const r = compile(tsc, dir, ['--module', 'nodenext', '--moduleResolution', 'nodenext']);
        expect(r.ok).toBe(false);
        expect(r.output).toMatch(/consumer\.ts.*Type 'number' is not assignable to type 'string'/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
