// createBoxliteHandler: BoxLite's REST API v1 as one `(req, res, next?)`
// function. It works as Express 4/5 or Connect middleware (app.use(handler),
// or under a mount path) and as a bare http.createServer(handler) listener,
// using Node core request/response APIs only. `handler.upgrade` serves the
// WebSocket attach; `handler.close()` ends every session and timer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { UnsupportedError } from '../errors/errors';
import type { Runtime } from '../runtime/runtime-types';
import { readJsonBody } from './protocol/body';
import { contentTypeProblem } from './guards/content-type';
import { applyCors, allowedOriginOf } from './guards/origin-guard';
import { type RefusalEvent, makeRequestGuard } from './guards/request-guard';
import type { AllowedHostsOption } from './guards/host-guard';
import { IdempotencyStore } from './guards/idempotency';
import { PageTokens } from './protocol/pagination';
import { ANONYMOUS_PRINCIPAL, type Authenticate, type Authorize, type Principal } from './guards/auth';
import { createWebSocketServer, rejectUpgrade, upgradeToSession } from './exec/attach';
import { DEFAULT_REUSE_MS, RecentBoxes } from './boxes/recent-boxes';
import * as boxes from './boxes/box-routes';
import type { HandlerState, ResolvedOptions, Route, RouteContext } from './routing/context';
import { getConfig, getMe } from './boxes/discovery-routes';
import * as execs from './exec/exec-routes';
import { downloadFiles, uploadFiles } from './files/file-routes';
import { sweepStaleStaging } from './files/staging-owner';
import { httpError, methodNotAllowed, permissionDenied, unauthenticated } from './protocol/http-error';
import { normalizeBasePath, splitUrl } from './routing/paths';
import { type PathPrefixOption, makePrefixPolicy } from './routing/prefix';
import { requestIdFor } from './protocol/request-id';
import { type ErrorContext, sendError } from './protocol/respond';
import { type RouteMatch, type RouteName, actionFor, allowedMethods, matchRoute } from './routing/router';
import { Limits, defaultMaxExecutions } from './guards/limits';
import { SessionRegistry } from './exec/sessions';
import { OpenTelemetryRecorder } from '../observability/opentelemetry';
import type { OpenTelemetryOptions } from '../observability/otel-options';
import { RequestObserver } from '../observability/request-observer';
import { makeReapReporter, makeRejectionReporter, recordedByHandler } from '../observability/handler-events';
import { type HandlerUsage, type ObservedHandler, registerHandler, unregisterHandler } from '../observability/live-handlers';

