// The server's API key, out of reach of the commands the test engine runs.
// A command is a host process of the same user: it can read
// /proc/<server>/environ, which shows the environment the server was started
// with (unsetting a variable does not change it). The CLI erases
// BOXLITE_API_KEY from that block once read, and --api-key-file keeps the key
// out of the environment altogether. README "Security".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startCli, stopCli } from './cli-support';
import { attach, attachUrl } from './http-support';
import { type Server, srv } from './load-support';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-api-key-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What a command run by `server` sees: its own environment and the server's /proc files (its parent). */
async function seenByCommand(server: Server, key: string): Promise<string> {
  const auth = { Authorization: `Bearer ${key}` };
  const box = await srv.createBox(server.origin, auth);
  const script = 'env; echo ---; tr "\\0" "\\n" < /proc/$PPID/environ; echo ---; tr "\\0" " " < /proc/$PPID/cmdline; echo; '
    + 'echo parent=$PPID';
  const r = await srv.request(`${server.origin}/v1/boxes/${box}/exec`, {
    method: 'POST', headers: auth, body: JSON.stringify({ command: 'sh', args: ['-c', script] }),
  });
  expect(r.status).toBe(201);
  const session = await attach(attachUrl(server.origin, box, r.json.execution_id), auth);
  expect((await session.closed).exitCode).toBe(0);
  const out = session.stdout();
  // The command's parent is the server itself: what it read is the server's.
  expect(out).toContain(`parent=${server.pid}`);
  return out;
}

describe('the API key is not readable by the commands the server runs', () => {
  it('BOXLITE_API_KEY: erased from /proc/<server>/environ, and still required', async () => {
    const key = `env-key-${process.pid}-${Date.now()}`;
    const server = await srv.startServer({ env: { BOXLITE_API_KEY: key, CANARY_VARIABLE: 'still-here' } });
    try {
      // Before: the key was there, whatever process.env said.
      const environ = fs.readFileSync(`/proc/${server.pid}/environ`, 'latin1');
      expect(environ).not.toContain(key);
      expect(environ).toContain('CANARY_VARIABLE=still-here'); // only that entry was erased
      expect(server.stderr()).not.toContain('could not be erased');
      const seen = await seenByCommand(server, key);
      expect(seen).not.toContain(key);
      expect(seen).not.toContain('BOXLITE_API_KEY');
      expect(seen).toContain('CANARY_VARIABLE=still-here');
      expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(401);
      expect((await srv.request(`${server.origin}/v1/boxes`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('--api-key-file: the key is never in the environment nor on the command line', async () => {
    const key = `file-key-${process.pid}-${Date.now()}`;
    const file = path.join(work, 'key');
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
    const cli = await startCli(['--engine', 'test', '--api-key-file', file], { BOXLITE_API_KEY: undefined });
    const server = { origin: cli.origin, pid: cli.child.pid };
    try {
      expect(cli.stdout()).toContain('auth: bearer token (--api-key-file)');
      expect(fs.readFileSync(`/proc/${server.pid}/environ`, 'latin1')).not.toContain(key);
      expect(fs.readFileSync(`/proc/${server.pid}/cmdline`, 'latin1')).not.toContain(key);
      expect(await seenByCommand(server, key)).not.toContain(key);
      expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(401);
      expect((await srv.request(`${server.origin}/v1/boxes`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    } finally {
      await stopCli(cli);
    }
  });

  it('--api-key-file refuses an empty or unreadable file, and --auth beside it (exit 1)', () => {
    const empty = path.join(work, 'empty');
    fs.writeFileSync(empty, ' \n');
    const env = { ...process.env, BOXLITE_API_KEY: undefined };
    for (const [args, message] of [
      [['--api-key-file', empty], 'is empty'],
      [['--api-key-file', path.join(work, 'missing')], 'cannot read'],
      [['--api-key-file', empty, '--auth', 'none'], 'exclude each other'],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, 'serve', '--engine', 'test', '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000, env });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(message);
    }
  });
});
