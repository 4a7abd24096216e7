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
exports.extractTar = extractTar;
exports.packDirectory = packDirectory;
exports.checkGuestPath = checkGuestPath;
// Tar archives <-> a host directory, for the files routes (the engine copies
// host paths in and out of a box; the wire carries tar).
//
// Why the `tar` package (node-tar, npm's own) rather than the system binary:
// it streams in-process with no dependency on which tar the host has (GNU and
// BSD differ in flags and in how they treat hostile archives), and it already
// refuses the classic attacks: `..` paths, extraction through a symlink,
// hardlinks out of the target. We add two rules on top:
//  - entries that would be silently rewritten (absolute or `..` paths) or
//    skipped (devices, fifos) are refused: the upload fails with 400 instead
//    of landing something other than what was sent;
//  - absolute symlink targets are restored verbatim after extraction. node-tar
//    makes them relative, which is right for the host but wrong for the box
//    (`/usr/bin/python -> /usr/bin/python3` must stay absolute inside it).
//    They are re-created only once every entry is written, so nothing is ever
//    written through them.
const node_fs_1 = require("node:fs");
const path = __importStar(require("node:path"));
const tar = __importStar(require("tar"));
const validate_1 = require("./validate");
const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
function hasDotDot(p) {
    return p.split('/').includes('..');
}
/** Extract the tar stream `source` into the empty directory `dir`; rejects with a 400 for a refused archive. */
function extractTar(source, dir) {
    const refusals = [];
    const absoluteSymlinks = [];
    const unpack = tar.x({
        cwd: dir,
        strict: false,
        // The archive's owners mean nothing on this host; the box decides.
        preserveOwner: false,
        filter: (entryPath, entry) => {
            const e = entry;
            const refuse = (why) => { refusals.push(`${JSON.stringify(entryPath)}: ${why}`); return false; };
            if (!ALLOWED_TYPES.has(e.type))
                return refuse(`unsupported entry type ${e.type}`);
            if (entryPath.startsWith('/'))
                return refuse('absolute path');
            if (hasDotDot(entryPath))
                return refuse("path contains '..'");
            const link = e.linkpath ?? '';
            if (e.type === 'Link' && (link.startsWith('/') || hasDotDot(link)))
                return refuse('hardlink target outside the archive');
            if (e.type === 'SymbolicLink' && link.startsWith('/'))
                absoluteSymlinks.push({ entryPath, target: link });
            return true;
        },
        onwarn: (code, message) => {
            // Informational notes are about rewrites we already refused or undo.
            if (code !== 'TAR_ENTRY_INFO')
                refusals.push(`${code}: ${message}`);
        },
    });
    return new Promise((resolve, reject) => {
        let settled = false;
        const fail = (err) => {
            if (settled)
                return;
            settled = true;
            source.unpipe(unpack);
            source.resume();
            reject(err);
        };
        unpack.on('error', (err) => fail((0, validate_1.invalid)(`request body is not a valid tar archive: ${err.message}`)));
        source.on('error', fail);
        unpack.on('close', () => {
            if (settled)
                return;
            if (refusals.length > 0)
                return fail((0, validate_1.invalid)(`tar archive refused: ${refusals.slice(0, 5).join('; ')}`));
            restoreSymlinks(dir, absoluteSymlinks).then(() => { settled = true; resolve(); }, fail);
        });
        source.pipe(unpack);
    });
}
async function restoreSymlinks(dir, links) {
    for (const { entryPath, target } of links) {
        const where = path.join(dir, entryPath.replace(/\/+$/, ''));
        await node_fs_1.promises.rm(where, { force: true });
        await node_fs_1.promises.symlink(target, where);
    }
}
/** A tar stream of the entries directly inside `dir` (symlinks kept as links). */
async function packDirectory(dir) {
    const entries = await node_fs_1.promises.readdir(dir);
    return tar.c({ cwd: dir, portable: true, follow: false }, entries);
}
/** A guest path from `?path=`: absolute, no NUL, no `..` segment. */
function checkGuestPath(raw) {
    if (raw === undefined || raw === '')
        throw (0, validate_1.invalid)('query parameter "path" is required (an absolute path inside the box)');
    if (raw.includes('\0'))
        throw (0, validate_1.invalid)('path must not contain NUL characters');
    if (!raw.startsWith('/'))
        throw (0, validate_1.invalid)(`path must be absolute, got ${JSON.stringify(raw)}`);
    if (hasDotDot(raw))
        throw (0, validate_1.invalid)(`path must not contain '..' segments, got ${JSON.stringify(raw)}`);
    if (raw.length > 4096)
        throw (0, validate_1.invalid)('path must be at most 4096 characters');
    return raw;
}
//# sourceMappingURL=tar-transfer.js.map