export interface BoxliteHandlerOptions {
  /**
   * Returns the caller's principal, or null/undefined for "not authenticated"
   * (401). Required unless `auth: 'none'`. See bearerTokenAuth().
   */
  authenticate?: Authenticate;
  /** Serve without authentication. Must be said explicitly: there is no accidental open server. */
  auth?: 'none';
  /** Return false to answer 403 permission_denied. Gets the action and the route's prefix/ids. */
  authorize?: Authorize;
  /** The `{prefix}` slot: undefined (none), a prefix, a list of them, or '*' (any). See prefix.ts. */
  pathPrefix?: PathPrefixOption;
  /** Mount path for URLs that arrive unrewritten (bare http server, WebSocket upgrades), e.g. '/api'. */
  basePath?: string;
  /** Largest JSON body in bytes (default 1 MiB). */
  jsonLimit?: number;
  /** Largest file upload in bytes (default 1 GiB). */
  filesLimit?: number;
  /** Largest total size of the files an upload extracts, whatever the compression (default: filesLimit). */
  maxExtractedBytes?: number;
  /** Largest disk use a download may stage before it is refused with 413 (default: filesLimit). */
  maxDownloadStagingBytes?: number;
  /** Running executions started through this handler, in total (default 512, lower when RLIMIT_NOFILE is low). */
  maxExecutions?: number;
  /** Running executions per box (default 64). */
  maxExecutionsPerBox?: number;
  /** Boxes in the runtime; a create past it answers 429 (default 256). */
  maxBoxes?: number;
  /** Attached WebSockets, in total (default 256). */
  maxAttachSockets?: number;
  /** File uploads and downloads in progress, in total (default 16). */
  maxFileTransfers?: number;
  /** Close an attached WebSocket that has not answered a Ping for this long (default 2 x pingIntervalMs; at least pingIntervalMs). */
  pongTimeoutMs?: number;
  /** Reap an exec nobody attached to or polled for this long (default 5 min). */
  execIdleTimeoutMs?: number;
  /** Between the reaper's SIGHUP and SIGKILL (default 10 s). */
  execReapGraceMs?: number;
  /**
   * How long a box looked up for an exec is reused by the next exec or attach
   * naming it, instead of asking the engine again (default 2000 ms; 0: ask
   * every time). See README "Production-shaped benchmark (`npm run bench:load`) and where the speed comes from".
   */
  boxReuseMs?: number;
  /** WebSocket keep-alive Ping period (default 15 s; one Ping is also sent right after the upgrade). */
  pingIntervalMs?: number;
  /** Unread output kept per exec before its streams are paused (default 8 MiB). */
  maxBufferedOutputBytes?: number;
  /**
   * Error frames one attached WebSocket gets (refused stdin, bad control
   * frames); the last one says so and the socket is closed with 1008, the
   * execution goes on (default 1024).
   */
  maxErrorFramesPerSocket?: number;
  /**
   * Unread output kept by all execs together before streams are paused (default 16 MiB). Past it, output waits
   * in the runtime (its own memory window, then spill files), outside the JS heap: a larger total moves more
   * of it into Buffers the garbage collector has to walk (at 100 concurrent streams, 64 MiB here cost 5-9%
   * more server CPU per MiB and ~25% more peak RSS than 16 MiB; docs/benchmarks.md).
   */
  maxBufferedOutputTotalBytes?: number;
  /** false: 5xx answers carry a generic message instead of the engine's (default true, as BoxLite's servers). */
  exposeInternal?: boolean;
  /** Where file transfers are staged (default os.tmpdir()). */
  tmpDir?: string;
  /**
   * Called for every 5xx answer (with its X-Request-Id) and for background
   * errors (requestId 'background': a failed kill, a reaper signal). Default:
   * one line on stderr. Never given request headers. See README "Operating it".
   */
  onError?: (err: unknown, requestId: string) => void;
  /**
   * Record this handler's requests, caps and gauges with OpenTelemetry
   * (@opentelemetry/api, an optional peer dependency: install it to use this).
   * true: the global providers; or give a meterProvider / tracerProvider.
   * Default off. For every handler at once, see instrumentOpenTelemetry().
   */
  openTelemetry?: boolean | OpenTelemetryOptions;
  /**
   * Web origins allowed to call the API (e.g. ['http://localhost:3000'] for a
   * web UI), answered with CORS headers. Default none: any request carrying
   * another Origin, or `Sec-Fetch-Site: cross-site|same-site`, gets 403.
   */
  allowedOrigins?: readonly string[];
  /**
   * Host names (HTTP/2: the :authority) answered besides loopback addresses
   * and localhost on the port the request arrived on: 'name', 'name:port', '.domain' (and subdomains),
   * IP literals, or '*' for no Host check. Default: with auth 'none' only
   * loopback/localhost are answered (421 otherwise); with authenticate, any
   * Host unless this is given.
   */
  allowedHosts?: AllowedHostsOption;
  /** Called for requests refused by the Host/Origin checks. Default: a rate-limited line on stderr. */
  onRefusal?: (event: RefusalEvent) => void;
  /** How long an Idempotency-Key's answer is kept, from its first use (default 24 h; GET /v1/config reports it). */
  idempotencyKeyLifetimeMs?: number;
  /** Most Idempotency-Keys kept at once (default 10 000). See idempotency.ts for what happens when full. */
  maxIdempotencyKeys?: number;
  /** Most bytes of kept Idempotency-Key answers (default 32 MiB). */
  maxIdempotencyBytes?: number;
}

export type NextFunction = (err?: unknown) => void;

export interface BoxliteHandler {
  /**
   * One request, from node:http(s), Express/Connect, or node:http2's
   * compatibility API (http2.createServer(handler), createSecureServer with
   * allowHTTP1): Http2ServerRequest/Response have the same shape where the
   * handler reads and writes them.
   */
  (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, next?: NextFunction): void;
  /** Serve a WebSocket upgrade. Returns false when the URL is not under /v1 (someone else's upgrade). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Kill every execution, close every socket, clear every timer. Does not close the runtime. */
  close(): Promise<void>;
  /** Executions currently tracked. */
  readonly activeExecutions: number;
  /** What the handler holds right now: running executions, attached sockets, file transfers (for gauges). */
  usage(): HandlerUsage;
}

