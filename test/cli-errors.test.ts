// `boxlite-native` when something is wrong: each failure is a short message in
// the user's terms (flags, ports, environment variables, not JS options) and
// exit status 1; a wildcard bind prints addresses a client can use.
import { spawnSync } from 'node:child_process';
import net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { CLI, startCli, stopCli, type RunningCli } from './cli-support';

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  delete childEnv.npm_lifecycle_event;
  return spawnSync(process.execPath, [CLI, ...args], { env: childEnv, encoding: 'utf8', timeout: 20_000 });
}

const POINTER = "Run 'boxlite-native --help' for the options and examples.";

describe('boxlite-native: argument mistakes', () => {
  it.each([
    [['serve', '--bogus'], 'boxlite-native: unknown option --bogus'],
    [['serve', '-x'], 'boxlite-native: unknown option -x'],
    [['serve', 'extra'], 'boxlite-native: unexpected argument extra'],
    [['frobnicate'], 'boxlite-native: unknown command "frobnicate" (the command is serve)'],
  ])('%j: one line, a pointer to --help, exit 1', (args, line) => {
    const r = run(args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n${POINTER}\n`);
  });

  it('--help ends with runnable examples, and every option in them exists', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
    expect(examples).toMatch(/npx boxlite-native serve --engine test\n/);
    const options = new Set([...r.stdout.slice(0, r.stdout.indexOf('Examples:')).matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]));
    for (const [, flag] of examples.matchAll(/ (--[a-z-]+)/g)) expect(options, flag).toContain(flag);
    expect(r.stdout).not.toMatch(/\[--engine auto\|test\]/);
  });
});

describe('boxlite-native: libboxlite missing', () => {
  it('--library /nonexistent names the path and advises the flag, the environment and --engine test, not a JS option', () => {
    const r = run(['serve', '--port', '0', '--library', '/nonexistent/libboxlite.so'], { BOXLITE_API_KEY: undefined, BOXLITE_LIBRARY: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/libboxlite\.so \(--library\)/);
    expect(r.stderr).toMatch(/boxlite-native serve --library \/path\/to\/libboxlite\.so/);
    expect(r.stderr).toMatch(/BOXLITE_LIBRARY=\/path\/to\/libboxlite\.so/);
    expect(r.stderr).toMatch(/https:\/\/github\.com\/boxlite-ai\/boxlite\/releases/);
    expect(r.stderr).toMatch(/boxlite-native serve --engine test .*\n.*isolates nothing/);
    expect(r.stderr).not.toMatch(/libraryPath|Runtime\.open/);
  });
});

describe('boxlite-native: listening', () => {
  let cli: RunningCli | undefined;
  let blocker: net.Server | undefined;
  afterEach(async () => {
    if (cli) await stopCli(cli);
    cli = undefined;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  it('a taken port: says which port and what to do, exit 1, no raw listen error', async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = run(['serve', '--engine', 'test', '--port', String(port)], { BOXLITE_API_KEY: undefined });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const last = r.stderr.trim().split('\n').at(-1);
    expect(last).toBe(`boxlite-native: port ${port} is already in use on 127.0.0.1 (another server, or an earlier `
      + `boxlite-native serve, is listening on 127.0.0.1:${port}). Stop it, or choose another port: --port ${port + 1} `
      + '(--port 0 picks a free one).');
    expect(r.stderr).not.toMatch(/listen EADDRINUSE/);
  }, 30_000);

  it('an address that is not this machine\'s: says so, exit 1', () => {
    // 192.0.2.0/24 is TEST-NET-1 (documentation only): never assigned here, and nothing is sent to it.
    const r = run(['serve', '--engine', 'test', '--auth', 'none', '--host', '192.0.2.123', '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^boxlite-native: cannot listen on 192\.0\.2\.123:0: 192\.0\.2\.123 is not an address of this machine/);
  });

  it('--host 0.0.0.0 prints 127.0.0.1 (and each interface address), never 0.0.0.0', async () => {
    cli = await startCli(['--engine', 'test', '--host', '0.0.0.0'], { BOXLITE_API_KEY: 'cli-errors-key' });
    const banner = cli.stdout();
    expect(banner).toMatch(new RegExp(`^boxlite-native: serving BoxLite REST API v1 at http://127\\.0\\.0\\.1:${cli.port}/v1/\n`));
    expect(banner).not.toMatch(/0\.0\.0\.0/);
    const res = await fetch(`${cli.origin}/v1/config`);
    expect(res.status).toBe(200);
  }, 30_000);
});
