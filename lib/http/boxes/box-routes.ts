// Box lifecycle and metrics routes: P/boxes, P/boxes/{id}, .../start, .../stop,
// P/metrics, P/boxes/{id}/metrics.
import { InvalidArgumentError, NotFoundError } from '../../errors/errors';
import type { Box } from '../../runtime/runtime-types';
import { type CreateBoxRequest, parseCreateBoxRequest } from './box-request';
import { toBoxJson, toBoxMetricsJson, toRuntimeMetricsJson } from './box-json';
import { type Route, type RouteContext, basePathOf, boxIdOf, jsonRoute, queryParam, route } from '../routing/context';
import { parseStopRequest } from '../exec/exec-request';
import { sendEmpty, sendJson } from '../protocol/respond';
import { type PageCursor, listingBinding, pageOf, parsePageSize } from '../protocol/pagination';
import { principalKey } from '../guards/principal-key';
import { invalid } from '../protocol/validate';

async function boxJson(ctx: RouteContext, box: Box): Promise<ReturnType<typeof toBoxJson>> {
  const info = await box.info();
  return toBoxJson(info, ctx.state.boxUpdatedAt.get(info.id));
}

const BOX_STATUSES: ReadonlySet<string> = new Set(['configured', 'running', 'stopping', 'stopped', 'paused', 'failed', 'unknown']);

/**
 * Paginated (see pagination.ts): `pageSize` 1..1000 (default 100), `pageToken`, `status` filter.
 * The query is checked before anything is awaited, and a bad one is returned
 * as it is (not as a promise): the handler answers it in the same tick.
 */
export const listBoxes: Route = route((ctx) => {
  const status = queryParam(ctx, 'status');
  if (status !== undefined && !BOX_STATUSES.has(status)) {
    return invalid(`status must be one of ${[...BOX_STATUSES].join(', ')}, got ${JSON.stringify(status.slice(0, 32))}`);
  }
  const pageSize = parsePageSize(queryParam(ctx, 'pageSize'));
  if (pageSize instanceof Error) return pageSize;
  const binding = listingBinding('boxes', ctx.match.prefix, principalKey(ctx.principal), { status });
  const token = queryParam(ctx, 'pageToken');
  // An empty pageToken= is "no token" (clients that always send the parameter).
  const after = token === undefined || token === '' ? null : ctx.state.pageTokens.verify(token, binding);
  if (after instanceof Error) return after;
  return listPage(ctx, status, pageSize, binding, after);
});

async function listPage(ctx: RouteContext, status: string | undefined, pageSize: number,
  binding: string, after: PageCursor | null): Promise<void> {
  const infos = await ctx.state.runtime.listBoxes();
  const page = pageOf(
    status === undefined ? infos : infos.filter((info) => info.status === status),
    (info) => ({ createdAt: info.createdAt, id: info.id }), pageSize, after);
  const body: { boxes: ReturnType<typeof toBoxJson>[]; next_page_token?: string } = {
    boxes: page.items.map((info) => toBoxJson(info, ctx.state.boxUpdatedAt.get(info.id))),
  };
  // Absent on the last page ("null or absent", and absent is valid under any reading of the schema).
  if (page.next !== null) body.next_page_token = ctx.state.pageTokens.sign(page.next, binding);
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, body);
}

export const createBox: Route = jsonRoute(parseCreateBoxRequest, async (ctx, request: CreateBoxRequest) => {
  const { limits, runtime } = ctx.state;
  const mark = limits.boxCountMark();
  const release = limits.acquireBoxCreation((await runtime.listBoxes()).length, mark); // 429 past maxBoxes
  let box;
  try {
    box = await runtime.createBox(request.options);
  } catch (err) {
    release(false);
    throw err;
  }
  release(true);
  if (request.user !== undefined) ctx.state.boxUsers.set(box.id, request.user);
  const json = await boxJson(ctx, box);
  sendJson(ctx.req, ctx.res, 201, ctx.requestId, json, {
    Location: `${basePathOf(ctx)}boxes/${encodeURIComponent(json.box_id)}`,
  });
});

// A missing box is the common failure here: its rejection is handed back as
// the refusal (see Route.run) instead of being rethrown by an await.
export const getBox: Route = route((ctx) => ctx.state.runtime.getBox(boxIdOf(ctx)).then(
  async (box) => sendJson(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, box)),
  refusalOf));

/** An Error rejection as the refusal the route resolves to (answered the same); anything else stays a rejection. */
function refusalOf(err: unknown): Error {
  if (err instanceof Error) return err;
  throw err;
}

/** HEAD: 204 when the box exists, 404 (no body) when not. */
export const headBox: Route = route(async (ctx) => {
  const box = await ctx.state.runtime.findBox(boxIdOf(ctx));
  if (box === null) throw new NotFoundError(`box not found: ${boxIdOf(ctx)}`);
  sendEmpty(ctx.res, 204, ctx.requestId);
});

function parseForce(ctx: RouteContext): boolean {
  const raw = queryParam(ctx, 'force');
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1' || raw === '') return true;
  throw new InvalidArgumentError(`invalid argument: force must be true or false, got ${JSON.stringify(raw)}`);
}

export const removeBox: Route = route(async (ctx) => {
  const idOrName = boxIdOf(ctx);
  const force = parseForce(ctx);
  // The canonical id, to drop this box's executions and bookkeeping even when
  // the caller named it; a miss is left to removeBox to report in its words.
  const found = await ctx.state.runtime.findBox(idOrName).catch(() => null);
  await ctx.state.runtime.removeBox(idOrName, { force });
  const boxId = found?.id ?? idOrName;
  ctx.state.sessions.dropBox(boxId);
  ctx.state.recentBoxes.forget(boxId);
  ctx.state.boxUsers.delete(boxId);
  ctx.state.boxUpdatedAt.delete(boxId);
  sendEmpty(ctx.res, 204, ctx.requestId);
});

export const startBox: Route = route(async (ctx) => {
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await box.start();
  ctx.state.boxUpdatedAt.set(box.id, Date.now());
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, box));
});

// {timeout_seconds} is validated, then left to the engine's own stop timeout.
export const stopBox: Route = jsonRoute(parseStopRequest, async (ctx) => {
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await box.stop();
  ctx.state.sessions.boxStopped(box.id);
  ctx.state.boxUpdatedAt.set(box.id, Date.now());
  // A stopped handle is spent (libboxlite invalidates it): read the state
  // through a fresh one.
  const fresh = await ctx.state.runtime.getBox(box.id);
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, fresh));
});

export const runtimeMetrics: Route = route(async (ctx) => {
  const m = await ctx.state.runtime.metrics();
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, toRuntimeMetricsJson(m));
});

export const boxMetrics: Route = route(async (ctx) => {
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, toBoxMetricsJson(await box.metrics()));
});
