// OpenTelemetry (issue 18), recorded with the real SDK and its in-memory
// exporters: http.server.request.duration (seconds) with the HTTP semantic
// conventions' attributes, server spans named `{method} {route}`, the
// gauges and counters, per handler and process-wide (instrumentOpenTelemetry)
// without double counting; and the package working, and saying what is
// missing, where @opentelemetry/api is not installed.
import { spawnSync } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import path from 'node:path';
import { SpanKind, propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality, type DataPoint, type Histogram, InMemoryMetricExporter, MeterProvider, type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentOpenTelemetry } from '../lib/observability/instrument';
import { type Served, createBox, postJson, request, serve, startExec, until } from './http-support';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Sdk {
  meterProvider: MeterProvider;
  tracerProvider: BasicTracerProvider;
  spans: InMemorySpanExporter;
  /** Everything recorded so far (cumulative), by instrument name. */
  metrics(): Promise<Map<string, MetricData>>;
}

function sdk(): Sdk {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  cleanups.push(() => meterProvider.shutdown(), () => tracerProvider.shutdown());
  return {
    meterProvider, tracerProvider, spans,
    async metrics() {
      exporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const rm of exporter.getMetrics()) {
        for (const sm of rm.scopeMetrics) for (const m of sm.metrics) byName.set(m.descriptor.name, m);
      }
      return byName;
    },
  };
}

async function served(options: Parameters<typeof serve>[0] = {}): Promise<Served> {
  const s = await serve(options);
  cleanups.push(() => s.close());
  return s;
}

function point(m: MetricData | undefined, attrs: Record<string, unknown>): DataPoint<unknown> | undefined {
  return (m?.dataPoints as DataPoint<unknown>[] | undefined)?.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
}

function value(m: MetricData | undefined, attrs: Record<string, unknown> = {}): number | undefined {
  return point(m, attrs)?.value as number | undefined;
}

