// The diagnostics_channel events (issue 18), subscribed in-process as an
// operator's instrumentation would: one boxlite:http.response per answered
// request with a route template free of ids and prefixes, the boxlite:exec
// tracing channel around executions started over HTTP and through the
// embedding API, limit rejections, reaps and spilled output; and nothing
// done at all for requests nobody observes.
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBoxliteHandler, bearerTokenAuth } from '../lib/http';
import {
  CHANNEL_NAMES, type ExecReapMessage, type ExecTraceContext, type HttpResponseMessage, type LimitRejectionMessage,
  type OutputSpillMessage,
} from '../lib/observability/channels';
import { Runtime } from '../lib/runtime/runtime';
import { testEngineLibraryPath } from '../lib/testing';
import { type Served, attach, attachUrl, createBox, postJson, request, serve, startExec, until } from './http-support';
import { tmpDir } from './native-helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function collect<T>(name: string): T[] {
  const seen: T[] = [];
  const fn = (m: unknown) => { seen.push(m as T); };
  diagnosticsChannel.subscribe(name, fn);
  cleanups.push(() => diagnosticsChannel.unsubscribe(name, fn));
  return seen;
}

async function served(options: Parameters<typeof serve>[0] = {}): Promise<Served> {
  const s = await serve(options);
  cleanups.push(() => s.close());
  return s;
}

type TraceEvent = [phase: string, ctx: ExecTraceContext];

function traceExec(): TraceEvent[] {
  const events: TraceEvent[] = [];
  const channel = diagnosticsChannel.tracingChannel<ExecTraceContext>(CHANNEL_NAMES.exec);
  const handlers = {
    start: (c: ExecTraceContext) => events.push(['start', { ...c }]),
    end: (c: ExecTraceContext) => events.push(['end', { ...c }]),
    asyncStart: (c: ExecTraceContext) => events.push(['asyncStart', { ...c }]),
    asyncEnd: (c: ExecTraceContext) => events.push(['asyncEnd', { ...c }]),
    error: (c: ExecTraceContext) => events.push(['error', { ...c }]),
  };
  channel.subscribe(handlers);
  cleanups.push(() => channel.unsubscribe(handlers));
  return events;
}

