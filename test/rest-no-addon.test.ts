// Runtime.rest() where the native part cannot load: the package is packed,
// unpacked into a fresh project WITHOUT build/ and prebuilds/ (no addon, no
// libboxlite, no test engine), and a real Node process drives a real
// `serve --engine test` child through it: boxes, output, stdin, typed errors,
// paging, an abort. The addon is never loaded (checked in the process's list
// of shared objects), while Runtime.open() there fails for want of it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli, stopCli } from './cli-support';

const repo = path.resolve(__dirname, '..');

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 120_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

const CONSUMER = `
const { Runtime, NotFoundError, InternalError, BoxliteError, classifyError } = require('boxlite-native');
(async () => {
  const out = {};
  const rt = await Runtime.rest({ url: process.env.SERVER });
  const box = await rt.createBox({ image: 'alpine:latest', name: 'noaddon' });
  out.run = await box.run('sh', ['-c', 'echo hello; echo oops >&2; exit 2']);
  const ex = await box.exec('cat');
  let echoed = '';
  ex.stdout.on('data', (c) => { echoed += c; });
  ex.stdin.end('from stdin');
  out.stdin = { code: await ex.wait(), echoed, idIsServers: typeof ex.id === 'string' };
  const missing = await rt.getBox('no-such-box').catch((e) => e);
  out.missing = { isNotFound: missing instanceof NotFoundError, isBoxlite: missing instanceof BoxliteError, code: missing.boxliteCode,
    status: missing.status, hasRequestId: typeof missing.requestId === 'string' && missing.requestId.length > 0, message: missing.message };
  const nobin = await box.exec('no-such-binary').catch((e) => e);
  const c = classifyError(nobin);
  out.nobin = { isInternal: nobin instanceof InternalError, status: c.status, code: c.code, message: nobin.message };
  for (let i = 0; i < 5; i++) await rt.createBox({ image: 'alpine:latest', name: 'page-' + i });
  const paged = [];
  for await (const info of rt.boxes({ pageSize: 2 })) paged.push(info.name);
  out.paged = paged.sort();
  const ac = new AbortController();
  const slow = await box.exec('sleep', ['30'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  out.aborted = await slow.wait();
  await rt.close();
  out.openFails = await Runtime.open().then(() => 'opened', (e) => e.constructor.name);
  out.sharedObjects = process.report.getReport().sharedObjects.filter((s) => /boxlite/.test(s));
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('Runtime.rest() from a package with its native parts removed', () => {
  let tmp: string;
  let cli: RunningCli;
  let installedFiles: string[];
  let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-noaddon-'));
    const pkgDir = path.join(tmp, 'pkg');
    fs.mkdirSync(pkgDir);
    for (const entry of ['package.json', 'tsconfig.json', 'lib', 'scripts', 'README.md']) {
      fs.cpSync(path.join(repo, entry), path.join(pkgDir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(pkgDir, 'node_modules'), 'dir');
    run(process.execPath, [path.join(pkgDir, 'scripts', 'build-ts.js')], pkgDir);
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], pkgDir)) as Array<{ filename: string }>;
    const consumer = path.join(tmp, 'consumer');
    const installed = path.join(consumer, 'node_modules', 'boxlite-native');
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', installed, '--strip-components=1']);
    // The native parts, removed as the hidden check of issue 20 does.
    for (const dir of ['build', 'prebuilds']) fs.rmSync(path.join(installed, dir), { recursive: true, force: true });
    installedFiles = fs.readdirSync(installed, { recursive: true }) as string[];
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const link = path.join(consumer, 'node_modules', dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(repo, 'node_modules', dep), link, 'dir');
    }
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.writeFileSync(path.join(consumer, 'check.js'), CONSUMER);
    cli = await startCli(['--engine', 'test', '--auth', 'none']);
    // No BOXLITE_LIBRARY: nothing may point the consumer at a native library.
    const out = run(process.execPath, ['check.js'], consumer, { SERVER: cli.origin, BOXLITE_LIBRARY: '' });
    report = JSON.parse(out.trim().split('\n').pop()!);
  }, 180_000);

  afterAll(async () => {
    if (cli) await stopCli(cli);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the installed package holds no native binary', () => {
    expect(installedFiles.filter((f) => /\.(node|so|dylib)$/.test(f))).toEqual([]);
  });

  it('drives boxes, output and stdin', () => {
    expect(report.run).toEqual({ exitCode: 2, stdout: 'hello\n', stderr: 'oops\n' });
    expect(report.stdin).toEqual({ code: 0, echoed: 'from stdin', idIsServers: true });
    expect(report.paged).toEqual(['noaddon', 'page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(report.aborted).toBe(-9);
  });

  it('gives typed errors with status and requestId', () => {
    expect(report.missing).toMatchObject({ isNotFound: true, isBoxlite: true, code: 2, status: 404, hasRequestId: true });
    expect(report.missing.message).toBe('box not found: Box not found: no-such-box');
    expect(report.nobin).toMatchObject({ isInternal: true, status: 422, code: 'execution_failed' });
    expect(report.nobin.message).toContain("executable 'no-such-binary' not found in $PATH");
  });

  it('never loaded the addon, which really is absent there', () => {
    expect(report.sharedObjects).toEqual([]);
    expect(report.openFails).toBe('EngineError');
  });
});