describe('per handler (openTelemetry option)', () => {
  it('records http.server.request.duration in seconds with method, route, status and error.type, and a server span per request', async () => {
    const o = sdk();
    const s = await served({ handler: { openTelemetry: { meterProvider: o.meterProvider, tracerProvider: o.tracerProvider } } });
    const boxId = await createBox(s.origin);
    const missing = await request(`${s.origin}/v1/boxes/no-such-box`);
    expect(missing.status).toBe(404);
    await until(() => o.spans.getFinishedSpans().length >= 2, 5000, 'two spans');
    const metrics = await o.metrics();
    const duration = metrics.get('http.server.request.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    const created = point(duration, { 'http.request.method': 'POST', 'http.route': '/v1/{prefix}/boxes', 'http.response.status_code': 201 });
    expect(created).toBeDefined();
    const h = created!.value as Histogram;
    expect(h.count).toBe(1);
    expect(h.sum).toBeGreaterThan(0);
    expect(h.sum).toBeLessThan(10); // seconds, not milliseconds
    expect(created!.attributes['error.type']).toBeUndefined();
    const notFound = point(duration, { 'http.route': '/v1/{prefix}/boxes/{box_id}', 'http.response.status_code': 404 });
    expect(notFound?.attributes['error.type']).toBe('not_found');
    expect(JSON.stringify(duration.dataPoints)).not.toContain(boxId);

    const spans = o.spans.getFinishedSpans();
    expect(spans.map((sp) => sp.name).sort()).toEqual(['GET /v1/{prefix}/boxes/{box_id}', 'POST /v1/{prefix}/boxes']);
    for (const sp of spans) {
      expect(sp.kind).toBe(SpanKind.SERVER);
      expect(sp.attributes['http.request.method']).toMatch(/^(GET|POST)$/);
    }
    const get = spans.find((sp) => sp.name.startsWith('GET'))!;
    expect(get.attributes['boxlite.request_id']).toBe(missing.headers['x-request-id']);
    expect(get.attributes['http.response.status_code']).toBe(404);
  });

  it('gauges follow the handler: running executions, boxes, limit rejections by option', async () => {
    const o = sdk();
    const s = await served({ handler: { maxExecutions: 1, openTelemetry: { meterProvider: o.meterProvider, tracerProvider: o.tracerProvider } } });
    const boxId = await createBox(s.origin);
    await createBox(s.origin);
    const execId = await startExec(s.origin, boxId, { command: 'sleep', args: ['30'] });
    expect((await postJson(`${s.origin}/v1/boxes/${boxId}/exec`, { command: 'true' })).status).toBe(429);
    let metrics = await o.metrics();
    expect(value(metrics.get('boxlite.executions.running'))).toBe(1);
    expect(value(metrics.get('boxlite.boxes'))).toBe(2);
    expect(value(metrics.get('boxlite.attach.sockets'))).toBe(0);
    expect(value(metrics.get('boxlite.file_transfers'))).toBe(0);
    expect(value(metrics.get('boxlite.limit.rejections'), { 'boxlite.limit': 'maxExecutions' })).toBe(1);
    expect(value(metrics.get('boxlite.output.spilled'))).toBe(0);
    expect((await request(`${s.origin}/v1/boxes/${boxId}/executions/${execId}`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => value((await o.metrics()).get('boxlite.executions.running')) === 0, 5000, 'the gauge back at 0');
    metrics = await o.metrics();
    expect(value(metrics.get('boxlite.executions.running'))).toBe(0);
  });

  it('a request carrying traceparent gets a server span in that trace (with the propagator the application registered)', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    cleanups.push(() => propagation.disable());
    const o = sdk();
    const s = await served({ handler: { openTelemetry: { meterProvider: o.meterProvider, tracerProvider: o.tracerProvider } } });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    expect((await request(`${s.origin}/v1/config`, { headers: { traceparent: `00-${traceId}-${parentId}-01` } })).status).toBe(200);
    expect((await request(`${s.origin}/v1/config`)).status).toBe(200);
    await until(() => o.spans.getFinishedSpans().length === 2, 5000, 'two spans');
    const [continued, root] = o.spans.getFinishedSpans();
    expect(continued.name).toBe('GET /v1/config');
    expect(continued.spanContext().traceId).toBe(traceId);
    expect(continued.parentSpanContext?.spanId).toBe(parentId);
    expect(root.spanContext().traceId).not.toBe(traceId);
    expect(root.parentSpanContext).toBeUndefined();
  });

  it('refuses an openTelemetry value that is not true/false/an object', async () => {
    await expect(served({ handler: { openTelemetry: 'yes' as unknown as boolean } })).rejects.toThrow(/openTelemetry must be/);
  });
});

describe('process-wide (instrumentOpenTelemetry)', () => {
  it('records every handler from the channels, and a handler with its own recorder only once', async () => {
    const global = sdk();
    const own = sdk();
    const stop = instrumentOpenTelemetry({ meterProvider: global.meterProvider, tracerProvider: global.tracerProvider });
    cleanups.push(stop);
    const plain = await served();
    const recording = await served({ handler: { openTelemetry: { meterProvider: own.meterProvider, tracerProvider: own.tracerProvider } } });
    await createBox(plain.origin);
    await createBox(recording.origin);
    await until(() => global.spans.getFinishedSpans().length >= 1 && own.spans.getFinishedSpans().length >= 1, 5000, 'spans');
    const g = await global.metrics();
    const mine = await own.metrics();
    const count = (m: Map<string, MetricData>) => ((point(m.get('http.server.request.duration'), { 'http.response.status_code': 201 })?.value as Histogram | undefined)?.count);
    expect(count(g)).toBe(1);
    expect(count(mine)).toBe(1);
    expect(global.spans.getFinishedSpans()).toHaveLength(1);
    expect(own.spans.getFinishedSpans()).toHaveLength(1);
    // Gauges: the global recorder reports the handlers without their own (one box each runtime).
    expect(value(g.get('boxlite.boxes'))).toBe(1);
    expect(value(mine.get('boxlite.boxes'))).toBe(1);

    stop();
    await createBox(plain.origin);
    const after = await global.metrics();
    expect(count(after)).toBe(1); // stopped: nothing more recorded
  });
});

describe('process-wide spans continue the request\'s trace', () => {
  it('a request carrying traceparent gets its span in that trace, though channel messages carry no headers', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    cleanups.push(() => propagation.disable());
    const global = sdk();
    const messages: object[] = [];
    const onMessage = (m: unknown) => { messages.push(m as object); };
    diagnosticsChannel.subscribe('boxlite:http.response', onMessage);
    cleanups.push(() => diagnosticsChannel.unsubscribe('boxlite:http.response', onMessage));
    const stop = instrumentOpenTelemetry({ meterProvider: global.meterProvider, tracerProvider: global.tracerProvider });
    cleanups.push(stop);
    const s = await served();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentId = 'b7ad6b7169203331';
    expect((await request(`${s.origin}/v1/config`, { headers: { traceparent: `00-${traceId}-${parentId}-01` } })).status).toBe(200);
    expect((await request(`${s.origin}/v1/boxes/no-such-box`)).status).toBe(404);
    await until(() => global.spans.getFinishedSpans().length === 2, 5000, 'two spans');
    const [continued, root] = global.spans.getFinishedSpans();
    expect(continued.name).toBe('GET /v1/config');
    expect(continued.spanContext().traceId).toBe(traceId);
    expect(continued.parentSpanContext?.spanId).toBe(parentId);
    expect(root.name).toBe('GET /v1/{prefix}/boxes/{box_id}');
    expect(root.spanContext().traceId).not.toBe(traceId);
    expect(root.parentSpanContext).toBeUndefined();
    // What subscribers see is unchanged: no header, no context in the message.
    expect(messages).toHaveLength(2);
    for (const m of messages) {
      expect(Object.keys(m).sort()).toEqual(['aborted', 'durationMs', 'errorCode', 'method', 'requestId', 'route', 'status']);
    }
    expect(JSON.stringify(messages)).not.toContain(parentId);

    stop();
    expect((await request(`${s.origin}/v1/config`, { headers: { traceparent: `00-${traceId}-${parentId}-01` } })).status).toBe(200);
    expect(global.spans.getFinishedSpans()).toHaveLength(2); // stopped: no capture, no span
  });
});

describe('without @opentelemetry/api installed', () => {
  it('the package loads and serves without it (and without prom-client); asking for OpenTelemetry says what to install', () => {
    const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
    if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run npm run build:ts`);
    // The child cannot resolve @opentelemetry/api, as on a machine where it is not installed.
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === '@opentelemetry/api') { const e = new Error("Cannot find module '@opentelemetry/api'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return resolve.call(this, request, ...rest);
      };
      const bn = require(${JSON.stringify(dist)});
      const loaded = Object.keys(require.cache).filter((f) => /prom-client|@opentelemetry/.test(f));
      const fakeRuntime = { createBox() {}, getBox() {}, listBoxes: async () => [], metrics: async () => ({}), closed: false };
      const handler = bn.createBoxliteHandler(fakeRuntime, { auth: 'none' });
      let optionError = null;
      try { bn.createBoxliteHandler(fakeRuntime, { auth: 'none', openTelemetry: true }); } catch (e) { optionError = e.message; }
      let globalError = null;
      try { bn.instrumentOpenTelemetry(); } catch (e) { globalError = e.message; }
      handler.close().then(() => console.log(JSON.stringify({ loaded, optionError, globalError, usage: handler.usage() })));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.loaded).toEqual([]);
    expect(out.optionError).toMatch(/@opentelemetry\/api is not installed: npm install @opentelemetry\/api/);
    expect(out.globalError).toMatch(/@opentelemetry\/api is not installed/);
    expect(out.usage).toEqual({ executionsRunning: 0, attachSockets: 0, fileTransfers: 0 });
  });

  it('package.json declares it an optional peer dependency, and the SDK only for development', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.peerDependencies['@opentelemetry/api']).toBeDefined();
    expect(pkg.peerDependenciesMeta['@opentelemetry/api']).toEqual({ optional: true });
    const runtimeDeps = Object.keys(pkg.dependencies);
    expect(runtimeDeps.filter((d) => d.startsWith('@opentelemetry/'))).toEqual([]);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['@opentelemetry/sdk-metrics', '@opentelemetry/sdk-trace-base']));
  });
});
