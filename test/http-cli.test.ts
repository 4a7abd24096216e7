// The `boxlite-native serve` command, run as a real child process (from the
// compiled dist/, which `npm test` builds first), driven by the official client.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, startCli, stopCli } from './cli-support';
import { expectEnvelope, request } from './http-support';

const start = startCli;
const stop = stopCli;

describe('boxlite-native serve --engine test', () => {
  it('serves the official client out of the box on loopback, warns loudly, stops cleanly on SIGTERM', async () => {
    const r = await start(['--engine', 'test'], { BOXLITE_API_KEY: undefined });
    let home = '';
    try {
      expect(r.stderr()).toMatch(/NOTHING IS ISOLATED/);
      expect(r.stderr()).toMatch(/no authentication \(loopback only\)/);
      home = /home: (\S+)/.exec(r.stdout())![1];
      expect(fs.existsSync(home)).toBe(true);
      const sdk = await import('@boxlite-ai/boxlite');
      const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: r.origin }));
      const box = await rt.create({ image: 'alpine:latest' });
      const ex = await box.exec('sh', ['-c', 'echo from-cli; exit 2'], null, false, null, null, null);
      expect(await (await ex.stdout()).next()).toBe('from-cli\n');
      expect((await ex.wait()).exitCode).toBe(2);
      expect((await request(`${r.origin}/v1/config`)).status).toBe(200);
      // No --prefix: any prefix is accepted, so a client with a (multi-segment) pathPrefix works as is.
      expect(r.stdout()).toContain('prefix: any (or none)');
      const prefixed = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: r.origin, pathPrefix: 'us-east/team-42' }));
      expect((await prefixed.getInfo(box.id)).id).toBe(box.id);
      const pex = await (await prefixed.get(box.id)).exec('echo', ['via-prefix'], null, false, null, null, null);
      expect(await (await pex.stdout()).next()).toBe('via-prefix\n');
      expect((await pex.wait()).exitCode).toBe(0);
    } finally {
      expect(await stop(r)).toBe(0);
    }
    expect(fs.existsSync(home)).toBe(false);
  });

  it('requires BOXLITE_API_KEY when it is set, and takes --prefix', async () => {
    const r = await start(['--engine', 'test', '--prefix', 'team/a'], { BOXLITE_API_KEY: 'cli-secret-key' });
    try {
      expect(r.stdout()).toContain('auth: bearer token (BOXLITE_API_KEY)');
      expect(r.stdout() + r.stderr()).not.toContain('cli-secret-key');
      expectEnvelope(await request(`${r.origin}/v1/team/a/boxes`), 401, 'unauthenticated');
      const ok = await request(`${r.origin}/v1/team/a/boxes`, { headers: { Authorization: 'Bearer cli-secret-key' } });
      expect(ok.status).toBe(200);
      expect((await request(`${r.origin}/v1/boxes`, { headers: { Authorization: 'Bearer cli-secret-key' } })).status).toBe(404);
    } finally {
      expect(await stop(r)).toBe(0);
    }
  });

  it('--prefix none serves /v1/boxes only; SIGINT stops it cleanly too', async () => {
    const r = await start(['--engine', 'test', '--prefix', 'none'], { BOXLITE_API_KEY: undefined });
    try {
      expect(r.stdout()).toContain('prefix: none');
      expect((await request(`${r.origin}/v1/boxes`)).status).toBe(200);
      expectEnvelope(await request(`${r.origin}/v1/team/a/boxes`), 404, 'not_found');
      // A request Node cannot parse still gets the envelope and an X-Request-Id.
      const net = await import('node:net');
      const raw = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(new URL(r.origin).port), '127.0.0.1');
        let got = '';
        sock.on('data', (c) => { got += c; });
        sock.on('close', () => resolve(got));
        sock.on('error', reject);
        sock.write('NOT HTTP AT ALL\r\n\r\n');
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_argument');
    } finally {
      r.child.kill('SIGINT');
      expect(await r.exited).toBe(0);
    }
  });
});

describe('boxlite-native: refusals', () => {
  const run = (args: string[], env: Record<string, string | undefined> = {}) => {
    const childEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    return spawnSync(process.execPath, [CLI, ...args], { env: childEnv, encoding: 'utf8', timeout: 20_000 });
  };

  it('will not serve a non-loopback address without authentication', () => {
    const r = run(['serve', '--engine', 'test', '--host', '0.0.0.0', '--port', '0'], { BOXLITE_API_KEY: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to serve 0\.0\.0\.0 without authentication/);
  });

  it('explains a missing libboxlite and points at --engine test', () => {
    const r = run(['serve', '--port', '0'], { BOXLITE_LIBRARY: '/nonexistent/libboxlite.so', BOXLITE_API_KEY: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot open the BoxLite runtime/);
    expect(r.stderr).toMatch(/--engine test/);
  });

  it('usage and bad flags', () => {
    expect(run(['--help']).stdout).toMatch(/Usage: boxlite-native serve/);
    const bad = run(['serve', '--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bogus/);
    expect(run(["serve", "--auth", "maybe"]).status).toBe(1);
    expect(run(["frobnicate"]).status).toBe(1);
  });
});