describe('boxlite:http.response', () => {
  it('one message per answered request: request id, method, route template, status, error code, duration', async () => {
    const messages = collect<HttpResponseMessage>(CHANNEL_NAMES.httpResponse);
    const s = await served({ handler: { pathPrefix: '*' } });
    const created = await postJson(`${s.origin}/v1/tenant-a/boxes`, { image: 'alpine:latest' });
    expect(created.status).toBe(201);
    const boxId = created.json.box_id as string;
    const exec = await postJson(`${s.origin}/v1/tenant-a/boxes/${boxId}/exec`, { command: 'true' });
    expect(exec.status).toBe(201);
    const missing = await request(`${s.origin}/v1/boxes/no-such-box`);
    expect(missing.status).toBe(404);
    const unknown = await request(`${s.origin}/v1/nothing/here/at/all/really/deep`);
    expect(unknown.status).toBe(404);
    const bad = await postJson(`${s.origin}/v1/boxes`, { image: 42 });
    expect(bad.status).toBe(400);
    await until(() => messages.length >= 5, 5000, 'five messages');
    const byId = new Map(messages.map((m) => [m.requestId, m]));
    const of = (a: { headers: http.IncomingHttpHeaders }) => byId.get(a.headers['x-request-id'] as string)!;

    expect(of(created)).toMatchObject({ method: 'POST', route: '/v1/{prefix}/boxes', status: 201, errorCode: null, aborted: false });
    expect(of(exec)).toMatchObject({ method: 'POST', route: '/v1/{prefix}/boxes/{box_id}/exec', status: 201, errorCode: null });
    expect(of(missing)).toMatchObject({ method: 'GET', route: '/v1/{prefix}/boxes/{box_id}', status: 404, errorCode: 'not_found' });
    expect(of(unknown)).toMatchObject({ route: null, status: 404, errorCode: 'not_found' });
    expect(of(bad)).toMatchObject({ route: '/v1/{prefix}/boxes', status: 400, errorCode: 'invalid_argument' });
    for (const m of messages) {
      expect(m.durationMs).toBeGreaterThan(0);
      expect(m.durationMs).toBeLessThan(10_000);
      // No id and no prefix ever reaches a label.
      expect(m.route ?? '').not.toContain(boxId);
      expect(m.route ?? '').not.toContain('tenant-a');
    }
  });

  it('a refusal before any route (401, Host, Origin) is reported with its status and code, and carries no header', async () => {
    const messages = collect<HttpResponseMessage>(CHANNEL_NAMES.httpResponse);
    const s = await served({ handler: { authenticate: bearerTokenAuth('s3cret-token') } });
    const noAuth = await request(`${s.origin}/v1/boxes`, { headers: { Authorization: 'Bearer wrong-token' } });
    expect(noAuth.status).toBe(401);
    const cross = await request(`${s.origin}/v1/boxes`, { headers: { Authorization: 'Bearer s3cret-token', Origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    await until(() => messages.length >= 2, 5000, 'two messages');
    expect(messages.map((m) => [m.route, m.status, m.errorCode])).toEqual([
      ['/v1/{prefix}/boxes', 401, 'unauthenticated'],
      ['/v1/{prefix}/boxes', 403, 'permission_denied'],
    ]);
    const text = JSON.stringify(messages);
    expect(text).not.toContain('s3cret-token');
    expect(text).not.toContain('wrong-token');
    expect(text).not.toContain('evil.example');
  });

  it('a WebSocket attach is reported: 101 when accepted, the refusal otherwise', async () => {
    const messages = collect<HttpResponseMessage>(CHANNEL_NAMES.httpResponse);
    const s = await served();
    const boxId = await createBox(s.origin);
    const execId = await startExec(s.origin, boxId, { command: 'sh', args: ['-c', 'echo hi'] });
    const at = await attach(attachUrl(s.origin, boxId, execId));
    await at.closed;
    await until(() => messages.some((m) => m.status === 101), 5000, 'the 101 message');
    const upgrade = messages.find((m) => m.status === 101)!;
    expect(upgrade).toMatchObject({ method: 'GET', route: '/v1/{prefix}/boxes/{box_id}/executions/{exec_id}/attach', errorCode: null });
    await expect(attach(attachUrl(s.origin, boxId, 'no-such-exec'))).rejects.toThrow();
    await until(() => messages.some((m) => m.status === 404 && m.route?.endsWith('/attach')), 5000, 'the refused attach');
  });

  it('costs nothing when nobody listens: no close listener, no message; a late subscriber sees only later requests', async () => {
    const t = await (await import('../lib/testing')).openTestRuntime();
    cleanups.push(() => t.close());
    const handler = createBoxliteHandler(t.runtime, { auth: 'none' });
    cleanups.push(() => handler.close());
    const closeListeners: number[] = [];
    const server = http.createServer((req, res) => {
      const before = res.listenerCount('close');
      handler(req, res);
      closeListeners.push(res.listenerCount('close') - before);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(diagnosticsChannel.channel(CHANNEL_NAMES.httpResponse).hasSubscribers).toBe(false);
    expect((await request(`${origin}/v1/config`)).status).toBe(200);
    expect(closeListeners).toEqual([0]);
    const messages = collect<HttpResponseMessage>(CHANNEL_NAMES.httpResponse);
    const seen = await request(`${origin}/v1/config`);
    expect(closeListeners).toEqual([0, 1]);
    await until(() => messages.length === 1, 5000, 'one message');
    expect(messages[0]).toMatchObject({ requestId: seen.headers['x-request-id'], route: '/v1/config', status: 200 });
  });
});

describe('tracingChannel boxlite:exec', () => {
  it('over HTTP: start, end, then asyncStart/asyncEnd with the exit code; the execution id is the API one', async () => {
    const events = traceExec();
    const s = await served();
    const boxId = await createBox(s.origin);
    const execId = await startExec(s.origin, boxId, { command: 'sh', args: ['-c', 'exit 3'] });
    await until(() => events.some(([p]) => p === 'asyncEnd'), 10_000, 'the execution to end');
    expect(events.map(([p]) => p)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    const [, start] = events[0];
    expect(start).toMatchObject({ boxId, command: 'sh', executionId: execId, tty: false });
    expect(start.exitCode).toBeUndefined();
    expect(events[3][1]).toMatchObject({ boxId, executionId: execId, exitCode: 3 });
    // Arguments and environment never reach the context (they may hold secrets).
    expect(JSON.stringify(events)).not.toContain('exit 3');
  });

  it('through the embedding API too; a command that cannot start publishes error with it', async () => {
    const runtime = await Runtime.open({ homeDir: tmpDir(), libraryPath: testEngineLibraryPath() });
    cleanups.push(() => runtime.close());
    const events = traceExec();
    const box = await runtime.createBox({ image: 'alpine:latest' });
    const execution = await box.exec('sh', ['-c', 'echo out; exit 0']);
    execution.stdout.resume();
    execution.stderr.resume();
    expect(await execution.wait()).toBe(0);
    await until(() => events.some(([p]) => p === 'asyncEnd'), 5000, 'asyncEnd');
    expect(events.map(([p, c]) => [p, c.executionId])).toEqual([
      ['start', execution.id], ['end', execution.id], ['asyncStart', execution.id], ['asyncEnd', execution.id],
    ]);
    expect(events[3][1].exitCode).toBe(0);

    events.length = 0;
    await expect(box.exec('/no/such/binary-here')).rejects.toThrow();
    await until(() => events.some(([p]) => p === 'asyncEnd'), 5000, 'asyncEnd of the failed exec');
    expect(events.map(([p]) => p)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(events[2][1].error).toBeInstanceOf(Error);
    expect(events[2][1].exitCode).toBeUndefined();
  });
});

describe('limit rejections, reaps and spilled output', () => {
  it('a 429 from a cap publishes boxlite:limit.rejection with the option, its value and what was held', async () => {
    const rejections = collect<LimitRejectionMessage>(CHANNEL_NAMES.limitRejection);
    const responses = collect<HttpResponseMessage>(CHANNEL_NAMES.httpResponse);
    const s = await served({ handler: { maxExecutions: 1 } });
    const boxId = await createBox(s.origin);
    const first = await startExec(s.origin, boxId, { command: 'sleep', args: ['5'] });
    const refused = await postJson(`${s.origin}/v1/boxes/${boxId}/exec`, { command: 'true' });
    expect(refused.status).toBe(429);
    expect(rejections).toEqual([{ limit: 'maxExecutions', max: 1, current: 1 }]);
    await until(() => responses.some((m) => m.status === 429), 5000, 'the 429 message');
    expect(responses.find((m) => m.status === 429)).toMatchObject({ errorCode: 'resource_exhausted', route: '/v1/{prefix}/boxes/{box_id}/exec' });
    await request(`${s.origin}/v1/boxes/${boxId}/executions/${first}`, { method: 'DELETE' });
  });

  it('an idle execution reaped publishes boxlite:exec.reap', async () => {
    const reaps = collect<ExecReapMessage>(CHANNEL_NAMES.execReap);
    const s = await served({ handler: { execIdleTimeoutMs: 300, execReapGraceMs: 200 } });
    const boxId = await createBox(s.origin);
    const execId = await startExec(s.origin, boxId, { command: 'sleep', args: ['30'] });
    await until(() => reaps.length === 1, 10_000, 'the reap');
    expect(reaps[0]).toEqual({ boxId, executionId: execId, idleTimeoutMs: 300 });
  });

  it('output nobody reads goes to disk: boxlite:output.spill at completion, and the runtime counts the bytes', async () => {
    const spills = collect<OutputSpillMessage>(CHANNEL_NAMES.outputSpill);
    const runtime = await Runtime.open({
      homeDir: tmpDir(), libraryPath: testEngineLibraryPath(), limits: { maxBufferedOutputBytes: 64 * 1024 },
    });
    cleanups.push(() => runtime.close());
    expect(runtime.outputStats().spilledBytesTotal).toBe(0);
    const box = await runtime.createBox({ image: 'alpine:latest' });
    // 2 MiB of output, unread until the process exited: past 64 KiB it spills.
    const execution = await box.exec('sh', ['-c', 'head -c 2097152 /dev/zero']);
    await execution.exited();
    const spilledWhileUnread = runtime.outputStats().spilledBytesTotal;
    expect(spilledWhileUnread).toBeGreaterThan(1024 * 1024);
    let read = 0;
    execution.stdout.on('data', (c: Buffer) => { read += c.length; });
    execution.stderr.resume();
    await execution.wait();
    expect(read).toBe(2 * 1024 * 1024);
    await until(() => spills.length === 1, 5000, 'the spill message');
    expect(spills[0]).toEqual({ boxId: box.id, executionId: execution.id, spilledBytes: spilledWhileUnread });
    expect(runtime.outputStats().bufferedBytes).toBe(0);
  });
});
