"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.boxMetrics = exports.runtimeMetrics = exports.stopBox = exports.startBox = exports.removeBox = exports.headBox = exports.getBox = exports.createBox = exports.listBoxes = void 0;
// Box lifecycle and metrics routes: P/boxes, P/boxes/{id}, .../start, .../stop,
// P/metrics, P/boxes/{id}/metrics.
const errors_1 = require("../errors");
const box_request_1 = require("./box-request");
const box_json_1 = require("./box-json");
const context_1 = require("./context");
const exec_request_1 = require("./exec-request");
const respond_1 = require("./respond");
async function boxJson(ctx, box) {
    const info = await box.info();
    return (0, box_json_1.toBoxJson)(info, ctx.state.boxUpdatedAt.get(info.id));
}
exports.listBoxes = (0, context_1.route)(async (ctx) => {
    const infos = await ctx.state.runtime.listBoxes();
    const status = (0, context_1.queryParam)(ctx, 'status');
    const boxes = infos
        .filter((info) => status === undefined || info.status === status)
        .map((info) => (0, box_json_1.toBoxJson)(info, ctx.state.boxUpdatedAt.get(info.id)));
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, { boxes, next_page_token: null });
});
exports.createBox = (0, context_1.jsonRoute)(box_request_1.parseCreateBoxRequest, async (ctx, request) => {
    const box = await ctx.state.runtime.createBox(request.options);
    if (request.user !== undefined)
        ctx.state.boxUsers.set(box.id, request.user);
    const json = await boxJson(ctx, box);
    (0, respond_1.sendJson)(ctx.req, ctx.res, 201, ctx.requestId, json, {
        Location: `${(0, context_1.basePathOf)(ctx)}boxes/${encodeURIComponent(json.box_id)}`,
    });
});
exports.getBox = (0, context_1.route)(async (ctx) => {
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, box));
});
/** HEAD: 204 when the box exists, 404 (no body) when not. */
exports.headBox = (0, context_1.route)(async (ctx) => {
    const box = await ctx.state.runtime.findBox((0, context_1.boxIdOf)(ctx));
    if (box === null)
        throw new errors_1.NotFoundError(`box not found: ${(0, context_1.boxIdOf)(ctx)}`);
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
function parseForce(ctx) {
    const raw = (0, context_1.queryParam)(ctx, 'force');
    if (raw === undefined || raw === 'false' || raw === '0')
        return false;
    if (raw === 'true' || raw === '1' || raw === '')
        return true;
    throw new errors_1.InvalidArgumentError(`invalid argument: force must be true or false, got ${JSON.stringify(raw)}`);
}
exports.removeBox = (0, context_1.route)(async (ctx) => {
    const idOrName = (0, context_1.boxIdOf)(ctx);
    const force = parseForce(ctx);
    // The canonical id, to drop this box's executions and bookkeeping even when
    // the caller named it; a miss is left to removeBox to report in its words.
    const found = await ctx.state.runtime.findBox(idOrName).catch(() => null);
    await ctx.state.runtime.removeBox(idOrName, { force });
    const boxId = found?.id ?? idOrName;
    ctx.state.sessions.dropBox(boxId);
    ctx.state.boxUsers.delete(boxId);
    ctx.state.boxUpdatedAt.delete(boxId);
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
exports.startBox = (0, context_1.route)(async (ctx) => {
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    await box.start();
    ctx.state.boxUpdatedAt.set(box.id, Date.now());
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, box));
});
// {timeout_seconds} is validated, then left to the engine's own stop timeout.
exports.stopBox = (0, context_1.jsonRoute)(exec_request_1.parseStopRequest, async (ctx) => {
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    await box.stop();
    ctx.state.boxUpdatedAt.set(box.id, Date.now());
    // A stopped handle is spent (libboxlite invalidates it): read the state
    // through a fresh one.
    const fresh = await ctx.state.runtime.getBox(box.id);
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, await boxJson(ctx, fresh));
});
exports.runtimeMetrics = (0, context_1.route)(async (ctx) => {
    const m = await ctx.state.runtime.metrics();
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, (0, box_json_1.toRuntimeMetricsJson)(m));
});
exports.boxMetrics = (0, context_1.route)(async (ctx) => {
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, (0, box_json_1.toBoxMetricsJson)(await box.metrics()));
});
//# sourceMappingURL=box-routes.js.map