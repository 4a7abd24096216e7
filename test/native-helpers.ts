// Shared helpers of the native-*.test.ts suites (not a test file itself).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import ts from 'typescript';

import { Runtime } from '../lib/runtime/runtime';
import { testEngineLibraryPath } from '../lib/testing';

export const repoRoot = path.resolve(__dirname, '..');

export function tmpDir(prefix = 'bn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A runtime over the test engine in a fresh home dir. */
export async function openEngineRuntime(homeDir = tmpDir()): Promise<{ runtime: Runtime; homeDir: string }> {
  const runtime = await Runtime.open({ homeDir, libraryPath: testEngineLibraryPath() });
  return { runtime, homeDir };
}

let facadeRoot: string | undefined;

/**
 * The TypeScript facade transpiled to CommonJS in a scratch package (build/
 * and node_modules/ symlinked to the repo's), for plain `node` children and
 * worker threads, which cannot load .ts files. Returns the package root;
 * `require(root + '/dist/index.js')` gives what `require('boxlite-native')` would.
 */
export function facadePackage(): string {
  if (facadeRoot) return facadeRoot;
  const root = tmpDir('bn-facade-');
  const dist = path.join(root, 'dist');
  const transpileDir = (from: string, to: string): void => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) {
        transpileDir(source, path.join(to, entry.name));
      } else if (entry.name.endsWith('.ts')) {
        const out = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
          fileName: entry.name,
        });
        fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), out.outputText);
      }
    }
  };
  transpileDir(path.join(repoRoot, 'lib'), dist);
  fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync(path.join(repoRoot, 'build'), path.join(root, 'build'), 'dir');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  facadeRoot = root;
  return root;
}

export interface NodeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node -e script` (or a file) and collects everything; kills it after `timeoutMs`. */
export function runNode(
  args: string[],
  { env = {}, timeoutMs = 30_000, cwd = repoRoot }: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<NodeResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A script prelude for children: the facade, the engine path and a fresh home dir. */
export function childPrelude(): string {
  const root = facadePackage();
  return [
    `const bn = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});`,
    `const testing = require(${JSON.stringify(path.join(root, 'dist', 'testing.js'))});`,
    `const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');`,
    `const libraryPath = testing.testEngineLibraryPath();`,
    `const newHome = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bn-child-'));`,
  ].join('\n');
}

/**
 * For a child script after childPrelude(): `rssMiB()` (this process's RSS)
 * and `retainedMiB()`, what it retains: RSS after a full GC and the allocator
 * trim the runtime runs after one (not a peak that counts uncollected garbage).
 * Needs `node --expose-gc`.
 */
export function retainedMemoryPrelude(): string {
  return [
    `const addon = require(${JSON.stringify(path.join(facadePackage(), 'dist', 'runtime', 'native.js'))}).loadAddon();`,
    `const rssMiB = () => Math.round(Number(/^VmRSS:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024);`,
    'const retainedMiB = async () => {',
    '  global.gc();',
    '  await new Promise((r) => setImmediate(r));',
    '  global.gc();',
    '  await addon.releaseFreedMemory();',
    '  return rssMiB();',
    '};',
  ].join('\n');
}
