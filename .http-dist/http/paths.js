"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.normalizeBasePath = normalizeBasePath;
exports.splitUrl = splitUrl;
function normalizeBasePath(basePath) {
    if (basePath === undefined)
        return '';
    const trimmed = basePath.replace(/\/+$/, '');
    if (trimmed !== '' && !trimmed.startsWith('/'))
        throw new TypeError(`basePath must start with '/', got ${JSON.stringify(basePath)}`);
    return trimmed;
}
function splitUrl(req, basePath) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    if (basePath !== '' && path.startsWith(basePath) && (path.length === basePath.length || path[basePath.length] === '/')) {
        path = path.slice(basePath.length) || '/';
    }
    if (path.startsWith('/v1/'))
        return { afterV1: path.slice(4), query };
    if (path === '/v1')
        return { afterV1: '', query };
    // Mounted at .../v1 itself (app.use('/v1', handler)): Express stripped it.
    const baseUrl = req.baseUrl;
    if (typeof baseUrl === 'string' && (baseUrl === '/v1' || baseUrl.endsWith('/v1'))) {
        return { afterV1: path.slice(1), query };
    }
    return { afterV1: null, query };
}
//# sourceMappingURL=paths.js.map