type Admitted = { match: RouteMatch; principal: Principal };
/** Admitted, or the refusal to answer. */
type Admission = Admitted | Error;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
    && typeof (value as { then?: unknown }).then === 'function';
}

const ROUTES: Readonly<Record<Exclude<RouteName, 'unsupported'>, Readonly<Record<string, Route>>>> = {
  config: { GET: getConfig, HEAD: getConfig },
  me: { GET: getMe, HEAD: getMe },
  boxes: { GET: boxes.listBoxes, HEAD: boxes.listBoxes, POST: boxes.createBox },
  box: { GET: boxes.getBox, HEAD: boxes.headBox, DELETE: boxes.removeBox },
  'box.start': { POST: boxes.startBox },
  'box.stop': { POST: boxes.stopBox },
  'box.exec': { POST: execs.startExec },
  'box.metrics': { GET: boxes.boxMetrics, HEAD: boxes.boxMetrics },
  'box.files': { GET: downloadFiles, PUT: uploadFiles },
  execution: { GET: execs.getExecution, HEAD: execs.getExecution, DELETE: execs.killExecution },
  'execution.attach': { GET: execs.attachWithoutUpgrade },
  'execution.signal': { POST: execs.signalExecution },
  'execution.resize': { POST: execs.resizeExecution },
  metrics: { GET: boxes.runtimeMetrics, HEAD: boxes.runtimeMetrics },
};

const MIB = 1 << 20;
/** What a route refused synchronously hands the Idempotency-Key store: nothing left to wait for. */
const SETTLED: Promise<void> = Promise.resolve();
/** Error frames per attached socket before it is closed (1008): about 300 KiB of answers at most. */
const DEFAULT_MAX_ERROR_FRAMES = 1024;

function positive(value: number | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`createBoxliteHandler: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(value: number | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`createBoxliteHandler: ${name} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

function positiveInteger(value: number | undefined, name: string, dflt: number): number {
  const n = positive(value, name, dflt);
  if (!Number.isInteger(n)) throw new TypeError(`createBoxliteHandler: ${name} must be a positive integer, got ${String(value)}`);
  return n;
}

function defaultOnError(err: unknown, requestId: string): void {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`[boxlite-native] request ${requestId}: ${message}\n`);
}

function checkRuntime(runtime: unknown): asserts runtime is Runtime {
  const r = runtime as Partial<Runtime> | null;
  if (r === null || typeof r !== 'object' || typeof r.createBox !== 'function' || typeof r.getBox !== 'function') {
    throw new TypeError('createBoxliteHandler: the first argument must be a Runtime (e.g. await Runtime.open())');
  }
}

function resolveAuth(options: BoxliteHandlerOptions): Authenticate {
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new TypeError('createBoxliteHandler: authenticate must be a function (req) => principal | null');
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new TypeError('createBoxliteHandler: authorize must be a function (principal, req, action, details) => boolean');
  }
  if (options.auth !== undefined && options.auth !== 'none') {
    throw new TypeError(`createBoxliteHandler: auth accepts only 'none'; use authenticate for credentials`);
  }
  if (options.authenticate && options.auth === 'none') {
    throw new TypeError("createBoxliteHandler: give either authenticate or auth: 'none', not both");
  }
  if (options.authenticate) return options.authenticate;
  if (options.auth === 'none') return () => ANONYMOUS_PRINCIPAL;
  throw new TypeError(
    'createBoxliteHandler: no authentication configured. Pass authenticate (for example '
    + "bearerTokenAuth(process.env.BOXLITE_API_KEY)) or, for a trusted network only, auth: 'none'.");
}

