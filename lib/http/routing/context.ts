// What every route function gets: the request, its id, the matched route and
// the handler's shared state.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../../runtime/runtime-types';
import type { Principal } from '../guards/auth';
import type { Limits } from '../guards/limits';
import type { PrefixPolicy } from './prefix';
import type { RouteMatch } from './router';
import type { IdempotencyStore } from '../guards/idempotency';
import type { PageTokens } from '../protocol/pagination';
import type { SessionRegistry } from '../exec/sessions';
import type { RecentBoxes } from '../boxes/recent-boxes';

export interface ResolvedOptions {
  jsonLimit: number;
  filesLimit: number;
  /** Largest total of file bytes an upload may extract (whatever its compression). */
  maxExtractedBytes: number;
  /** Largest disk use a download may stage before it is refused. */
  maxDownloadStagingBytes: number;
  exposeInternal: boolean;
  tmpDir: string;
  prefixPolicy: PrefixPolicy;
  onError: (err: unknown, requestId: string) => void;
}

/** State shared by all requests of one handler. */
export interface HandlerState {
  runtime: Runtime;
  sessions: SessionRegistry;
  limits: Limits;
  options: ResolvedOptions;
  /** Box-level default exec user from create's `user` (the runtime has none). */
  boxUsers: Map<string, string>;
  /** When this server last changed a box's state (ms), for `updated_at`. */
  boxUpdatedAt: Map<string, number>;
  /** Signs and checks list page tokens (key made per handler). */
  pageTokens: PageTokens;
  /** Answers kept for Idempotency-Key replays (in memory, per handler). */
  idempotency: IdempotencyStore;
  /** Boxes looked up a moment ago, reused by exec and attach (recent-boxes.ts). */
  recentBoxes: RecentBoxes;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  match: RouteMatch;
  /** The raw query string (without '?'). */
  query: string;
  /** `query` parsed, on first use by queryParam (a listing reads up to three parameters). */
  params?: URLSearchParams;
  principal: Principal;
  state: HandlerState;
}

/** Route params are present for the routes that declare them; this narrows. */
export function boxIdOf(ctx: RouteContext): string {
  return ctx.match.boxId as string;
}

export function execIdOf(ctx: RouteContext): string {
  return ctx.match.execId as string;
}

/** `/v1/{prefix}/` as the client addressed it, for Location headers. */
export function basePathOf(ctx: RouteContext): string {
  return ctx.match.prefix === '' ? '/v1/' : `/v1/${ctx.match.prefix}/`;
}

export function queryParam(ctx: RouteContext, name: string): string | undefined {
  const query = ctx.query;
  if (query === '') return undefined;
  if (ctx.params === undefined && isPlainQuery(query)) return plainQueryParam(query, name);
  const v = (ctx.params ??= new URLSearchParams(query)).get(name);
  return v === null ? undefined : v;
}

/**
 * A query URLSearchParams would read as it is written: nothing to decode
 * (no '%', no '+') and no leading '?' (which it skips). Such a query is read
 * in place, without building the URLSearchParams object and its list.
 */
function isPlainQuery(query: string): boolean {
  return query.indexOf('%') === -1 && query.indexOf('+') === -1 && query.charCodeAt(0) !== 0x3f /* ? */;
}

/**
 * What `new URLSearchParams(query).get(name)` gives for a plain query: the
 * value of the first `&`-separated pair whose name (up to its first '=') is
 * `name`; '' for a pair without '='. test/query-params.test.ts compares the
 * two on every shape of pair.
 */
function plainQueryParam(query: string, name: string): string | undefined {
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const eq = query.indexOf('=', start);
    const nameEnd = eq === -1 || eq > end ? end : eq;
    if (nameEnd - start === name.length && query.startsWith(name, start) && end > start) {
      return nameEnd === end ? '' : query.slice(nameEnd + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * A route. Routes with a JSON body declare `parse`: it validates the body
 * synchronously, before any engine work, and returns the input or the error
 * to answer (it does not throw: see validate.ts), so a bad request is answered
 * in the tick its body ends and costs no engine call.
 */
export interface Route {
  parse?: (body: unknown) => unknown;
  /**
   * Answers the request, or resolves to the error to answer. Returning a
   * refusal instead of throwing it matters on hot error paths: a throw inside
   * an async function whose promise has no handler yet makes V8 build a
   * message object (see validate.ts), about 5 us a request. A route may also
   * return its refusal (an Error) synchronously, before any await: it is
   * then answered in the same tick, with no promise made at all (the
   * listing's query checks do; see syncRefusal).
   */
  run: (ctx: RouteContext, input: unknown) => Promise<void | Error> | Error;
}

export function route(run: (ctx: RouteContext) => Promise<void | Error> | Error): Route {
  return { run };
}

export function jsonRoute<T>(parse: (body: unknown) => T | Error, run: (ctx: RouteContext, input: T) => Promise<void | Error>): Route {
  return { parse, run: run as Route['run'] };
}
