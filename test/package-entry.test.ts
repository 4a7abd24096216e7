// The published entry points: build a private copy of the package, `npm pack`
// it, install the tarball into a scratch node_modules, then `require` and
// `import` it from a real Node process (not vitest's module loader) and check
// that both give the same classes, so `instanceof` holds across them.
// Built in a temp dir so it never touches the dist/ other suites use.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');

/** Runs a command; on failure the error carries its stdout and stderr (tsc reports on stdout). */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

interface Report {
  requireResolved: string;
  importResolved: string;
  cjsNames: string[];
  esmNames: string[];
  differing: string[];
  defaultIsCjs: boolean;
  crossInstanceof: boolean[];
  classifyAcross: { status: number; code: string };
  fromCjsViaEsm: string;
}

describe('packed package: import and require share one identity', () => {
  let tmp: string;
  let consumer: string;
  let packedFiles: string[];
  let report: Report;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-pack-'));
    const pkgDir = path.join(tmp, 'pkg');
    fs.mkdirSync(pkgDir);
    for (const entry of ['package.json', 'tsconfig.json', 'lib', 'scripts', 'README.md']) {
      const from = path.join(repo, entry);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(pkgDir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(pkgDir, 'node_modules'), 'dir');

    // The real build script: tsc, then the .mjs wrappers (it requires
    // dist/index.js to list the names, so loading the entry must be cheap and
    // must not need the native addon).
    run(process.execPath, [path.join(pkgDir, 'scripts', 'build-ts.js')], pkgDir);

    const packJson = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], pkgDir);
    const [packed] = JSON.parse(packJson) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = packed.files.map((f) => f.path);

    // A consumer with the tarball unpacked as node_modules/boxlite-native,
    // exactly where npm would put it (install scripts are not run: the
    // entry points must work without the native build).
    consumer = path.join(tmp, 'consumer');
    const installed = path.join(consumer, 'node_modules', 'boxlite-native');
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', installed, '--strip-components=1']);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // npm would install the package's runtime dependencies beside it; link the
    // repo's copies (their own dependencies resolve from the real path).
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const link = path.join(consumer, 'node_modules', dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(repo, 'node_modules', dep), link, 'dir');
    }

    fs.writeFileSync(path.join(consumer, 'check.mjs'), `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('boxlite-native');
const esm = await import('boxlite-native');
const cjsNames = Object.keys(cjs).sort();
const esmNames = Object.keys(esm).filter((n) => n !== 'default').sort();
const differing = cjsNames.filter((n) => esm[n] !== cjs[n]);
const fromEsm = new esm.NotFoundError('box not found: b');
const fromCjs = cjs.BoxliteError.fromCode(21, 'session reaped: s');
console.log(JSON.stringify({
  requireResolved: require.resolve('boxlite-native'),
  importResolved: import.meta.resolve('boxlite-native'),
  cjsNames, esmNames, differing,
  defaultIsCjs: esm.default === cjs,
  crossInstanceof: [
    fromEsm instanceof cjs.NotFoundError, fromEsm instanceof cjs.BoxliteError, fromEsm instanceof Error,
    fromCjs instanceof esm.SessionReapedError, fromCjs instanceof esm.BoxliteError,
    cjs.isBoxliteError(fromEsm, 2), esm.isBoxliteError(fromCjs, 21),
  ],
  classifyAcross: (({ status, code }) => ({ status, code }))(cjs.classifyError(fromEsm)),
  fromCjsViaEsm: esm.errorResponse(fromCjs).body.error.code,
}));
`);
    const out = run(process.execPath, ['check.mjs'], consumer);
    report = JSON.parse(out) as Report;
  }, 120_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the tarball carries the CommonJS build, the ESM wrapper and the types', () => {
    for (const f of ['package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts',
      'dist/errors/errors.js', 'dist/errors/classify.js', 'dist/errors/classify.d.ts', 'dist/errors/error-response.js', 'dist/errors/http-table.js']) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.some((f) => f.startsWith('node_modules/'))).toBe(false);
    expect(packedFiles.some((f) => f.startsWith('test/') && !f.startsWith('test/engine/'))).toBe(false);
  });

  it('require resolves to dist/index.js and import to dist/index.mjs', () => {
    expect(report.requireResolved.endsWith(path.join('boxlite-native', 'dist', 'index.js'))).toBe(true);
    expect(report.importResolved.endsWith('/boxlite-native/dist/index.mjs')).toBe(true);
  });

  it('both expose the same names, every one the identical object', () => {
    for (const name of ['BoxliteError', 'NotFoundError', 'SessionReapedError', 'BoxliteErrorCode', 'classifyError',
      'errorResponse', 'serializeErrorBody', 'isBoxliteError', 'CANONICAL_HTTP_TABLE', 'HTTP_ONLY_ROWS']) {
      expect(report.cjsNames).toContain(name);
    }
    expect(report.esmNames).toEqual(report.cjsNames);
    expect(report.differing).toEqual([]);
    expect(report.defaultIsCjs).toBe(true);
  });

  it('instanceof holds across import and require', () => {
    expect(report.crossInstanceof).toEqual([true, true, true, true, true, true, true]);
    expect(report.classifyAcross).toEqual({ status: 404, code: 'not_found' });
    expect(report.fromCjsViaEsm).toBe('session_reaped');
  });

  it('the shipped types resolve for CommonJS and ESM consumers', () => {
    fs.writeFileSync(path.join(consumer, 'use-cjs.cts'), `
import { classifyError, NotFoundError, type ErrorClassification } from 'boxlite-native';
const c: ErrorClassification = classifyError(new NotFoundError('box not found: b'));
export const status: number = c.status;
`);
    fs.writeFileSync(path.join(consumer, 'use-esm.mts'), `
import { errorResponse, BoxliteError, BoxliteErrorCode, type ErrorResponse } from 'boxlite-native';
const r: ErrorResponse = errorResponse(BoxliteError.fromCode(BoxliteErrorCode.NotFound, 'x'), { requestId: 'r' });
export const code: string = r.body.error.code;
// @ts-expect-error status is a number, never a string
export const wrong: string = r.status;
`);
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true,
        skipLibCheck: true, types: ['node'], typeRoots: [path.join(repo, 'node_modules', '@types')],
      },
      files: ['use-cjs.cts', 'use-esm.mts'],
    }));
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  }, 60_000);
});