export function createBoxliteHandler(runtime: Runtime, options: BoxliteHandlerOptions = {}): BoxliteHandler {
  checkRuntime(runtime);
  const authenticate = resolveAuth(options);
  const authorize = options.authorize;
  const basePath = normalizeBasePath(options.basePath);
  const onError = options.onError ?? defaultOnError;
  const filesLimit = positive(options.filesLimit, 'filesLimit', 1024 * MIB);
  const resolved: ResolvedOptions = {
    jsonLimit: positive(options.jsonLimit, 'jsonLimit', MIB),
    filesLimit,
    maxExtractedBytes: positive(options.maxExtractedBytes, 'maxExtractedBytes', filesLimit),
    maxDownloadStagingBytes: positive(options.maxDownloadStagingBytes, 'maxDownloadStagingBytes', filesLimit),
    exposeInternal: options.exposeInternal !== false,
    tmpDir: options.tmpDir ?? tmpdir(),
    prefixPolicy: makePrefixPolicy(options.pathPrefix),
    onError,
  };
  const backgroundError = (err: unknown) => onError(err, 'background');
  const pingIntervalMs = positive(options.pingIntervalMs, 'pingIntervalMs', 15_000);
  const pongTimeoutMs = positive(options.pongTimeoutMs, 'pongTimeoutMs', 2 * pingIntervalMs);
  if (pongTimeoutMs < pingIntervalMs) {
    throw new TypeError(`createBoxliteHandler: pongTimeoutMs (${pongTimeoutMs}) must be at least pingIntervalMs (${pingIntervalMs})`);
  }
  if (options.openTelemetry !== undefined && typeof options.openTelemetry !== 'boolean'
    && (options.openTelemetry === null || typeof options.openTelemetry !== 'object')) {
    throw new TypeError('createBoxliteHandler: openTelemetry must be true, false or { meterProvider, tracerProvider }');
  }
  const observed: ObservedHandler = {
    runtime,
    ownRecorder: Boolean(options.openTelemetry),
    usage: () => {
      const u = limits.usage();
      return { executionsRunning: u.executions, attachSockets: u.attachSockets, fileTransfers: u.fileTransfers };
    },
  };
  const otel = options.openTelemetry
    ? new OpenTelemetryRecorder(options.openTelemetry === true ? {} : options.openTelemetry, () => [observed])
    : null;
  const observer = new RequestObserver(resolved.prefixPolicy, otel === null ? null : {
    record: (message, parent) => {
      recordedByHandler.add(message);
      otel.recordResponse(message, parent);
    },
    parentOf: (req) => otel.parentOf(req),
  });
  const idleTimeoutMs = positive(options.execIdleTimeoutMs, 'execIdleTimeoutMs', 5 * 60_000);
  const limits = new Limits({
    maxExecutions: positiveInteger(options.maxExecutions, 'maxExecutions', defaultMaxExecutions()),
    maxExecutionsPerBox: positiveInteger(options.maxExecutionsPerBox, 'maxExecutionsPerBox', 64),
    maxBoxes: positiveInteger(options.maxBoxes, 'maxBoxes', 256),
    maxAttachSockets: positiveInteger(options.maxAttachSockets, 'maxAttachSockets', 256),
    maxFileTransfers: positiveInteger(options.maxFileTransfers, 'maxFileTransfers', 16),
  }, makeRejectionReporter(otel));
  const sessions = new SessionRegistry({
    idleTimeoutMs,
    reapGraceMs: positive(options.execReapGraceMs, 'execReapGraceMs', 10_000),
    pingIntervalMs,
    maxBufferedBytes: positive(options.maxBufferedOutputBytes, 'maxBufferedOutputBytes', 8 * MIB),
    maxBufferedTotalBytes: positive(options.maxBufferedOutputTotalBytes, 'maxBufferedOutputTotalBytes', 16 * MIB),
    maxErrorFrames: positiveInteger(options.maxErrorFramesPerSocket, 'maxErrorFramesPerSocket', DEFAULT_MAX_ERROR_FRAMES),
  }, backgroundError, makeReapReporter(otel, idleTimeoutMs));
  const guard = makeRequestGuard({
    allowedOrigins: options.allowedOrigins,
    allowedHosts: options.allowedHosts,
    noAuth: options.auth === 'none',
    onRefusal: options.onRefusal,
  });
  const idempotency = new IdempotencyStore({
    lifetimeMs: positive(options.idempotencyKeyLifetimeMs, 'idempotencyKeyLifetimeMs', 24 * 3_600_000),
    maxEntries: positive(options.maxIdempotencyKeys, 'maxIdempotencyKeys', 10_000),
    maxBytes: positive(options.maxIdempotencyBytes, 'maxIdempotencyBytes', 32 * MIB),
  });
  const state: HandlerState = {
    runtime, sessions, limits, options: resolved, boxUsers: new Map(), boxUpdatedAt: new Map(),
    pageTokens: new PageTokens(), idempotency, recentBoxes: new RecentBoxes(runtime, nonNegative(options.boxReuseMs, 'boxReuseMs', DEFAULT_REUSE_MS)),
  };
  const wss = createWebSocketServer();
  let closed = false;
  // Staging left by a server that was killed (its transfers never finished):
  // removed in the background; live servers' staging is left alone.
  sweepStaleStaging(resolved.tmpDir).catch(backgroundError);

  // Every request id here comes from requestIdFor: plain, as rendered-errors.ts requires.
  const errorContext = (requestId: string): ErrorContext => ({
    requestId, requestIdIsPlain: true, exposeInternal: resolved.exposeInternal, onServerError: onError,
  });

  /**
   * Authentication, route, method and authorization: what a request must pass
   * before any work. Synchronous when the hooks are (no promise on the hot
   * path); a promise when a hook returns one. A refusal is returned, not
   * thrown (throwing from an I/O callback is expensive; see validate.ts); a
   * hook that throws still rejects, and that is answered too.
   */
  function admit(req: IncomingMessage, afterV1: string): Admission | Promise<Admission> {
    if (closed) return httpError(503, 'engine reported an error: this BoxLite handler is closed');
    // /v1/config is open by spec; everything else needs a principal first,
    // so unknown paths reveal nothing to anonymous callers.
    if (afterV1 === 'config') return check(req, afterV1, ANONYMOUS_PRINCIPAL);
    const principal = authenticate(req);
    if (isThenable(principal)) return Promise.resolve(principal).then((p) => check(req, afterV1, p));
    return check(req, afterV1, principal);
  }

  function check(req: IncomingMessage, afterV1: string, principal: Principal): Admission | Promise<Admission> {
    if (principal === null || principal === undefined) {
      return unauthenticated(req.headers.authorization === undefined
        ? 'missing credentials: send Authorization: Bearer <token>'
        : 'invalid credentials');
    }
    const method = req.method ?? 'GET';
    let match: RouteMatch | null;
    try {
      match = matchRoute(afterV1, resolved.prefixPolicy);
    } catch (err) {
      return err as Error; // a malformed or oversized id: 400
    }
    if (match === null) {
      const shown = afterV1.length > 200 ? `${afterV1.slice(0, 200)}...` : afterV1;
      return httpError(404, `not found: no route for ${method} /v1/${shown}`);
    }
    if (match.name === 'unsupported') return new UnsupportedError(`unsupported: ${match.feature}`);
    if (match.name === 'box' && method === 'POST' && match.boxId === 'import') {
      return new UnsupportedError('unsupported: import is not supported by this server (GET /v1/config: import_enabled=false)');
    }
    const action = actionFor(match.name, method);
    if (action === undefined) return methodNotAllowed(method, allowedMethods(match.name));
    const admitted: Admitted = { match, principal };
    if (action === null || !authorize) return admitted;
    const details = { prefix: match.prefix, boxId: match.boxId, execId: match.execId };
    const allowed = authorize(principal, req, action, details);
    const decide = (ok: boolean): Admission => (ok ? admitted : permissionDenied(action));
    return isThenable(allowed) ? Promise.resolve(allowed).then(decide) : decide(allowed);
  }

  function serve(req: IncomingMessage, res: ServerResponse, afterV1: string, query: string, requestId: string): void {
    const fail = (err: unknown): void => sendError(req, res, err, errorContext(requestId));
    const failIfRefused = (refusal: void | Error): void => {
      if (refusal instanceof Error) fail(refusal);
    };
    const run = ({ match, principal }: Admitted): void => {
      const wrongType = contentTypeProblem(req, match.name);
      if (wrongType !== null) {
        fail(wrongType);
        return;
      }
      const r = ROUTES[match.name as Exclude<RouteName, 'unsupported'>][req.method ?? 'GET'];
      const ctx: RouteContext = { req, res, requestId, match, query, principal, state };
      const runRoute = (input: unknown): Promise<void> => {
        let out: Promise<void | Error> | Error;
        try {
          out = r.run(ctx, input);
        } catch (err) {
          fail(err); // a bug in a route's synchronous part: still answered, as its rejection was
          return SETTLED;
        }
        if (out instanceof Error) {
          fail(out); // refused before any await: answered now, no promise made
          return SETTLED;
        }
        return out.then(failIfRefused, fail);
      };
      // Marked operations carrying an Idempotency-Key run at most once per key (idempotency.ts).
      const perform = (input: unknown, body: unknown): void => idempotency.perform(
        { req, match, principal, afterV1, query, body }, res, () => runRoute(input), fail);
      const parse = r.parse;
      if (parse === undefined) {
        perform(undefined, undefined);
        return;
      }
      readJsonBody(req, resolved.jsonLimit, (err, body) => {
        if (err) {
          fail(err);
          return;
        }
        let input: unknown;
        try {
          input = parse(body); // returns its refusal; a throw here would be a bug, still answered
        } catch (parseErr) {
          fail(parseErr);
          return;
        }
        if (input instanceof Error) fail(input);
        else perform(input, body);
      });
    };
    let admitted: Admission | Promise<Admission>;
    try {
      admitted = admit(req, afterV1);
    } catch (err) {
      fail(err); // a throwing authenticate/authorize hook
      return;
    }
    if (admitted instanceof Promise) admitted.then((a) => (a instanceof Error ? fail(a) : run(a)), fail);
    else if (admitted instanceof Error) fail(admitted);
    else run(admitted);
  }

  // Typed as node:http's request and response: an HTTP/2 compat request is
  // read and answered through the same fields (see BoxliteHandler).
  const handler = function boxliteHandler(req: IncomingMessage, res: ServerResponse, next?: NextFunction): void {
    const { afterV1, query } = splitUrl(req, basePath);
    if (afterV1 === null) {
      // Not ours: let the host app route it, or answer 404 when alone.
      if (typeof next === 'function') {
        next();
        return;
      }
      const requestId = requestIdFor(req);
      if (observer.active) observer.observe(req, res, requestId, null);
      sendError(req, res, httpError(404, 'not found: this server serves BoxLite REST API v1 under /v1'), errorContext(requestId));
      return;
    }
    const requestId = requestIdFor(req);
    if (observer.active) observer.observe(req, res, requestId, afterV1);
    const refusal = guard.check(req, afterV1, requestId, false);
    if (refusal !== null) {
      sendError(req, res, refusal, errorContext(requestId));
      return;
    }
    const corsOrigin = guard.origins.allowed.size === 0 ? undefined : allowedOriginOf(req, guard.origins);
    if (corsOrigin !== undefined && applyCors(req, res, corsOrigin, requestId)) return;
    serve(req, res, afterV1, query, requestId);
  } as BoxliteHandler;

  handler.upgrade = function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const { afterV1 } = splitUrl(req, basePath);
    if (afterV1 === null) return false;
    const requestId = requestIdFor(req);
    const ctx = errorContext(requestId);
    const observation = observer.active ? observer.observeUpgrade(req, requestId, afterV1) : null;
    if (observation !== null) ctx.onUpgradeRefused = (status, code) => observation.answered(status, code);
    // A reset during the handshake must not become an uncaught 'error' (ws
    // adds its own listener once it owns the socket; this one stays harmless).
    socket.on('error', () => undefined);
    // Browsers do not apply CORS to WebSockets: the Origin check is all there is.
    const refusal = guard.check(req, afterV1, requestId, true);
    if (refusal !== null) {
      rejectUpgrade(socket, refusal, ctx);
      return true;
    }
    Promise.resolve().then(() => admit(req, afterV1)).then(async (admission) => {
      if (admission instanceof Error) throw admission;
      const { match } = admission;
      if (match.name !== 'execution.attach') {
        throw httpError(400, `invalid argument: ${req.method} /v1/${afterV1} is not a WebSocket endpoint`);
      }
      // The route is box-scoped: the box must still exist (a box removed
      // behind this handler's back answers 404 here, as the spec says). The
      // POST exec just before has usually looked it up: reused, not asked
      // again (recent-boxes.ts says what that costs in freshness).
      await state.recentBoxes.get(match.boxId as string);
      upgradeToSession(wss, sessions, match.boxId as string, match.execId as string, req, socket, head, ctx,
        { limits, pongTimeoutMs, onUpgraded: observation === null ? undefined : () => observation.answered(101, null) });
    }).catch((err) => rejectUpgrade(socket, err, ctx));
    return true;
  };

  handler.close = async function close(): Promise<void> {
    closed = true;
    unregisterHandler(observed);
    otel?.close();
    guard.close();
    idempotency.clear();
    state.recentBoxes.clear();
    await sessions.closeAll();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };

  Object.defineProperty(handler, 'activeExecutions', { get: () => sessions.size, enumerable: true });
  handler.usage = observed.usage;
  registerHandler(observed);
  return handler;
}
