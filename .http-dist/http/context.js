"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.boxIdOf = boxIdOf;
exports.execIdOf = execIdOf;
exports.basePathOf = basePathOf;
exports.queryParam = queryParam;
exports.route = route;
exports.jsonRoute = jsonRoute;
/** Route params are present for the routes that declare them; this narrows. */
function boxIdOf(ctx) {
    return ctx.match.boxId;
}
function execIdOf(ctx) {
    return ctx.match.execId;
}
/** `/v1/{prefix}/` as the client addressed it, for Location headers. */
function basePathOf(ctx) {
    return ctx.match.prefix === '' ? '/v1/' : `/v1/${ctx.match.prefix}/`;
}
function queryParam(ctx, name) {
    if (ctx.query === '')
        return undefined;
    const v = new URLSearchParams(ctx.query).get(name);
    return v === null ? undefined : v;
}
function route(run) {
    return { run };
}
function jsonRoute(parse, run) {
    return { parse, run: run };
}
//# sourceMappingURL=context.js.map