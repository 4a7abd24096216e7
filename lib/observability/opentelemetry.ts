// OpenTelemetry for the REST handler, through @opentelemetry/api only (an
// optional peer dependency: loaded here, on opt-in, never at require time).
// The application brings the SDK and its exporters, as OpenTelemetry asks of
// libraries; without an SDK registered the API's no-op providers record
// nothing.
//
// Opt in per handler (`createBoxliteHandler(runtime, { openTelemetry: true })`)
// or for every handler in the process (`instrumentOpenTelemetry()`), which
// records from the diagnostics channels. A handler with its own recorder is
// not counted twice by the global one.
import type { IncomingMessage } from 'node:http';
import type * as OtelApi from '@opentelemetry/api';
import type { HttpResponseMessage, LimitRejectionMessage } from './channels';
import { type ObservedHandler, countBoxes, totalUsage } from './live-handlers';
import { methodLabel } from './method-label';
import type { OpenTelemetryOptions } from './otel-options';


/** http.server.request.duration's buckets, as the HTTP semantic conventions advise (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const SCOPE = 'boxlite-native';

function loadOpenTelemetryApi(): typeof OtelApi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as typeof OtelApi;
  } catch {
    throw new TypeError('OpenTelemetry was asked for (openTelemetry option or instrumentOpenTelemetry()), '
      + 'but @opentelemetry/api is not installed: npm install @opentelemetry/api');
  }
}

/** The attributes of one answered request (HTTP semantic conventions). */
export function requestAttributes(m: HttpResponseMessage): Record<string, string | number> {
  const attributes: Record<string, string | number> = {
    'http.request.method': methodLabel(m.method),
    'http.response.status_code': m.status,
  };
  if (m.route !== null) attributes['http.route'] = m.route;
  // error.type: BoxLite's error code for an error answer; the status for a
  // 5xx without one; 'aborted' when the client left first.
  const errorType = m.errorCode ?? (m.status >= 500 ? String(m.status) : m.aborted ? 'aborted' : undefined);
  if (errorType !== undefined) attributes['error.type'] = errorType;
  return attributes;
}

/** Records requests, limit rejections, reaps and the handlers' gauges with one meter and tracer. */
export class OpenTelemetryRecorder {
  readonly #api: typeof OtelApi;
  readonly #tracer: OtelApi.Tracer;
  readonly #meter: OtelApi.Meter;
  readonly #duration: OtelApi.Histogram;
  readonly #rejections: OtelApi.Counter;
  readonly #reaps: OtelApi.Counter;
  readonly #observables: OtelApi.Observable[];
  readonly #observe: OtelApi.BatchObservableCallback;

  /** `handlers`: whose gauges to report (one handler, or every live one). */
  constructor(options: OpenTelemetryOptions, handlers: () => readonly ObservedHandler[]) {
    const api = loadOpenTelemetryApi();
    this.#api = api;
    const meterProvider = (options.meterProvider ?? api.metrics.getMeterProvider()) as OtelApi.MeterProvider;
    const tracerProvider = (options.tracerProvider ?? api.trace.getTracerProvider()) as OtelApi.TracerProvider;
    const meter = meterProvider.getMeter(SCOPE);
    this.#meter = meter;
    this.#tracer = tracerProvider.getTracer(SCOPE);
    this.#duration = meter.createHistogram('http.server.request.duration', {
      unit: 's', description: 'Duration of HTTP server requests.', advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#rejections = meter.createCounter('boxlite.limit.rejections', {
      unit: '{rejection}', description: 'Requests refused with 429 by a handler cap; attribute boxlite.limit names the option.',
    });
    this.#reaps = meter.createCounter('boxlite.exec.reaps', {
      unit: '{execution}', description: 'Executions reaped because nobody attached or polled.',
    });
    const running = meter.createObservableGauge('boxlite.executions.running', { unit: '{execution}', description: 'Executions started through the handler and still running.' });
    const sockets = meter.createObservableGauge('boxlite.attach.sockets', { unit: '{socket}', description: 'WebSockets attached to executions.' });
    const transfers = meter.createObservableGauge('boxlite.file_transfers', { unit: '{transfer}', description: 'File uploads and downloads in progress.' });
    const boxes = meter.createObservableGauge('boxlite.boxes', { unit: '{box}', description: 'Boxes in the runtime.' });
    const spilled = meter.createObservableCounter('boxlite.output.spilled', { unit: 'By', description: 'Unread execution output written to spill files.' });
    const buffered = meter.createObservableGauge('boxlite.output.buffered', { unit: 'By', description: 'Unread execution output held in memory.' });
    this.#observables = [running, sockets, transfers, boxes, spilled, buffered];
    this.#observe = async (result) => {
      const live = handlers();
      const usage = totalUsage(live);
      result.observe(running, usage.executionsRunning);
      result.observe(sockets, usage.attachSockets);
      result.observe(transfers, usage.fileTransfers);
      let spilledBytes = 0;
      let bufferedBytes = 0;
      for (const runtime of new Set(live.map((h) => h.runtime))) {
        const stats = runtime.closed ? undefined : runtime.outputStats?.();
        spilledBytes += stats?.spilledBytesTotal ?? 0;
        bufferedBytes += stats?.bufferedBytes ?? 0;
      }
      result.observe(spilled, spilledBytes);
      result.observe(buffered, bufferedBytes);
      result.observe(boxes, await countBoxes(live));
    };
    meter.addBatchObservableCallback(this.#observe, this.#observables);
  }

  /**
   * The context a request's server span continues: the active one when
   * another instrumentation (e.g. @opentelemetry/instrumentation-http) has a
   * span current as the handler runs, else the one its `traceparent` carries
   * (through the registered propagator; none registered: a root span).
   */
  parentOf(req: IncomingMessage): OtelApi.Context {
    const api = this.#api;
    const active = api.context.active();
    if (api.trace.getSpan(active) !== undefined) return active;
    return api.propagation.extract(active, req.headers);
  }

  /** One answered request: the duration histogram and a server span named `{method} {route}`, child of `parent` (see parentOf). */
  recordResponse(m: HttpResponseMessage, parent?: unknown): void {
    const attributes = requestAttributes(m);
    this.#duration.record(m.durationMs / 1000, attributes);
    const endTime = Date.now();
    const method = attributes['http.request.method'] as string;
    const span = this.#tracer.startSpan(m.route === null ? method : `${method} ${m.route}`, {
      kind: this.#api.SpanKind.SERVER,
      startTime: endTime - m.durationMs,
      attributes: { ...attributes, 'boxlite.request_id': m.requestId },
    }, parent as OtelApi.Context | undefined);
    if (m.status >= 500) span.setStatus({ code: this.#api.SpanStatusCode.ERROR });
    span.end(endTime);
  }

  recordRejection(m: LimitRejectionMessage): void {
    this.#rejections.add(1, { 'boxlite.limit': m.limit });
  }

  recordReap(): void {
    this.#reaps.add(1);
  }

  /** Stops the gauges' callback (the instruments stay with their provider). */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#observe, this.#observables);
  }
}
