// Execution routes: POST P/boxes/{id}/exec and P/boxes/{id}/executions/{eid}
// (status, kill, signal, resize). The WebSocket attach lives in attach.ts.
import { BoxliteErrorCode, InvalidArgumentError, InvalidStateError, isBoxliteError } from '../../errors/errors';
import type { Box, Execution } from '../../runtime/runtime-types';
import { type HandlerState, type Route, type RouteContext, basePathOf, boxIdOf, execIdOf, jsonRoute, route } from '../routing/context';
import { type ExecRequest, type ResizeRequest, parseExecRequest, parseResizeRequest, parseSignalRequest } from './exec-request';
import { httpError } from '../protocol/http-error';
import { sendEmpty, sendJson } from '../protocol/respond';
import type { ExecSession } from './exec-session';

// The body is validated (parse) before the engine is touched: a bad request costs no engine call.
export const startExec: Route = jsonRoute(parseExecRequest, async (ctx, request: ExecRequest) => {
  const { state } = ctx;
  const looked = await state.recentBoxes.get(boxIdOf(ctx));
  let box = looked.box;
  let started;
  try {
    started = await startIn(state, box, request);
  } catch (err) {
    // A reused box the engine no longer knows (removed elsewhere): looked up
    // afresh, so the answer is the one an uncached request gets: 404 when it
    // is gone, the exec on the box now holding that name when there is one,
    // and this very error when the box is still the same.
    if (!looked.cached || !isBoxliteError(err, BoxliteErrorCode.NotFound)) throw err;
    state.recentBoxes.forget(box.id);
    const fresh = (await state.recentBoxes.get(boxIdOf(ctx))).box;
    if (fresh.id === box.id) throw err;
    box = fresh;
    started = await startIn(state, box, request);
  }
  const { execution, release, startedAt } = started;
  let session;
  try {
    session = state.sessions.add(execution, {
      boxId: box.id,
      boxName: box.name,
      tty: request.options.tty === true,
      timeoutSecs: request.options.timeoutSecs ?? 0,
      startedAt,
    });
  } catch (err) {
    release();
    throw err;
  }
  session.slotFree.then(release, release);
  sendJson(ctx.req, ctx.res, 201, ctx.requestId, { execution_id: session.id }, {
    Location: `${basePathOf(ctx)}boxes/${encodeURIComponent(box.id)}/executions/${encodeURIComponent(session.id)}`,
  });
});

async function startIn(state: HandlerState, box: Box, request: ExecRequest):
  Promise<{ execution: Execution; release: () => void; startedAt: number }> {
  const options = request.options;
  if (options.user === undefined) {
    const boxUser = state.boxUsers.get(box.id);
    if (boxUser !== undefined) options.user = boxUser;
  }
  // A slot under maxExecutions/maxExecutionsPerBox (429 past them), held
  // until the process exited and its output was read: what the engine holds
  // (threads, pipes) is bounded, so the server answers 429, never EMFILE.
  // Once its box is stopped, only until the process is gone (slotFree): the
  // unread rest is held within the runtime-wide output budgets.
  const release = state.limits.acquireExecution(box.id);
  // Taken before the spawn, as the engine's timeout clock is: the session
  // tells a timeout kill by how long the command ran (exec-session.ts).
  const startedAt = Date.now();
  try {
    // The runtime resolves once the process is spawned, so spawn failures
    // (unknown user, missing binary...) come back here as this request's error.
    return { execution: await box.exec(request.command, request.args, options), release, startedAt };
  } catch (err) {
    release();
    throw err;
  }
}

function sessionOf(ctx: RouteContext): ExecSession {
  const session = ctx.state.sessions.lookup(boxIdOf(ctx), execIdOf(ctx));
  session.touch();
  return session;
}

export const getExecution: Route = route(async (ctx) => {
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, sessionOf(ctx).toJson());
});

/** SIGKILL and evict; 204. Later requests for this id answer 404. */
export const killExecution: Route = route(async (ctx) => {
  const session = sessionOf(ctx);
  await ctx.state.sessions.evict(session);
  sendEmpty(ctx.res, 204, ctx.requestId);
});

function requireRunning(session: ExecSession): void {
  if (!session.running) {
    throw new InvalidStateError(`invalid state: execution ${session.id} has already exited (exit code ${session.exitCode})`);
  }
}

export const signalExecution: Route = jsonRoute(parseSignalRequest, async (ctx, sig: number) => {
  const session = sessionOf(ctx);
  requireRunning(session);
  await session.signal(sig);
  sendEmpty(ctx.res, 204, ctx.requestId);
});

export const resizeExecution: Route = jsonRoute(parseResizeRequest, async (ctx, { cols, rows }: ResizeRequest) => {
  const session = sessionOf(ctx);
  if (!session.tty) {
    throw new InvalidArgumentError(`invalid argument: execution ${session.id} has no TTY (start it with "tty": true to resize)`);
  }
  requireRunning(session);
  await session.resize(cols, rows);
  sendEmpty(ctx.res, 204, ctx.requestId);
});

/** A plain GET on .../attach: the route exists only as a WebSocket. */
export const attachWithoutUpgrade: Route = route(async (ctx) => {
  ctx.state.sessions.lookup(boxIdOf(ctx), execIdOf(ctx));
  if (ctx.req.httpVersionMajor === 2) {
    // ws has no WebSocket over HTTP/2 (RFC 8441 extended CONNECT); a server
    // that also speaks HTTP/1.1 (allowHTTP1) attaches there, on the same port.
    throw httpError(426, 'invalid argument: attach is a WebSocket endpoint, served over HTTP/1.1 only (no WebSocket '
      + 'over HTTP/2 here): connect with HTTP/1.1 and send Connection: Upgrade and Upgrade: websocket');
  }
  throw httpError(426, 'invalid argument: attach is a WebSocket endpoint: send Connection: Upgrade and Upgrade: websocket '
    + '(a server embedding this handler must route upgrades to handler.upgrade, e.g. with attachBoxliteUpgrade)', { Upgrade: 'websocket' });
});
