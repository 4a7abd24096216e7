// The OpenTelemetry options' type, kept apart from the recorder so that this
// package's declarations never name @opentelemetry/api (an optional peer):
// a TypeScript user without it installed still compiles.

/** Where to record. Both default to the global providers (what the SDK registered). */
export interface OpenTelemetryOptions {
  /** A MeterProvider (e.g. the SDK's); default `metrics.getMeterProvider()`. */
  meterProvider?: { getMeter(name: string, version?: string): unknown };
  /** A TracerProvider; default `trace.getTracerProvider()`. */
  tracerProvider?: { getTracer(name: string, version?: string): unknown };
}
