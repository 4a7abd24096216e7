// /readyz's decisions (issue 18) over a real HTTP server and the test
// engine: 200 while the engine answers, 503 when it fails (injected fault),
// when it does not answer in time, when the runtime is closed and once
// draining; and a probe flood costs one engine call per cache period.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthCheck, type HealthCheckOptions } from '../lib/observability/health';
import type { Runtime } from '../lib/runtime/runtime-types';
import { openTestRuntime } from '../lib/testing';
import { request } from './http-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function healthServer(runtime: Runtime, options?: HealthCheckOptions) {
  const health = createHealthCheck(runtime, options);
  const server = http.createServer((req, res) => {
    if (!health.handle(req, res)) res.writeHead(418).end('not a health route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { health, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('/readyz', () => {
  it('200 while the engine answers, 503 while it fails, 200 again once it recovers', async () => {
    const t = await openTestRuntime();
    cleanups.push(() => t.close());
    const { origin } = await healthServer(t.runtime, { cacheMs: 1 });
    expect((await request(`${origin}/readyz`)).status).toBe(200);
    t.injectFault({ op: 'runtime_metrics', code: 12, times: 'forever' });
    await new Promise((r) => setTimeout(r, 5));
    const failing = await request(`${origin}/readyz`);
    expect(failing.status).toBe(503);
    expect(failing.text).toBe('not ready\n'); // no engine message leaks out
    expect((await request(`${origin}/healthz`)).status).toBe(200); // the process still serves
    t.clearFaults();
    await new Promise((r) => setTimeout(r, 5));
    expect((await request(`${origin}/readyz`)).status).toBe(200);
  });

  it('503 when the engine does not answer within readyTimeoutMs, when the runtime is closed, and once draining', async () => {
    const hanging = { closed: false, metrics: () => new Promise(() => undefined) } as unknown as Runtime;
    const { origin } = await healthServer(hanging, { readyTimeoutMs: 100 });
    const started = performance.now();
    expect((await request(`${origin}/readyz`)).status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);

    const t = await openTestRuntime();
    const { origin: o2, health } = await healthServer(t.runtime);
    expect((await request(`${o2}/readyz`)).status).toBe(200);
    health.drain();
    expect((await request(`${o2}/readyz`)).status).toBe(503);
    expect((await request(`${o2}/healthz`)).status).toBe(200);
    const { origin: o3 } = await healthServer(t.runtime);
    await t.close();
    expect((await request(`${o3}/readyz`)).status).toBe(503);
  });

  it('a flood of probes makes one engine call per cache period; other paths are left to the next listener', async () => {
    let calls = 0;
    const counting = { closed: false, metrics: async () => { calls++; return {}; } } as unknown as Runtime;
    const { origin } = await healthServer(counting, { cacheMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(`${origin}/readyz`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(calls).toBe(1);
    expect((await request(`${origin}/readyz?verbose=1`)).status).toBe(200);
    expect((await request(`${origin}/readyz/x`)).status).toBe(418);
    expect((await request(`${origin}/v1/healthz`)).status).toBe(418);
    const del = await request(`${origin}/readyz`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(calls).toBe(1);
  });
});
