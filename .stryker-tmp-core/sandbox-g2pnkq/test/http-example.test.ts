// @ts-nocheck
// examples/express-service.js, run as a real process (it loads the package by
// name, i.e. the compiled dist/ that `npm test` builds first) and driven by
// the official client through its /boxlite mount.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { expectEnvelope, request } from './http-support';

// A package layout holding dist/ (override only to try a private build).
const ROOT = process.env.BOXLITE_NATIVE_EXAMPLE_ROOT ?? path.resolve(__dirname, '..');

it('the Express example serves its own routes and BoxLite under /boxlite', async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build:ts` (npm test does)');
  const child = spawn(process.execPath, [path.join(ROOT, 'examples', 'express-service.js')], {
    env: { ...process.env, BOXLITE_ENGINE: 'test', PORT: '0', BOXLITE_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${err}`)), 15_000);
      child.stderr!.on('data', (c) => { err += c; });
      child.stdout!.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code}; stderr: ${err}`)); });
    });
    expect((await request(`${origin}/health`)).json).toEqual({ ok: true, executions: 0 });
    const sdk = await import('@boxlite-ai/boxlite');
    const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: `${origin}/boxlite` }));
    const box = await rt.create({ image: 'alpine:latest' });
    const ex = await box.exec('echo', ['embedded'], null, false, null, null, null);
    expect(await (await ex.stdout()).next()).toBe('embedded\n');
    expect((await ex.wait()).exitCode).toBe(0);
    expect((await request(`${origin}/api/boxes/${box.id}/summary`)).json).toMatchObject({ id: box.id });
    expectEnvelope(await request(`${origin}/api/boxes/missing/summary`), 404, 'not_found');
    expectEnvelope(await request(`${origin}/boxlite/v1/boxes/missing`), 404, 'not_found');
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
  }
});
