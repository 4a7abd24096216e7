"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.attachWithoutUpgrade = exports.resizeExecution = exports.signalExecution = exports.killExecution = exports.getExecution = exports.startExec = void 0;
// Execution routes: POST P/boxes/{id}/exec and P/boxes/{id}/executions/{eid}
// (status, kill, signal, resize). The WebSocket attach lives in attach.ts.
const errors_1 = require("../errors");
const context_1 = require("./context");
const exec_request_1 = require("./exec-request");
const http_error_1 = require("./http-error");
const respond_1 = require("./respond");
// The body is validated (parse) before the engine is touched: a bad request costs no engine call.
exports.startExec = (0, context_1.jsonRoute)(exec_request_1.parseExecRequest, async (ctx, request) => {
    const { state } = ctx;
    const box = await state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    const options = request.options;
    if (options.user === undefined) {
        const boxUser = state.boxUsers.get(box.id);
        if (boxUser !== undefined)
            options.user = boxUser;
    }
    // The runtime resolves once the process is spawned, so spawn failures
    // (unknown user, missing binary...) come back here as this request's error.
    const execution = await box.exec(request.command, request.args, options);
    const session = state.sessions.add(execution, {
        boxId: box.id,
        boxName: box.name,
        tty: options.tty === true,
        timeoutSecs: options.timeoutSecs ?? 0,
    });
    (0, respond_1.sendJson)(ctx.req, ctx.res, 201, ctx.requestId, { execution_id: session.id }, {
        Location: `${(0, context_1.basePathOf)(ctx)}boxes/${encodeURIComponent(box.id)}/executions/${encodeURIComponent(session.id)}`,
    });
});
function sessionOf(ctx) {
    const session = ctx.state.sessions.lookup((0, context_1.boxIdOf)(ctx), (0, context_1.execIdOf)(ctx));
    session.touch();
    return session;
}
exports.getExecution = (0, context_1.route)(async (ctx) => {
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, sessionOf(ctx).toJson());
});
/** SIGKILL and evict; 204. Later requests for this id answer 404. */
exports.killExecution = (0, context_1.route)(async (ctx) => {
    const session = sessionOf(ctx);
    await ctx.state.sessions.evict(session);
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
function requireRunning(session) {
    if (!session.running) {
        throw new errors_1.InvalidStateError(`invalid state: execution ${session.id} has already exited (exit code ${session.exitCode})`);
    }
}
exports.signalExecution = (0, context_1.jsonRoute)(exec_request_1.parseSignalRequest, async (ctx, sig) => {
    const session = sessionOf(ctx);
    requireRunning(session);
    await session.signal(sig);
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
exports.resizeExecution = (0, context_1.jsonRoute)(exec_request_1.parseResizeRequest, async (ctx, { cols, rows }) => {
    const session = sessionOf(ctx);
    if (!session.tty) {
        throw new errors_1.InvalidArgumentError(`invalid argument: execution ${session.id} has no TTY (start it with "tty": true to resize)`);
    }
    requireRunning(session);
    await session.resize(cols, rows);
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
/** A plain GET on .../attach: the route exists only as a WebSocket. */
exports.attachWithoutUpgrade = (0, context_1.route)(async (ctx) => {
    ctx.state.sessions.lookup((0, context_1.boxIdOf)(ctx), (0, context_1.execIdOf)(ctx));
    throw (0, http_error_1.httpError)(426, 'invalid argument: attach is a WebSocket endpoint: send Connection: Upgrade and Upgrade: websocket '
        + '(a server embedding this handler must route upgrades to handler.upgrade, e.g. with attachBoxliteUpgrade)', { Upgrade: 'websocket' });
});
//# sourceMappingURL=exec-routes.js.map