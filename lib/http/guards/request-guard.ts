// The checks every request and WebSocket upgrade under /v1 passes before
// authentication or any route: Host (DNS rebinding), Origin and Fetch
// Metadata (pages on other origins), and dot segments in the path. Refusals
// are plain HttpStatusErrors, answered with BoxLite's envelope like any other
// error; the security-relevant ones (Host, Origin) are also reported to
// `onRefusal`, rate-limited by default.
import type { IncomingMessage } from 'node:http';
import { dotSegmentProblem } from './dot-segments';
import { type AllowedHostsOption, type HostPolicy, hostProblem, makeHostPolicy } from './host-guard';
import type { HttpStatusError } from '../protocol/http-error';
import { type RateLimitedLog, rateLimitedLog } from './log-limiter';
import { type OriginPolicy, makeOriginPolicy, originProblem } from './origin-guard';

/** A request refused by the Host or Origin checks. Carries no request headers beyond the offending value. */
export interface RefusalEvent {
  requestId: string;
  status: number;
  /** The answer's message (names the refused Origin/Host, JSON-quoted and truncated). */
  message: string;
  method: string;
  /** true for a WebSocket upgrade. */
  upgrade: boolean;
}

export interface RequestGuardOptions {
  allowedOrigins?: readonly string[];
  allowedHosts?: AllowedHostsOption;
  /** auth: 'none' turns the Host check on by default. */
  noAuth: boolean;
  onRefusal?: (event: RefusalEvent) => void;
}

export interface RequestGuard {
  readonly origins: OriginPolicy;
  readonly hosts: HostPolicy;
  /** The refusal for `req` (path after /v1/ given), or null. Reports Host/Origin refusals. */
  check(req: IncomingMessage, afterV1: string, requestId: string, upgrade: boolean): HttpStatusError | null;
  close(): void;
}

export function makeRequestGuard(options: RequestGuardOptions): RequestGuard {
  const origins = makeOriginPolicy(options.allowedOrigins);
  const hosts = makeHostPolicy(options.allowedHosts, options.noAuth);
  if (options.onRefusal !== undefined && typeof options.onRefusal !== 'function') {
    throw new TypeError('onRefusal must be a function (event) => void');
  }
  // Refusals go to onRefusal, or by default to stderr through a rate limiter
  // (a page can send refused requests in a loop).
  let limited: RateLimitedLog | undefined;
  let report: (event: RefusalEvent) => void;
  if (options.onRefusal !== undefined) {
    report = options.onRefusal;
  } else {
    const log = rateLimitedLog((line) => process.stderr.write(`[boxlite-native] ${line}\n`));
    limited = log;
    report = (e: RefusalEvent) => {
      log(`refused-${e.status}`, `refused ${e.upgrade ? 'WebSocket upgrade' : e.method} (request ${e.requestId}): ${e.status} ${e.message}`);
    };
  }
  return {
    origins,
    hosts,
    check(req, afterV1, requestId, upgrade) {
      const refusal = hostProblem(req, hosts) ?? originProblem(req, origins);
      if (refusal !== null) {
        try {
          report({ requestId, status: refusal.status, message: refusal.message, method: req.method ?? 'GET', upgrade });
        } catch { /* a logger must not break the answer */ }
        return refusal;
      }
      return dotSegmentProblem(afterV1);
    },
    close() {
      limited?.close();
    },
  };
}
