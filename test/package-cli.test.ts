// The CLI points of issue 10: --version, base-path normalisation, --library,
// the warning for a secret on the command line, and stopping when the npm
// process that started it dies. Real child processes from the compiled dist/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning } from './process-state';

const repo = path.resolve(__dirname, '..');
const CLI = path.join(repo, 'dist', 'cli.js');
if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:ts\` (npm test does) before this suite`);
const VERSION = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.npm_lifecycle_event;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return spawnSync(process.execPath, [CLI, ...args], { env: childEnv, encoding: 'utf8', timeout: 30_000 });
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); }).on('error', reject);
  });
}

const isAlive = isRunning;

describe('boxlite-native CLI', () => {
  it('--version / -v / serve --version print the package version', () => {
    for (const args of [['--version'], ['-v'], ['serve', '--version']]) {
      const r = cli(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
    expect(cli(['--help']).stdout).toMatch(/--version/);
  });

  it('--library: a missing file is named in the error; not with --engine test', () => {
    const r = cli(['serve', '--port', '0', '--library', '/nonexistent/libboxlite-x.so'], { BOXLITE_API_KEY: undefined, BOXLITE_LIBRARY: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/libboxlite-x\.so/);
    expect(r.stderr).toMatch(/serve --library \/path\/to\/libboxlite\.so/);
    const both = cli(['serve', '--engine', 'test', '--library', '/x.so']);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/exclude each other/);
    expect(cli(["serve", "--base-path", "api"]).status).toBe(1);
  });

  it('--base-path /api/ serves /api/v1 and prints that URL; --auth token=... warns about ps', async () => {
    const env = { ...process.env };
    delete env.npm_lifecycle_event;
    const child = spawn(process.execPath, [CLI, 'serve', '--engine', 'test', '--port', '0', '--base-path', '/api/', '--auth', 'token=s3cret-doc'], {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${err}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /at (http:\/\/\S+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        });
        void exited.then(() => { clearTimeout(timer); reject(new Error(`exited: ${err}`)); });
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/$/);
      expect(await get(`${url}config`)).toBe(200);
      expect(err).toMatch(/WARNING: --auth token=\.\.\. puts the secret on the command line/);
      expect(err).not.toContain('s3cret-doc');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('under npm, stops when its parent dies without forwarding a signal (kill -9 of npm)', async () => {
    // A stand-in for npm: starts the server the way `npm run serve` does
    // (npm_lifecycle_event set), prints its pid, then is SIGKILLed.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, [${JSON.stringify(CLI)}, 'serve', '--engine', 'test', '--port', '0'],
        { env: { ...process.env, npm_lifecycle_event: 'serve' }, stdio: ['ignore', 'ignore', 'inherit'] });
      console.log(c.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    parent.stderr.on('data', (c) => { stderr += c; });
    const serverPid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (c) => {
        buf += c;
        const m = /^(\d+)\n/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      parent.on('exit', () => reject(new Error('the stand-in parent exited early')));
    });
    // Wait until it serves (its banner is not visible here: poll for the warning it prints first).
    for (let i = 0; i < 200 && !/NOTHING IS ISOLATED/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(serverPid)).toBe(true);
    parent.kill('SIGKILL');
    let alive = true;
    for (let i = 0; i < 200 && alive; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alive = isAlive(serverPid);
    }
    if (alive) process.kill(serverPid, 'SIGKILL');
    expect(alive).toBe(false);
  });
});
