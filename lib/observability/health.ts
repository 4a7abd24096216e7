// GET /healthz and GET /readyz, outside /v1: what a load balancer or an
// orchestrator probes. /healthz: the process serves (200). /readyz: the
// engine answers (200), else 503. No authentication and no data beyond the
// status, so no Host/Origin check is needed to keep anything secret; and
// nothing can be done through them: only GET and HEAD are answered (405
// otherwise), and a probe flood costs at most one engine call per second.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../runtime/runtime-types';

export interface HealthCheckOptions {
  /** How long /readyz waits for the engine before answering 503 (default 2 s). */
  readyTimeoutMs?: number;
  /** How long one engine answer is reused (default 1 s): probes cannot multiply engine calls. */
  cacheMs?: number;
}

export interface HealthCheck {
  /** Answers /healthz and /readyz; returns false (touching nothing) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** From now on /readyz answers 503 (shutting down: take this instance out of rotation). */
  drain(): void;
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export function createHealthCheck(runtime: Runtime, options: HealthCheckOptions = {}): HealthCheck {
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 1_000;
  let draining = false;
  let probe: Promise<boolean> | null = null;
  let probedAt = -Infinity;

  /** One engine call at a time, its answer reused for cacheMs. */
  function engineAnswers(): Promise<boolean> {
    if (probe !== null && performance.now() - probedAt < cacheMs) return probe;
    probedAt = performance.now();
    probe = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), readyTimeoutMs);
      timer.unref();
      runtime.metrics().then(() => { clearTimeout(timer); resolve(true); }, () => { clearTimeout(timer); resolve(false); });
    });
    return probe;
  }

  return {
    handle(req, res) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/healthz' && path !== '/readyz') return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        answer(req, res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
        return true;
      }
      if (path === '/healthz') {
        answer(req, res, 200, 'ok\n');
        return true;
      }
      if (draining || runtime.closed) {
        answer(req, res, 503, 'not ready\n');
        return true;
      }
      engineAnswers().then((ok) => {
        if (res.destroyed) return;
        answer(req, res, ok && !draining ? 200 : 503, ok && !draining ? 'ready\n' : 'not ready\n');
      }, () => undefined);
      return true;
    },
    drain() {
      draining = true;
    },
  };
}
