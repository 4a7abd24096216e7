"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.downloadFiles = exports.uploadFiles = void 0;
// PUT/GET P/boxes/{id}/files?path=: tar in, tar out. The engine copies host
// paths, so each transfer goes through a private temp directory that is
// removed afterwards whatever happens.
const node_fs_1 = require("node:fs");
const path = __importStar(require("node:path"));
const node_stream_1 = require("node:stream");
const promises_1 = require("node:stream/promises");
const errors_1 = require("../errors");
const body_1 = require("./body");
const context_1 = require("./context");
const http_error_1 = require("./http-error");
const respond_1 = require("./respond");
const tar_transfer_1 = require("./tar-transfer");
const validate_1 = require("./validate");
async function withTempDir(ctx, fn) {
    const dir = await node_fs_1.promises.mkdtemp(path.join(ctx.state.options.tmpDir, 'boxlite-files-'));
    try {
        return await fn(dir);
    }
    finally {
        await node_fs_1.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
}
/** Passes bytes through, failing with 413 past `limit` (chunked bodies announce no length). */
function byteLimit(limit) {
    let seen = 0;
    return new node_stream_1.Transform({
        transform(chunk, _enc, done) {
            seen += chunk.length;
            if (seen > limit)
                done((0, http_error_1.payloadTooLarge)(limit));
            else
                done(null, chunk);
        },
    });
}
function checkBoolean(ctx, name, dflt) {
    const raw = (0, context_1.queryParam)(ctx, name);
    if (raw === undefined)
        return dflt;
    if (raw === 'true' || raw === '1')
        return true;
    if (raw === 'false' || raw === '0')
        return false;
    throw (0, validate_1.invalid)(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}
/** The path of the archive's only entry when that entry is not a directory, else null. */
async function singleFile(dir) {
    const entries = await node_fs_1.promises.readdir(dir, { withFileTypes: true });
    if (entries.length !== 1 || entries[0].isDirectory())
        return null;
    return path.join(dir, entries[0].name);
}
exports.uploadFiles = (0, context_1.route)(async (ctx) => {
    const dest = (0, tar_transfer_1.checkGuestPath)((0, context_1.queryParam)(ctx, 'path'));
    // libboxlite's copy always overwrites; refusing beats pretending.
    if (!checkBoolean(ctx, 'overwrite', true))
        throw new errors_1.UnsupportedError('unsupported: overwrite=false is not supported (copies always overwrite)');
    // Client 0.10.3 says what it packed; 0.10.0 does not, and the archive tells.
    const sourceIsDir = (0, context_1.queryParam)(ctx, 'source_is_dir') === undefined ? undefined : checkBoolean(ctx, 'source_is_dir', false);
    const limit = ctx.state.options.filesLimit;
    (0, body_1.checkDeclaredLength)(ctx.req, limit);
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    await withTempDir(ctx, async (dir) => {
        const staged = path.join(dir, 'in');
        await node_fs_1.promises.mkdir(staged);
        const limiter = byteLimit(limit);
        ctx.req.on('error', (err) => limiter.destroy(err));
        limiter.on('error', () => ctx.req.resume());
        await (0, tar_transfer_1.extractTar)(ctx.req.pipe(limiter), staged);
        // `docker cp` semantics, which BoxLite clients follow: an archive of one
        // file is that file, written *as* `dest` (or into it when `dest` is an
        // existing directory or ends in '/'); any other archive is a directory
        // whose contents land in `dest`.
        const single = sourceIsDir === true ? null : await singleFile(staged);
        await box.copyIn(single ?? staged, dest);
    });
    (0, respond_1.sendEmpty)(ctx.res, 204, ctx.requestId);
});
exports.downloadFiles = (0, context_1.route)(async (ctx) => {
    const src = (0, tar_transfer_1.checkGuestPath)((0, context_1.queryParam)(ctx, 'path'));
    if (checkBoolean(ctx, 'follow_symlinks', false)) {
        throw new errors_1.UnsupportedError('unsupported: follow_symlinks=true is not supported (copies never follow symlinks)');
    }
    const box = await ctx.state.runtime.getBox((0, context_1.boxIdOf)(ctx));
    await withTempDir(ctx, async (dir) => {
        const out = path.join(dir, 'out');
        await node_fs_1.promises.mkdir(out);
        try {
            await box.copyOut(src, out);
        }
        catch (err) {
            // libboxlite reports a missing source as a bare I/O error (Internal);
            // here it can only mean the caller named a path that is not there.
            if ((0, errors_1.isBoxliteError)(err, errors_1.BoxliteErrorCode.Internal) && err.message.includes('(os error 2)')) {
                throw new errors_1.NotFoundError(`box not found: ${src} does not exist in box ${box.id} (${err.message})`, { cause: err });
            }
            throw err;
        }
        const archive = await (0, tar_transfer_1.packDirectory)(out);
        // From here on the status line is sent: a failure can only cut the stream.
        ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Request-Id': ctx.requestId });
        await (0, promises_1.pipeline)(archive, ctx.res);
    });
});
//# sourceMappingURL=file-routes.js.map